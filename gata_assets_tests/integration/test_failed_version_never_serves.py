"""Scenario across runs: a version that failed a blocking check never serves.

Version A passes every blocking check and serves preprod; version B is trained with a TF-IDF
margin it cannot meet and fails `beats_tfidf_baseline`; then the `redeploy` job runs through
the dagster CLI, as the image-tag sensor would launch it. Preprod still serves A, `gata
endpoints status` says so, and `gata models list --json` shows B with its failed check.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import dagster as dg
import pytest
from typer.testing import CliRunner

import gata_assets.cli.endpoints
import gata_assets.cli.models  # noqa: F401  (registers `gata models`)
from gata_assets.cli import app
from gata_assets.definitions import build_definitions
from gata_assets.settings import GataSettings
from gata_assets_tests.integration.dagster_processes import executable

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
# Tiny and quick: one epoch, a floor every model meets; only the TF-IDF margin differs.
TINY = {
    "GATA_TRAIN_EPOCHS": "1",
    "GATA_TRAIN_LOW_VOLUME_EPOCHS": "1",
    "GATA_TRAIN_MAX_LENGTH": "16",
    "GATA_TRAIN_BATCH_SIZE": "32",
    "GATA_TRAIN_MIN_MACRO_F1": "0",
    "GATA_ENDPOINT_NAME_PREFIX": "gata-scn",
}


def retrain(gata_home: Path, margin: str) -> dg.ExecuteInProcessResult:
    env = {"GATA_HOME": str(gata_home), **TINY, "GATA_TRAIN_BASELINE_MARGIN": margin}
    defs = build_definitions(GataSettings.from_env(env))
    return defs.resolve_job_def("retrain").execute_in_process(raise_on_error=False)


def gata(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def stop_endpoints(gata_home):
    yield
    deployer = build_definitions(
        GataSettings.from_env({"GATA_HOME": str(gata_home), **TINY})
    ).resources["deployer"]
    deployer.stop(deployer.endpoint_name("router"))


def test_redeploy_after_a_failed_version_keeps_serving_the_passing_one(
    small_ticket_db, gata_home, tmp_path, monkeypatch, stop_endpoints
):
    for key, value in TINY.items():
        monkeypatch.setenv(key, value)
    first = retrain(gata_home, margin="-1")
    assert first.success
    version_a = (
        first.asset_materializations_for_node("routing_endpoint")[0]
        .metadata["general_model_version"]
        .value
    )

    second = retrain(gata_home, margin="0.5")
    (failed,) = [
        e
        for e in second.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == "general_model"
        and e.check_name == "beats_tfidf_baseline"
    ]
    assert not failed.passed and not second.asset_materializations_for_node("routing_endpoint")
    version_b = second.asset_materializations_for_node("general_model")[0].tags[
        "gata/model_version"
    ]
    assert version_b != version_a

    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "GATA_HOME": str(gata_home)}
    command = [executable("dagster"), "job", "execute", "-m", "gata_assets.definitions"]
    done = subprocess.run(
        [*command, "-j", "redeploy"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{version_b} is not servable (beats_tfidf_baseline failed" in done.stderr + done.stdout

    (row,) = json.loads(gata("endpoints", "status", "--json"))
    assert row["name"] == "gata-scn-router" and row["healthy"] is True
    assert row["model_versions"]["general"] == version_a

    rows = {r["version"]: r for r in json.loads(gata("models", "list", "--json"))}
    assert rows[version_a]["servable"] is True
    b = rows[version_b]
    assert b["servable"] is False and b["checks"]["beats_tfidf_baseline"]["passed"] is False
    assert "required margin +0.5000" in b["checks"]["beats_tfidf_baseline"]["reason"]
