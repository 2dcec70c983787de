"""`batch_predictions`: every day's tickets routed through the served models, as Parquet.

Daily partitions (UTC) make a day the unit of scheduling, retry and backfill: re-running a
day rewrites exactly `predictions/<day>.parquet`, and a backfill of a range is one run per
day. The models it used are recorded per partition, so a prediction is traceable to a model
version and, through the registry, to the tickets that model was trained on.
"""

from typing import Any

import dagster as dg

from gata_assets.defs.common import REFS_IO_MANAGER, artifact_metadata, clear_failures
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import Deployer
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.registry import ModelRegistry
from gata_assets.resources.ticket_db import TicketDatabase

MODEL_ASSETS = {
    "general": dg.AssetKey("general_model"),
    "low_volume": dg.AssetKey("low_volume_model"),
}
DAILY = dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone="UTC")


def serving_models(registry: ModelRegistry, store: ArtifactStore) -> dict[str, dict[str, Any]]:
    """Per role, the newest approved version (what prod serves), else the newest trained."""
    models = {}
    for role, key in MODEL_ASSETS.items():
        approved = registry.latest_approved(role)
        if approved is not None:
            models[role] = {
                "uri": approved.artifact_uri,
                "model_version": approved.version,
                "source": "approved",
            }
        elif (ref := latest_ref(store, key)) is not None:
            models[role] = {**ref, "source": "latest trained"}
    if "general" not in models:
        raise dg.Failure(
            description="no general model to predict with: train one (materialize "
            "general_model) or approve a version (`gata models approve`)",
            allow_retries=False,
        )
    return models


@dg.asset(
    group_name="inference",
    partitions_def=DAILY,
    deps=list(MODEL_ASSETS.values()),
    io_manager_key=REFS_IO_MANAGER,
    kinds={"python", "parquet"},
    description="Tickets created on the partition's day (UTC), routed general → low-volume "
    "→ fallback by the served models; Parquet under predictions/<day>.parquet.",
)
def batch_predictions(
    context: dg.AssetExecutionContext,
    ticket_db: TicketDatabase,
    artifact_store: ArtifactStore,
    registry: ModelRegistry,
    pipeline: PipelineConfig,
    deployer: Deployer,
) -> dg.Output[dict]:
    from gata_assets.defs.inference.predict_day import predict_day

    window = context.partition_time_window
    models = serving_models(registry, artifact_store)
    reader = ticket_db.reader()
    try:
        with clear_failures():
            ref = predict_day(
                reader,
                artifact_store,
                models,
                context.partition_key,
                window.start,
                window.end,
                # The online router's threshold: batch and endpoint answer alike.
                deployer.min_confidence,
                pipeline.low_volume_fallback_label,
            )
    finally:
        reader.engine.dispose()
    context.log.info(
        f"{context.partition_key}: {ref['rows']} tickets, fallback rate {ref['fallback_rate']:.1%}"
        f", models {ref['model_versions']}"
    )
    return dg.Output(
        ref,
        metadata={
            **artifact_metadata(ref),
            "dagster/row_count": dg.MetadataValue.int(ref["rows"]),
            "fallback_rate": dg.MetadataValue.float(ref["fallback_rate"]),
            "category_distribution": dg.MetadataValue.json(ref["category_counts"]),
            "route_counts": dg.MetadataValue.json(ref["route_counts"]),
            "model_versions": dg.MetadataValue.json(ref["model_versions"]),
            "model_sources": dg.MetadataValue.json(ref["model_sources"]),
        },
    )
