"""Routing-quality sensor: retrain when live accuracy falls well below the test accuracy.

The `routing_quality` asset records, with each materialization, the live accuracy over the
last `GATA_QUALITY_WINDOW_TICKETS` judged tickets and the general model's test accuracy.
This sensor only reads that materialization (no data, no database): more than
`GATA_QUALITY_DROP_POINTS` percentage points below launches `retrain`, once per
materialization (its storage id is the run key), so a restarted daemon never repeats it.
"""

import dagster as dg

from gata_assets.resources.lifecycle_config import LifecycleConfig

QUALITY = dg.AssetKey("routing_quality")


def evaluate_routing_quality(
    context: dg.SensorEvaluationContext, lifecycle: LifecycleConfig
) -> dg.RunRequest | dg.SkipReason:
    records = context.instance.fetch_materializations(QUALITY, limit=1).records
    materialization = records[0].asset_materialization if records else None
    if materialization is None:
        return dg.SkipReason("routing_quality has not been materialized yet")
    meta = {k: v.value for k, v in materialization.metadata.items()}
    judged, live = int(meta.get("recent_tickets", 0)), float(meta.get("recent_accuracy", 0.0))
    test = float(meta.get("model_test_accuracy", 0.0))
    if judged < lifecycle.quality_window_tickets:
        return dg.SkipReason(
            f"only {judged} judged tickets (< {lifecycle.quality_window_tickets}): not judged yet"
        )
    drop = (test - live) * 100
    if drop <= lifecycle.quality_drop_points:
        return dg.SkipReason(
            f"live accuracy {live:.3f} vs test {test:.3f}: {drop:.1f} points down, "
            f"within {lifecycle.quality_drop_points}"
        )
    reason = (
        f"live accuracy {live:.3f} over the last {judged} tickets is {drop:.1f} points below "
        f"the test accuracy {test:.3f} of {meta.get('model_version', '')}"
    )
    context.log.info(reason)
    return dg.RunRequest(
        run_key=f"routing-quality:{records[0].storage_id}",
        tags={"gata/trigger": "routing_quality", "gata/reason": reason},
    )
