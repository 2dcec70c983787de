"""`dagster-daemon` with the sensors on: new tickets in the database request a retrain."""

from pathlib import Path

import dagster as dg
import pytest

from gata_assets.definitions import build_resources
from gata_assets.defs.extraction import ticket_extract
from gata_assets.settings import GataSettings
from gata_assets_tests.helpers import load_rows, make_ticket_rows
from gata_assets_tests.integration.dagster_processes import (
    QUEUE_ONLY,
    TICKETS,
    BackgroundProcess,
    dagster_env,
    executable,
    make_dagster_home,
    make_gata_home,
    ticket_engine,
    wait_until,
)

pytestmark = [
    pytest.mark.slow,
    # Raised inside dagster 1.13's own resource initialisation, not by gata's code.
    pytest.mark.filterwarnings("ignore:InitResourceContext.dagster_run is deprecated"),
]

SENSOR = "new_tickets_sensor"
NEW_TICKETS = {"billing": 15, "vpn": 15}
THRESHOLD = 20
# The daemon loads the workspace in a code server, then ticks each sensor: tens of seconds
# on a loaded 2-core machine.
REQUEST_TIMEOUT_S = 180


def test_daemon_sensor_requests_retrain_when_new_tickets_arrive(tmp_path: Path):
    dagster_home = make_dagster_home(tmp_path / "dagster_home", QUEUE_ONLY)
    gata_home = make_gata_home(tmp_path / "gata_home")

    # A first extraction sets the watermark the sensor counts new tickets from.
    resources = build_resources(GataSettings.from_env({"GATA_HOME": str(gata_home)}))
    first = dg.materialize([ticket_extract], resources=resources)
    assert first.success
    assert first.output_for_node("ticket_extract").rows == TICKETS

    # The tickets arrive before the daemon starts: a sensor that never ticked ticks at once,
    # whereas its next tick would come only after its 5-minute minimum interval.
    load_rows(ticket_engine(gata_home), make_ticket_rows(NEW_TICKETS, start_id=TICKETS + 1))

    env = dagster_env(
        dagster_home,
        gata_home,
        GATA_SENSORS="on",
        GATA_RETRAIN_MIN_NEW_TICKETS=str(THRESHOLD),
    )
    command = [executable("dagster-daemon"), "run", "-w", "workspace.yaml"]
    daemon = BackgroundProcess(command, env, tmp_path / "daemon.log")
    try:
        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            by_sensor = dg.RunsFilter(tags={"dagster/sensor_name": SENSOR})
            # A requested run is created NOT_STARTED, then submitted to the queue.
            [run] = wait_until(
                lambda: [
                    run
                    for run in instance.get_runs(filters=by_sensor)
                    if run.status != dg.DagsterRunStatus.NOT_STARTED
                ],
                REQUEST_TIMEOUT_S,
                f"{SENSOR} requests a run",
                daemon,
            )
            assert run.job_name == "retrain"
            assert run.tags["gata/trigger"] == "new_tickets"
            assert run.tags["gata/new_tickets"] == str(sum(NEW_TICKETS.values()))
            assert run.tags["dagster/run_key"].startswith("new-tickets:")
            assert f">= {THRESHOLD}" in run.tags["gata/reason"]
            # Requested, not executed: the queue admits no run, so nothing trains here.
            assert run.status == dg.DagsterRunStatus.QUEUED
            assert len(instance.get_runs()) == 1
    finally:
        daemon.stop()
