"""`dagster asset materialize` in a subprocess, exactly as CI and users run it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from gata_assets_tests.integration.dagster_processes import DATA_ASSETS, executable

REPO = Path(__file__).resolve().parents[2]
DATA_SELECTION = ",".join(DATA_ASSETS)


# A `dagster` subprocess loading the definitions and running every data step: minutes on a
# busy 2-core box, so not part of the fast loop.
@pytest.mark.slow
def test_cli_materializes_data_assets_into_the_instance(small_ticket_db, gata_home, tmp_path):
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "GATA_HOME": str(gata_home)}
    command = [
        executable("dagster"),
        "asset",
        "materialize",
        "-m",
        "gata_assets.definitions",
        "--select",
        DATA_SELECTION,
    ]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for key in DATA_SELECTION.split(","):
            event = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert event is not None, f"{key} was not materialized"
        extract = instance.get_latest_materialization_event(dg.AssetKey("ticket_extract"))
        assert extract.asset_materialization.metadata["dagster/row_count"].value == 236
