"""One `dagster-webserver` on the project's workspace.yaml for the UI and GraphQL tests."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from gata_assets.definitions import build_resources
from gata_assets.settings import GataSettings
from gata_assets_tests.defs.training_asset_helpers import ASSETS
from gata_assets_tests.integration.dagster_processes import (
    ARTIFACTS,
    LAUNCH_AT_ONCE,
    BackgroundProcess,
    dagster_env,
    executable,
    location_loaded,
    make_dagster_home,
    make_gata_home,
    wait_until,
)
from gata_assets_tests.serving_fixtures import free_port

# Loading the definitions on a busy 2-core machine takes seconds to tens of seconds.
STARTUP_TIMEOUT_S = 180


@dataclass(frozen=True)
class Webserver:
    port: int
    dagster_home: Path
    gata_home: Path
    process: BackgroundProcess

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ticket_db_url(self) -> str:
        return f"sqlite:///{self.gata_home / 'tickets.db'}"


@pytest.fixture(scope="session")
def dagster_webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webserver]:
    root = tmp_path_factory.mktemp("webserver")
    dagster_home = make_dagster_home(root / "dagster_home", LAUNCH_AT_ONCE)
    gata_home = make_gata_home(root / "gata_home")
    port = free_port()
    command = [
        executable("dagster-webserver"),
        *("-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)),
    ]
    process = BackgroundProcess(command, dagster_env(dagster_home, gata_home), root / "web.log")
    try:
        server = Webserver(port, dagster_home, gata_home, process)
        wait_until(
            lambda: location_loaded(f"{server.url}/graphql"),
            STARTUP_TIMEOUT_S,
            "dagster-webserver loads the gata code location",
            process,
        )
        yield server
    finally:
        process.stop()


# One epoch on 16 tokens: a real gata-train model in ~20 s on 2 busy cores. Quality is not
# the point here, what the UI shows of the model is.
TINY_TRAINING = {"GATA_TRAIN_EPOCHS": "1", "GATA_TRAIN_MAX_LENGTH": "16"}
GENERAL_MODEL_AND_DATA = {"ticket_extract", "ticket_groups", "general_split", "general_model"}


@pytest.fixture
def general_model_materialized(dagster_webserver: Webserver) -> dg.AssetMaterialization:
    """`general_model` (and the data under it) trained into the webserver's own instance.

    Run in this process against the webserver's DAGSTER_HOME and GATA_HOME: the UI only reads
    the instance, and this skips a run worker loading the definitions anew (and the model
    checks) on the shared cores. The asset code and the local trainer are the real ones.
    """
    env = {"GATA_HOME": str(dagster_webserver.gata_home), **TINY_TRAINING}
    assets = [a for a in ASSETS if a.node_def.name in GENERAL_MODEL_AND_DATA]
    with dg.DagsterInstance.from_config(str(dagster_webserver.dagster_home)) as instance:
        result = dg.materialize(
            assets, instance=instance, resources=build_resources(GataSettings.from_env(env))
        )
    assert result.success
    (event,) = result.asset_materializations_for_node("general_model")
    return event


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and logs a person can look at after a run (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
