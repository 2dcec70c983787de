"""New-ticket sensor: retrain when enough tickets arrived, or their category mix drifted.

Cheap by design: one count (and max id) after the last extract's watermark, served by the
(updated_at, ticket_id) index, plus one grouped count when drift is worth judging. No scan of
ticket text. The run key is derived from the watermark and the newest ticket id, so a
restarted daemon (or a second evaluation of the same state) can never launch a duplicate.
"""

import json

import dagster as dg

from gata_assets.core.references import ExtractRef
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.ticket_db import TicketDatabase

EXTRACT = dg.AssetKey("ticket_extract")
RETRAIN_JOB = "retrain"
IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def evaluate_new_tickets(
    context: dg.SensorEvaluationContext,
    ticket_db: TicketDatabase,
    artifact_store: ArtifactStore,
    lifecycle: LifecycleConfig,
) -> dg.SensorResult | dg.SkipReason:
    from gata_assets.core.drift import total_variation
    from gata_assets.core.ticket_reader import Watermark

    previous = latest_ref(artifact_store, EXTRACT, ExtractRef)
    raw_mark = previous.watermark if previous else None
    watermark = Watermark.from_dict(raw_mark)
    reader = ticket_db.reader()
    try:
        count, max_id = reader.count_since(watermark)
        if count == 0:
            return dg.SkipReason(f"no tickets after watermark {raw_mark}")
        drift = None
        if previous and count >= lifecycle.retrain_drift_min_tickets:
            new_mix = reader.label_counts_since(watermark)
            drift = total_variation(previous.category_counts, new_mix)
    finally:
        reader.engine.dispose()
    reasons = []
    if count >= lifecycle.retrain_min_new_tickets:
        reasons.append(f"{count} new tickets >= {lifecycle.retrain_min_new_tickets}")
    if drift is not None and drift >= lifecycle.retrain_drift_threshold:
        reasons.append(f"category drift {drift:.3f} >= {lifecycle.retrain_drift_threshold}")
    state = {"watermark": raw_mark, "new_tickets": count, "max_id": max_id, "drift": drift}
    if not reasons:
        drift_text = f"drift {drift:.3f}" if drift is not None else "drift not judged"
        return dg.SensorResult(
            skip_reason=f"{count} new tickets (< {lifecycle.retrain_min_new_tickets}), "
            f"{drift_text}: not retraining yet",
            cursor=json.dumps(state, sort_keys=True),
        )
    # A retrain already under way (from this sensor, the weekly schedule or an image roll-out)
    # will extract these tickets; asking again would only queue an identical run behind it.
    running = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=RETRAIN_JOB, statuses=IN_FLIGHT), limit=1
    )
    if running:
        return dg.SkipReason(f"retraining run {running[0].run_id} is still in progress")
    mark = raw_mark or {"updated_at": "none", "ticket_id": 0}
    run_key = f"new-tickets:{mark['updated_at']}:{mark['ticket_id']}:{max_id}"
    request = dg.RunRequest(
        run_key=run_key,
        tags={
            "gata/trigger": "new_tickets",
            "gata/new_tickets": str(count),
            "gata/reason": "; ".join(reasons),
        },
    )
    return dg.SensorResult(
        run_requests=[request], cursor=json.dumps({**state, "requested": run_key}, sort_keys=True)
    )
