"""`batch_predictions`: every day's tickets routed through the served models, as Parquet.

Daily partitions (UTC) make a day the unit of scheduling, retry and backfill: re-running a
day rewrites exactly `predictions/<day>.parquet`, and a backfill of a range is one run per
day. The models it used are recorded per partition, so a prediction is traceable to a model
version and, through the registry, to the tickets that model was trained on. Where the
routing runs (here, or a SageMaker Batch Transform job for a big day on AWS) is the
`batch_scoring` resource's choice; the metadata says which, and what a job cost in time.
"""

import dagster as dg

from gata_assets.core.model_groups import GENERAL, MODEL_GROUPS
from gata_assets.core.references import ModelRef, PredictionsRef, ServingModel
from gata_assets.defs.common import REFS_IO_MANAGER, artifact_metadata, clear_failures
from gata_assets.defs.deployment.serving import from_entry, servable_model
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.batch_scoring import BatchScoring, BatchScoringError
from gata_assets.resources.cost_meter import CostMeter
from gata_assets.resources.deployer import Deployer
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.registry import ModelRegistry
from gata_assets.resources.ticket_db import TicketDatabase

MODEL_ASSETS = {group.name: dg.AssetKey(group.model_asset) for group in MODEL_GROUPS}
DAILY = dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone="UTC")


def serving_models(registry: ModelRegistry, store: ArtifactStore, log) -> dict[str, ServingModel]:
    """Per role, the newest approved servable version (what prod serves), else the newest
    trained one if servable, else the newest servable one. Never an unchecked version."""
    models = {}
    for role, key in MODEL_ASSETS.items():
        approved = registry.latest_servable(role, approved=True)
        if approved is not None:
            models[role] = from_entry(approved, source="approved")
        elif chosen := servable_model(role, latest_ref(store, key, ModelRef), registry, log):
            models[role] = chosen
    if GENERAL.name not in models:
        raise dg.Failure(
            description="no servable general model to predict with: train one whose blocking "
            "checks pass (materialize general_model; `gata models list` shows each verdict)",
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
    batch_scoring: BatchScoring,
    cost_meter: CostMeter,
) -> dg.Output[PredictionsRef]:
    from gata_assets.defs.inference.endpoint_cost import endpoint_day_metadata
    from gata_assets.defs.inference.predict_day import score_day

    window = context.partition_time_window
    models = serving_models(registry, artifact_store, context.log)
    reader = ticket_db.reader()
    try:
        with clear_failures():
            scored = score_day(
                reader,
                artifact_store,
                models,
                context.partition_key,
                window.start,
                window.end,
                # The online router's threshold: batch and endpoint answer alike.
                deployer.min_confidence,
                pipeline.low_volume_fallback_label,
                scoring=batch_scoring,
                log=context.log,
                redact_pii=pipeline.redact_pii,
            )
    except BatchScoringError as error:
        raise dg.Failure(description=str(error)) from None
    finally:
        reader.engine.dispose()
    ref = scored.ref
    context.log.info(
        f"{context.partition_key}: {ref.rows} tickets, fallback rate {ref.fallback_rate:.1%}"
        f", models {ref.model_versions}"
    )
    return dg.Output(
        ref,
        metadata={
            **artifact_metadata(ref),
            "dagster/row_count": dg.MetadataValue.int(ref.rows),
            "fallback_rate": dg.MetadataValue.float(ref.fallback_rate),
            "category_distribution": dg.MetadataValue.json(ref.category_counts),
            "route_counts": dg.MetadataValue.json(ref.route_counts),
            "model_versions": dg.MetadataValue.json(ref.model_versions),
            "model_sources": dg.MetadataValue.json(ref.model_sources),
            "batch_id": dg.MetadataValue.text(ref.batch_id),
            "data_sha256": dg.MetadataValue.text(ref.data_sha256),
            # "in_process", or the transform job: name, ARN, instances, billable seconds.
            **scored.scoring,
            # The day's serverless endpoint compute, plus the transform job's instances.
            **endpoint_day_metadata(
                cost_meter,
                artifact_store,
                context.partition_key,
                transform_cost(cost_meter, scored),
            ),
        },
    )


def transform_cost(meter: CostMeter, scored):
    """What the day's Batch Transform job cost, or None when it ran in process or reused a
    completed job's output (nothing was billed again)."""
    prefix = "batch_transform/"
    job = {k[len(prefix) :]: v for k, v in scored.scoring.items() if k.startswith(prefix)}
    if not job or job.get("origin") == "reused":
        return None
    # billable_seconds already counts every instance (batch_transform_io.billable_seconds).
    return meter.transform_cost(job["instance_type"], 1, float(job["billable_seconds"]))
