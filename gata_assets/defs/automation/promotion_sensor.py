"""The prod promotion sensor: prod serves the newest approved, servable pair; every change runs.

A run key made of the version pair alone would be one Dagster has already seen whenever prod
goes back to a pair it served before (a rollback after `gata models reject`) or a failed
promotion is tried again, and Dagster would then launch nothing while the tick reported a
request. So the cursor counts transitions: each time the wanted pair differs from the one
last requested, the counter moves and the key is new. A request whose run failed (or ended
without prod serving the pair) is requested again on a later tick, up to MAX_ATTEMPTS, with
the failed run's reason in the tick's log; re-evaluating the same cursor (a daemon restart)
yields the same key, so nothing launches twice.

Dagster drops a repeated run key only within one sensor, and the approval-queue sensor
(`approval_queue_sensor.py`) promotes the same pairs from SageMaker's approval events. So
neither requests a pair while a promote_prod run for it is in flight, whoever asked
(`promotion_in_flight`), and when prod serves a pair this sensor did not ask for, the cursor
takes it as the last transition (attempt 0), so a later rollback to the old pair is a new key
rather than a "failed" retry of a run that succeeded.
"""

from __future__ import annotations

import json
from typing import Any

import dagster as dg

from gata_assets.core.references import EndpointRef
from gata_assets.defs.automation.jobs import promote_prod_job
from gata_assets.defs.automation.promotion import PROD
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import MODEL_ROLES
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.registry import ModelRegistry

MAX_ATTEMPTS = 3
RUN_KEY_TAG = "dagster/run_key"
ENDED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
IN_FLIGHT = [status for status in dg.DagsterRunStatus if status not in ENDED]


def run_key(target: dict[str, str], serial: int, attempt: int) -> str:
    pair = ":".join(target[role] for role in MODEL_ROLES)
    return f"promote:{serial}:{pair}" + (f":retry{attempt - 1}" if attempt > 1 else "")


def read_cursor(cursor: str | None) -> dict[str, Any]:
    state = json.loads(cursor) if cursor else {}
    if state and "target" not in state:  # the cursor before transitions were counted
        state = {"target": state, "serial": 0, "attempt": 1}
    return {"target": None, "serial": 0, "attempt": 0, **state}


def failure_reason(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str:
    """The failed step's own sentence, else the run's status."""
    for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        failure = entry.dagster_event.step_failure_data if entry.dagster_event else None
        if failure is not None and failure.user_failure_data is not None:
            return failure.user_failure_data.description or "failed"
        if failure is not None and failure.error is not None:
            return failure.error.message.strip()
    return f"run {run.run_id} ended {run.status.value}"


def pair_tags(target: dict[str, str]) -> dict[str, str]:
    return {f"gata/{role}_version": version for role, version in target.items()}


def promotion_in_flight(
    instance: dg.DagsterInstance, target: dict[str, str]
) -> dg.DagsterRun | None:
    """A promote_prod run for this pair that has not ended, whichever sensor asked for it."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            job_name=promote_prod_job.name, tags=pair_tags(target), statuses=IN_FLIGHT
        ),
        limit=1,
    )
    return runs[0] if runs else None


def wanted_pair(registry: ModelRegistry) -> dict[str, str] | dg.SkipReason:
    """Per role the newest approved, servable version: the pair prod should serve."""
    newest = {role: registry.latest_servable(role, approved=True) for role in MODEL_ROLES}
    missing = [role for role, entry in newest.items() if entry is None]
    if missing:
        return dg.SkipReason(f"no approved servable {' / '.join(missing)} version yet")
    return {role: entry.version for role, entry in newest.items() if entry is not None}


def serving(store: ArtifactStore) -> dict[str, str]:
    prod = latest_ref(store, PROD, EndpointRef)
    return prod.model_versions if prod else {}


def request(target: dict[str, str], serial: int, attempt: int, why: str) -> dg.SensorResult:
    config = {f"{role}_version": version for role, version in target.items()}
    tags = {"gata/trigger": "approval", "gata/attempt": str(attempt)}
    run = dg.RunRequest(
        run_key=run_key(target, serial, attempt),
        run_config={"ops": {"prod_endpoint": {"config": config}}},
        tags={**tags, **pair_tags(target)},
    )
    cursor = {"target": target, "serial": serial, "attempt": attempt, "why": why}
    return dg.SensorResult(run_requests=[run], cursor=json.dumps(cursor, sort_keys=True))


def evaluate_approvals(
    context: dg.SensorEvaluationContext, registry: ModelRegistry, store: ArtifactStore
) -> dg.SensorResult | dg.SkipReason:
    wanted = wanted_pair(registry)
    if isinstance(wanted, dg.SkipReason):
        return wanted
    state = read_cursor(context.cursor)
    if serving(store) == wanted:
        return served(state, wanted)
    # Attempt 0: a pair prod served without this sensor's asking, and no longer does.
    if state["target"] != wanted or state["attempt"] == 0:
        running = promotion_in_flight(context.instance, wanted)
        if running is not None:
            return dg.SkipReason(f"promotion of {wanted} already requested: run {running.run_id}")
        if state["target"] != wanted:
            return request(wanted, state["serial"] + 1, 1, "a new pair to serve")
        return request(wanted, state["serial"], 1, "prod no longer serves it")
    key = run_key(wanted, state["serial"], state["attempt"])
    runs = context.instance.get_runs(filters=dg.RunsFilter(tags={RUN_KEY_TAG: key}), limit=1)
    if not runs or runs[0].status not in ENDED:
        return dg.SkipReason(f"promotion of {wanted} already requested ({key}); not ended yet")
    # Ended, and prod still does not serve the pair: the promotion failed.
    reason = failure_reason(context.instance, runs[0])
    if state["attempt"] >= MAX_ATTEMPTS:
        return dg.SkipReason(
            f"promotion of {wanted} failed {state['attempt']} times, not retrying (last: "
            f"{reason}); approve or reject a version to try again"
        )
    context.log.warning(f"promotion run {runs[0].run_id} ({key}) failed: {reason}; retrying")
    return request(wanted, state["serial"], state["attempt"] + 1, f"retry after: {reason}")


def served(state: dict[str, Any], wanted: dict[str, str]) -> dg.SkipReason | dg.SensorResult:
    skip = dg.SkipReason(f"prod already serves {wanted}")
    if state["target"] in (None, wanted):
        return skip
    # Moved there by the approval-queue sensor (or by hand): that is the last transition now.
    cursor = {"target": wanted, "serial": state["serial"] + 1, "attempt": 0, "why": "served"}
    return dg.SensorResult(skip_reason=skip, cursor=json.dumps(cursor, sort_keys=True))
