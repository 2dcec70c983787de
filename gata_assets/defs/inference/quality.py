"""`routing_quality`: the stored predictions judged against the queues tickets ended in.

Agents' corrections reach gata through the help desk's labels: the incremental extract
replaces a re-routed ticket's old version, so joining every day's `batch_predictions` with the
latest `ticket_extract` measures live precision, recall and coverage per queue, the triage
rate and the re-routing rate (core/routing_quality.py). The numbers are float metadata, so
the asset's Plots tab in the Dagster UI charts them run over run; the per-queue table is in
the materialization. Nothing is written but the table's Parquet.
"""

import dagster as dg

from gata_assets.defs.inference.assets import batch_predictions
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.lifecycle_config import LifecycleConfig

EXTRACT = dg.AssetKey("ticket_extract")


@dg.asset(
    group_name="inference",
    deps=[batch_predictions, EXTRACT],
    kinds={"python", "parquet"},
    description="Live routing quality: every stored prediction against the queue the ticket "
    "ended in (per-queue precision, recall, coverage; triage and re-routing rates).",
)
def routing_quality(
    artifact_store: ArtifactStore, lifecycle: LifecycleConfig
) -> dg.MaterializeResult:
    import pandas as pd

    from gata_assets.core.model_groups import GENERAL
    from gata_assets.core.references import ExtractRef, ModelRef
    from gata_assets.core.routing_quality import routing_quality as measure
    from gata_assets.resources.refs_io_manager import latest_ref

    extract = latest_ref(artifact_store, EXTRACT, ExtractRef)
    keys = [k for k in artifact_store.list_keys("predictions/") if k.endswith(".parquet")]
    if extract is None or not keys:
        raise dg.Failure(
            description="nothing to judge yet: materialize ticket_extract and at least one "
            "day of batch_predictions first",
            allow_retries=False,
        )
    predictions = pd.concat(
        [artifact_store.read_parquet(artifact_store.uri(k)) for k in keys], ignore_index=True
    )
    final = artifact_store.read_parquet(extract.uri)[["ticket_id", "label", "category"]]
    quality = measure(predictions, final, lifecycle.quality_window_tickets)
    # What the routing-quality sensor compares live accuracy with.
    model = latest_ref(artifact_store, dg.AssetKey(GENERAL.model_asset), ModelRef)
    test_accuracy = float(model.metrics.get("accuracy", 0.0)) if model else 0.0
    stored = artifact_store.write_parquet(quality.per_queue, "quality/routing_quality.parquet")
    return dg.MaterializeResult(
        metadata={
            "tickets_judged": dg.MetadataValue.int(quality.tickets),
            "live_accuracy": dg.MetadataValue.float(quality.live_accuracy),
            "triage_rate": dg.MetadataValue.float(quality.triage_rate),
            "rerouting_rate": dg.MetadataValue.float(quality.rerouting_rate),
            "recent_tickets": dg.MetadataValue.int(quality.recent_tickets),
            "recent_accuracy": dg.MetadataValue.float(quality.recent_accuracy),
            "model_test_accuracy": dg.MetadataValue.float(test_accuracy),
            "model_version": dg.MetadataValue.text(model.model_version if model else ""),
            "per_queue": dg.MetadataValue.md(_markdown(quality.per_queue)),
            "prediction_days": dg.MetadataValue.int(len(keys)),
            "batch_id": dg.MetadataValue.text(extract.batch_id),
            "uri": dg.MetadataValue.path(stored.uri),
        }
    )


def _markdown(table) -> str:
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + " --- |" * len(table.columns)
    rows = [
        "| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])
