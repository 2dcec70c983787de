"""Run-status sensors: every finished run publishes a lineage event (success or failure).

The event names the models (versions, metrics, data hash), endpoints and batch the run
produced, read from the run's own materializations and the references those assets wrote,
plus the verdict of every check in it, so a consumer can tell a gate that kept the champion
from a crash, and what the run cost (`cost`: its assets' recorded costs summed, see
run_costs.py). With no job list, a run-status sensor watches every job of this code location.
"""

from typing import Any

import dagster as dg

from gata_assets.defs.automation.run_costs import run_cost
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.cost_meter import CostMeter
from gata_assets.resources.events import EventSink
from gata_assets.resources.refs_io_manager import ref_key

MATERIALIZED = dg.DagsterEventType.ASSET_MATERIALIZATION
CHECKED = dg.DagsterEventType.ASSET_CHECK_EVALUATION
STEP_FAILED = dg.DagsterEventType.STEP_FAILURE


def _refs(instance: dg.DagsterInstance, run_id: str, store: ArtifactStore) -> dict[str, Any]:
    """Each asset the run materialized → the reference it wrote (its lineage)."""
    refs: dict[str, Any] = {}
    for entry in instance.all_logs(run_id, of_type=MATERIALIZED):
        materialization = entry.asset_materialization
        if materialization is None:
            continue
        name = materialization.asset_key.to_user_string()
        uri = store.uri(ref_key(materialization.asset_key, materialization.partition))
        refs[name] = store.read_json(uri) if store.exists(uri) else {}
    return refs


def _checks(instance: dg.DagsterInstance, run_id: str) -> list[dict[str, Any]]:
    found = []
    for entry in instance.all_logs(run_id, of_type=CHECKED):
        evaluation = entry.asset_check_evaluation
        if evaluation is not None:
            found.append(
                {
                    "asset": evaluation.asset_key.to_user_string(),
                    "check": evaluation.check_name,
                    "passed": bool(evaluation.passed),
                    "severity": evaluation.severity.value,
                    "description": evaluation.description,
                }
            )
    return found


def _error(context: dg.RunStatusSensorContext) -> str:
    """The run failure's message, followed by each failed step's own error."""
    parts = [context.dagster_event.message or "run failed"]
    for entry in context.instance.all_logs(context.dagster_run.run_id, of_type=STEP_FAILED):
        failure = entry.dagster_event.step_failure_data if entry.dagster_event else None
        if failure is None:
            continue
        # A dg.Failure's own sentence reads better than the exception's class and repr.
        said = failure.user_failure_data.description if failure.user_failure_data else None
        said = said or (failure.error.message.strip() if failure.error else "failed")
        parts.append(f"{entry.step_key}: {said}")
    return "\n".join(parts)


def publish_run_event(
    context: dg.RunStatusSensorContext,
    status: str,
    events: EventSink,
    store: ArtifactStore,
    meter: CostMeter,
) -> dict[str, Any]:
    from gata_assets.core.lifecycle_events import DETAIL_TYPES, run_event

    run = context.dagster_run
    refs = _refs(context.instance, run.run_id, store)
    detail = run_event(
        status=status,
        run_id=run.run_id,
        job_name=run.job_name,
        refs=refs,
        checks=_checks(context.instance, run.run_id),
        error=_error(context) if status == "failed" else None,
    )
    detail["cost"] = run_cost(context.instance, run.run_id, refs, meter, store)
    events.emit(DETAIL_TYPES[status], detail)
    context.log.info(f"published {DETAIL_TYPES[status]} for run {run.run_id}")
    return detail


def build_run_event_sensors(status: dg.DefaultSensorStatus) -> list[dg.SensorDefinition]:
    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        name="run_succeeded_events",
        default_status=status,
        description="Publish gata.run.succeeded with the run's lineage and cost.",
    )
    def run_succeeded_events(
        context: dg.RunStatusSensorContext,
        events: EventSink,
        artifact_store: ArtifactStore,
        cost_meter: CostMeter,
    ):
        publish_run_event(context, "succeeded", events, artifact_store, cost_meter)

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.FAILURE,
        name="run_failed_events",
        default_status=status,
        description="Publish gata.run.failed with the reason and what the run had produced.",
    )
    def run_failed_events(
        context: dg.RunStatusSensorContext,
        events: EventSink,
        artifact_store: ArtifactStore,
        cost_meter: CostMeter,
    ):
        publish_run_event(context, "failed", events, artifact_store, cost_meter)

    return [run_succeeded_events, run_failed_events]
