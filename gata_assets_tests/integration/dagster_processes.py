"""Real Dagster processes for the integration tests: webserver and daemon on 127.0.0.1.

Each runs in its own session (process group) so that stopping it also stops the code server
and the run workers it spawned; on Linux it also gets SIGTERM when the test process dies, so
a crashed or killed pytest never leaves a webserver behind on a shared machine.
"""

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import sqlalchemy as sa

from gata_assets_tests.helpers import load_rows, make_ticket_rows

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

# Same mix as the `small_ticket_db` fixture: four big categories, two low-volume ones.
TICKET_COUNTS = {"billing": 60, "password": 55, "printer": 50, "vpn": 45, "gdpr": 14, "legal": 12}
TICKETS = sum(TICKET_COUNTS.values())

# Nothing starts by itself: no sensor or schedule launches training behind a test's back.
AUTOMATION_OFF = {
    "GATA_SENSORS": "off",
    "GATA_WEEKLY_TRAINING": "off",
    "GATA_DAILY_EXTRACT": "off",
    "GATA_DAILY_INFERENCE": "off",
}

# Runs launched from the webserver start at once in a subprocess: the instance's default
# QueuedRunCoordinator would leave them QUEUED, since no daemon runs beside the webserver.
# `nux` off: the UI's community sign-up dialog would pop up over whatever a test clicks.
LAUNCH_AT_ONCE = """\
run_coordinator:
  module: dagster.core.run_coordinator
  class: DefaultRunCoordinator
telemetry:
  enabled: false
nux:
  enabled: false
"""

# The daemon's sensors may request runs, but none is dequeued: a requested retrain stays
# QUEUED instead of training a model on the shared CPUs.
QUEUE_ONLY = """\
run_queue:
  max_concurrent_runs: 0
telemetry:
  enabled: false
"""


# The data half of the graph (groups extraction + preparation): what the integration tests
# materialize, since training would take minutes.
DATA_ASSETS = [
    "ticket_extract",
    "general_group",
    "low_volume_group",
    "general_train_set",
    "general_test_set",
    "low_volume_train_set",
    "low_volume_test_set",
]


def executable(name: str) -> str:
    """A console script of this interpreter's environment (not whatever PATH finds first)."""
    path = Path(sys.executable).parent / name
    assert path.exists(), f"{name} is installed next to {sys.executable}"
    return str(path)


def make_dagster_home(path: Path, instance_yaml: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "dagster.yaml").write_text(instance_yaml)
    return path


def make_gata_home(path: Path) -> Path:
    """A GATA_HOME whose SQLite ticket database holds the small ticket mix."""
    path.mkdir(parents=True, exist_ok=True)
    load_rows(ticket_engine(path), make_ticket_rows(TICKET_COUNTS))
    return path


def ticket_engine(gata_home: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{gata_home / 'tickets.db'}")


def dagster_env(dagster_home: Path, gata_home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATA_", "DAGSTER_"))}
    return {
        **env,
        "DAGSTER_HOME": str(dagster_home),
        "GATA_HOME": str(gata_home),
        "HF_HUB_OFFLINE": "1",
        **AUTOMATION_OFF,
        **extra,
    }


def _die_with_parent() -> None:
    """Runs in the child before exec: new session, and SIGTERM once pytest is gone."""
    os.setsid()
    libc_name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and libc_name:
        pr_set_pdeathsig = 1
        ctypes.CDLL(libc_name, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class BackgroundProcess:
    """A long-running command in its own process group, with its output in a log file."""

    def __init__(self, command: list[str], env: Mapping[str, str], log: Path):
        self.command = command
        self.log = log
        self.proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self, grace: float = 20) -> None:
        """SIGTERM the group (Dagster shuts its code servers down), then SIGKILL what is left."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=grace)
            if not _group_alive(self.proc.pid):
                return
        self.proc.wait(timeout=grace)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_until(
    condition: Callable[[], object],
    timeout: float,
    what: str,
    process: BackgroundProcess | None = None,
    interval: float = 1.0,
) -> object:
    """Poll `condition` until it returns something truthy; fail with the process's log."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if process is not None and not process.alive():
            raise AssertionError(f"{what}: process exited\n{process.tail()}")
        if time.monotonic() > deadline:
            tail = process.tail() if process else ""
            raise AssertionError(f"{what}: not within {timeout:.0f} s\n{tail}")
        time.sleep(interval)


LOCATIONS_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def location_loaded(graphql_url: str, location: str = "gata") -> bool:
    """True once the webserver answers GraphQL and has loaded the code location.

    A location that failed to load raises at once with Dagster's error, instead of waiting
    for the timeout.
    """
    try:
        reply = httpx.post(graphql_url, json={"query": LOCATIONS_QUERY}, timeout=10)
    except httpx.TransportError:
        return False
    if reply.status_code != 200:
        return False
    workspace = reply.json()["data"]["workspaceOrError"]
    for entry in workspace.get("locationEntries", []):
        if entry["name"] != location or entry["loadStatus"] != "LOADED":
            continue
        loaded = entry["locationOrLoadError"] or {}
        if loaded.get("__typename") == "PythonError":
            raise AssertionError(f"code location {location} failed: {loaded['message']}")
        return loaded.get("__typename") == "RepositoryLocation"
    return False
