"""Jobs launched through Dagster's GraphQL API, as a script or another service would."""

import time

import dagster as dg
import pytest
from dagster_graphql import DagsterGraphQLClient

from gata_assets_tests.integration.dagster_processes import TICKETS

pytestmark = [
    pytest.mark.slow,
    # dagster-graphql 1.13 still calls gql's older execute() signature; not ours to fix.
    pytest.mark.filterwarnings("ignore:Using variable_values:DeprecationWarning"),
]

# A one-step job runs in tens of seconds; a loaded 2-core machine gets generous slack.
RUN_TIMEOUT_S = 240
TERMINAL = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def client(server) -> DagsterGraphQLClient:
    return DagsterGraphQLClient("127.0.0.1", port_number=server.port, timeout=60)


def wait_for_run(graphql: DagsterGraphQLClient, run_id: str, server) -> dg.DagsterRunStatus:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while (status := graphql.get_run_status(run_id)) not in TERMINAL:
        assert time.monotonic() < deadline, f"run {run_id} still {status}\n{server.process.tail()}"
        time.sleep(2)
    return status


def test_graphql_launch_runs_to_success(dagster_webserver):
    graphql = client(dagster_webserver)
    # refresh_extract is the daily schedule's job: the extract and its checks, no training.
    run_id = graphql.submit_job_execution(
        "refresh_extract", repository_location_name="gata", tags={"gata/test": "graphql"}
    )

    assert wait_for_run(graphql, run_id, dagster_webserver) == dg.DagsterRunStatus.SUCCESS
    with dg.DagsterInstance.from_config(str(dagster_webserver.dagster_home)) as instance:
        run = instance.get_run_by_id(run_id)
        assert run.job_name == "refresh_extract"
        assert run.tags["gata/test"] == "graphql"
        [materialization] = [
            record.asset_materialization
            for record in instance.fetch_materializations(
                dg.AssetKey("ticket_extract"), limit=100
            ).records
            if record.run_id == run_id
        ]
        assert materialization.metadata["dagster/row_count"].value == TICKETS
        checks = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        verdicts = {
            e.dagster_event.asset_check_evaluation_data.check_name: (
                e.dagster_event.asset_check_evaluation_data.passed
            )
            for e in checks
        }
        assert verdicts == {
            "ticket_extract_schema_and_text": True,
            "ticket_extract_unique_ids": True,
            "ticket_extract_category_drift": True,
        }


def test_graphql_failing_run_is_reported_as_failed(dagster_webserver):
    graphql = client(dagster_webserver)
    # Run config points the ticket database resource at a table that does not exist: the
    # extraction step fails the way a mis-mapped help-desk schema would.
    run_config = {
        "resources": {
            "ticket_db": {
                "config": {
                    "url": dagster_webserver.ticket_db_url,
                    "columns": {"ticket_table": "no_such_table"},
                }
            }
        }
    }
    run_id = graphql.submit_job_execution("refresh_extract", run_config=run_config)

    assert wait_for_run(graphql, run_id, dagster_webserver) == dg.DagsterRunStatus.FAILURE
    with dg.DagsterInstance.from_config(str(dagster_webserver.dagster_home)) as instance:
        [failure] = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
        assert failure.step_key == "ticket_extract"
        message = failure.dagster_event.step_failure_data.error.message
        assert "no table or view 'no_such_table'" in message
        assert instance.get_run_by_id(run_id).tags["dagster/failure_reason"] == "STEP_FAILURE"
