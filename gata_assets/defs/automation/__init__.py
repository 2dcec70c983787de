"""Stage 5: lifecycle automation, what keeps the models fresh without anyone watching.

`defs` holds the stage's own assets, checks and jobs: the champion/challenger gate (with
registration) on both models, the prod endpoint, and the jobs triggers launch. Sensors and
schedules depend on configuration (each can be switched off), so `build_automation(options)`
makes them when the definitions load (the approval-queue sensor only with
GATA_APPROVAL_QUEUE_URL set); `with_freshness` attaches the freshness policies to
the assets of every stage. Its resources (registry, event sink, image-tag source, knobs) are
built with all the others in `gata_assets/resources/build.py`.
"""

from collections.abc import Mapping

import dagster as dg

from gata_assets.defs.automation.freshness import with_freshness
from gata_assets.defs.automation.gate import gate_checks
from gata_assets.defs.automation.jobs import JOBS
from gata_assets.defs.automation.promotion import prod_endpoint
from gata_assets.defs.automation.schedules import build_schedules
from gata_assets.defs.automation.sensors import build_sensors
from gata_assets.defs.automation.switches import Switches

defs = dg.Definitions(assets=[prod_endpoint], asset_checks=gate_checks, jobs=JOBS)


def build_automation(options: Mapping[str, str]) -> dg.Definitions:
    """Sensors and schedules, each RUNNING by default unless switched off in `options`."""
    switches = Switches.from_options(options)
    approval_queue = bool(options.get("approval_queue_url", "").strip())
    return dg.Definitions(
        sensors=build_sensors(switches.sensor_status, approval_queue),
        schedules=build_schedules(switches),
    )


__all__ = ["build_automation", "defs", "with_freshness"]
