"""One `dagster-webserver` on the project's workspace.yaml for the UI and GraphQL tests."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and logs a person can look at after a run (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
