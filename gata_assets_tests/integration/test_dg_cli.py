"""The `dg` CLI (dagster-dg-cli) on this project, run as a subprocess the way users and CI run it.

Dagster 1.13 points users from `dagster asset materialize` to `dg launch --assets`, and CI
gates on `dg check defs`; these tests make sure `dg` finds the project through pyproject's
`[tool.dg]` tables, loads the same definitions as every other Dagster process, and fails
loudly when a GATA_* setting is wrong. Each test loads the definitions in a fresh process
(seconds on a busy 2-core machine), so the whole module is slow.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import pytest

from gata_assets.definitions import build_definitions
from gata_assets.settings import GataSettings
from gata_assets_tests.integration.dagster_processes import (
    DATA_ASSETS,
    REPO,
    TICKETS,
    dagster_env,
    executable,
    make_dagster_home,
    make_gata_home,
)

pytestmark = pytest.mark.slow

# `dg` records telemetry under DAGSTER_HOME; a test instance should not.
QUIET_INSTANCE = "telemetry:\n  enabled: false\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without its GATA_*/DAGSTER_* variables, on temp homes."""
    dagster_home = make_dagster_home(tmp_path / "dagster_home", QUIET_INSTANCE)
    return dagster_env(dagster_home, make_gata_home(tmp_path / "gata_home"))


def run_dg(args: list[str], env: Mapping[str, str], timeout: float = 180):
    # From the repo root: that is where `dg` looks for pyproject's [tool.dg] project.
    return subprocess.run(
        [executable("dg"), *args],
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_dg_check_defs_passes(env):
    done = run_dg(["check", "defs"], env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "All definitions loaded successfully" in done.stdout + done.stderr


def test_dg_check_defs_fails_on_a_bad_setting_and_names_it(env):
    done = run_dg(["check", "defs"], {**env, "GATA_TRAIN_EPOCHS": "zero"})
    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-3000:]
    assert "GATA_TRAIN_EPOCHS" in output


def expected_definitions(env: Mapping[str, str]) -> dict[str, set]:
    """What `gata_assets.definitions` holds under `env`, in `dg list defs --json`'s terms."""
    defs = build_definitions(GataSettings.from_env(env))
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for definition in [*(defs.assets or []), *(defs.asset_checks or [])]
        if isinstance(definition, dg.AssetsDefinition)
        for key in definition.check_keys
    }
    return {
        "assets": {key.to_user_string() for key in defs.resolve_all_asset_keys()},
        "asset_checks": checks,
        "jobs": {job.name for job in defs.jobs or []},
        "schedules": {schedule.name for schedule in defs.schedules or []},
        "sensors": {sensor.name for sensor in defs.sensors or []},
        "resources": set(defs.resources or {}),
    }


def test_dg_list_defs_json_lists_what_the_definitions_hold(env):
    done = run_dg(["list", "defs", "--json"], env)
    assert done.returncode == 0, done.stderr[-3000:]
    listed = json.loads(done.stdout)  # stdout is only the JSON: dg captures the load's prints

    expected = expected_definitions(env)
    assert {a["asset_key"] for a in listed["assets"]} == expected["assets"]
    assert {(c["asset_key"], c["name"]) for c in listed["asset_checks"]} == expected["asset_checks"]
    for section in ("jobs", "schedules", "sensors", "resources"):
        assert {d["name"] for d in listed[section]} == expected[section], section

    # The comparison above would pass on an empty project: the main graph must be there.
    for asset in ("ticket_extract", "general_model", "low_volume_model", "routing_endpoint"):
        assert asset in expected["assets"]
    assert "retrain" in expected["jobs"]
    assert expected["asset_checks"] and expected["schedules"] and expected["sensors"]


def test_dg_launch_materializes_the_data_assets_into_the_instance(env):
    # Data assets only: training would take minutes on the shared CPUs.
    done = run_dg(["launch", "--assets", ",".join(DATA_ASSETS)], env, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]

    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        for key in DATA_ASSETS:
            event = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert event is not None, f"{key} was not materialized"
        extract = instance.get_latest_materialization_event(dg.AssetKey("ticket_extract"))
        assert extract.asset_materialization.metadata["dagster/row_count"].value == TICKETS
