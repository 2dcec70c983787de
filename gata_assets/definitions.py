"""Everything Dagster loads: the stages' assets and checks, jobs, and the chosen resources.

This module only assembles. Which implementation each capability gets (local or AWS) is
decided in `gata_assets/resources/build.py`, from `GataSettings`; the `@dg.definitions` entry
point reads the environment when Dagster loads the code location, not when this module is
imported, so an unknown or malformed GATA_* variable fails the load with its name.
"""

from __future__ import annotations

import dagster as dg

from gata_assets.defs import (
    automation,
    deployment,
    extraction,
    inference,
    preparation,
    training,
)
from gata_assets.defs.automation.jobs import TRAINING_GROUPS
from gata_assets.resources.build import build_resources
from gata_assets.settings import GataSettings

STAGES = (
    extraction.defs,
    preparation.defs,
    training.defs,
    deployment.defs,
    inference.defs,
    automation.defs,
)

# The main job (`retrain`: extract → prepare → train → gate → deploy preprod) as a selection
# string for `gata up` and `dagster asset materialize --select`.
MAIN_SELECTION = " or ".join(f"group:{group}" for group in TRAINING_GROUPS)

__all__ = ["MAIN_SELECTION", "build_definitions", "build_resources", "defs"]


def build_definitions(settings: GataSettings) -> dg.Definitions:
    # Freshness policies go on every stage's assets; sensors and schedules follow GATA_* switches.
    return automation.with_freshness(
        dg.Definitions.merge(
            *STAGES,
            automation.build_automation(settings.options),
            dg.Definitions(resources=build_resources(settings)),
        )
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(GataSettings.from_env())
