"""The prod promotion sensor: prod serves the newest approved, servable pair; every change runs.

A run key made of the version pair alone would be one Dagster has already seen whenever prod
goes back to a pair it served before (a rollback after `gata models reject`) or a failed
promotion is tried again, and Dagster would then launch nothing while the tick reported a
request. So the cursor counts transitions: each time the wanted pair differs from the one
last requested, the counter moves and the key is new. A request whose run failed (or ended
without prod serving the pair) is requested again on a later tick, up to MAX_ATTEMPTS, with
the failed run's reason in the tick's log; re-evaluating the same cursor (a daemon restart)
yields the same key, so nothing launches twice.
"""

from __future__ import annotations

import json
from typing import Any

import dagster as dg

from gata_assets.core.references import EndpointRef
from gata_assets.defs.automation.promotion import PROD
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import MODEL_ROLES
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.registry import ModelRegistry

MAX_ATTEMPTS = 3
RUN_KEY_TAG = "dagster/run_key"
ENDED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


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


def request(target: dict[str, str], serial: int, attempt: int, why: str) -> dg.SensorResult:
    config = {f"{role}_version": version for role, version in target.items()}
    tags = {"gata/trigger": "approval", "gata/attempt": str(attempt)}
    run = dg.RunRequest(
        run_key=run_key(target, serial, attempt),
        run_config={"ops": {"prod_endpoint": {"config": config}}},
        tags={**tags, **{f"gata/{k}": v for k, v in config.items()}},
    )
    cursor = {"target": target, "serial": serial, "attempt": attempt, "why": why}
    return dg.SensorResult(run_requests=[run], cursor=json.dumps(cursor, sort_keys=True))


def evaluate_approvals(
    context: dg.SensorEvaluationContext, registry: ModelRegistry, store: ArtifactStore
) -> dg.SensorResult | dg.SkipReason:
    newest = {role: registry.latest_servable(role, approved=True) for role in MODEL_ROLES}
    missing = [role for role, entry in newest.items() if entry is None]
    if missing:
        return dg.SkipReason(f"no approved servable {' / '.join(missing)} version yet")
    wanted = {role: entry.version for role, entry in newest.items() if entry is not None}
    prod = latest_ref(store, PROD, EndpointRef)
    if (prod.model_versions if prod else {}) == wanted:
        return dg.SkipReason(f"prod already serves {wanted}")
    state = read_cursor(context.cursor)
    if state["target"] != wanted:
        return request(wanted, state["serial"] + 1, 1, "a new pair to serve")
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
