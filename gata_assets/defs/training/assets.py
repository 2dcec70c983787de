"""`general_model` / `low_volume_model`: one factory, called once per model group.

Each reads its group's train and test set references, trains through the `trainer` resource
(local Pipes subprocess or SageMaker job; same gata-train either way) and returns a reference
to the stored model directory. The two assets are independent, so a run with the multiprocess
executor trains them in parallel. With tracking on (the `tracking` resource, set by
GATA_MLFLOW_TRACKING_URI) each materialization is one MLflow run, whose id the metadata and
the `gata/mlflow_run_id` tag carry.

Fallback: when a group that may fall back (`ModelGroup.may_fall_back`: the low-volume one)
fails the sufficiency rule (`pipeline` thresholds), its asset still materializes: a constant
model that always answers `low_volume_fallback_label`, flagged in metadata, tags and
description. Not a crash, not a silent skip.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import dagster as dg

from gata_assets.core.cost_estimates import reused_estimate
from gata_assets.core.model_groups import MODEL_GROUPS, ModelGroup
from gata_assets.core.references import ModelRef, SplitRef
from gata_assets.defs.common import REFS_IO_MANAGER, artifact_metadata, lineage_metadata
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.cost_meter import CostMeter, cost_metadata
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.tracking import ExperimentTracker, TrackedRun
from gata_assets.resources.trainer import Trainer, TrainingConfig

if TYPE_CHECKING:
    from gata_assets.defs.training.procedure import TrainedModel


def report_metadata(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """`report` (per-queue table, most confused pairs) and `report_chart` (an inline PNG)."""
    from gata_assets.ml.model_report import report_chart_markdown, report_markdown

    metadata = {"report": dg.MetadataValue.md(report_markdown(metrics))}
    chart = report_chart_markdown(metrics)
    if chart is not None:
        metadata["report_chart"] = dg.MetadataValue.md(chart)
    return metadata


def calibration_metadata(calibration: Mapping[str, Any]) -> dict[str, Any]:
    """The threshold chosen for a target precision and what it is expected to route."""
    if "threshold" not in calibration:
        return {}
    return {
        "routing_threshold": dg.MetadataValue.float(float(calibration["threshold"])),
        "target_precision": dg.MetadataValue.float(float(calibration["target_precision"])),
        "expected_coverage": dg.MetadataValue.float(float(calibration["expected_coverage"])),
        "expected_precision": dg.MetadataValue.float(float(calibration["expected_precision"])),
        "test_coverage_at_threshold": dg.MetadataValue.float(float(calibration["test_coverage"])),
        "test_precision_at_threshold": dg.MetadataValue.float(float(calibration["test_precision"])),
        "temperature": dg.MetadataValue.float(float(calibration["temperature"])),
        "calibration_error": dg.MetadataValue.float(float(calibration["ece_after"])),
    }


def tracking_metadata(tracked: TrackedRun | None) -> dict[str, Any]:
    """The MLflow run the model was logged to (and a link to it on a tracking server)."""
    if tracked is None:
        return {}
    metadata = {"mlflow_run_id": dg.MetadataValue.text(tracked.run_id)}
    if tracked.url:
        metadata["mlflow_run"] = dg.MetadataValue.url(tracked.url)
    return metadata


def model_metadata(
    ref: ModelRef,
    trainer_metadata: dict[str, Any],
    evaluation: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`evaluation`: the whole metrics.json, whose per-queue results the reference lacks."""
    metrics = ref.metrics
    metadata: dict[str, Any] = {
        **trainer_metadata,
        **artifact_metadata(ref),
        **lineage_metadata(ref.batch_id),
        "model_version": dg.MetadataValue.text(ref.model_version),
        "fallback": dg.MetadataValue.bool(ref.fallback),
        "base_model": dg.MetadataValue.text(ref.base_model or "none (fallback)"),
        "data_sha256": dg.MetadataValue.text(ref.data_sha256),
        "train_seconds": dg.MetadataValue.float(float(metrics.get("train_seconds") or 0.0)),
        "samples_per_second": dg.MetadataValue.float(
            float(metrics.get("samples_per_second") or 0.0)
        ),
        "trainer": dg.MetadataValue.text(ref.trainer),
    }
    if ref.fallback:
        metadata["fallback_reason"] = dg.MetadataValue.md(
            f"**Fallback model**: always answers `{ref.fallback_label}`. "
            f"Reason: {ref.fallback_reason}."
        )
        return metadata
    metadata.update(
        {
            "accuracy": dg.MetadataValue.float(float(metrics["accuracy"])),
            "macro_f1": dg.MetadataValue.float(float(metrics["macro_f1"])),
            "per_class_f1": dg.MetadataValue.json(metrics.get("per_class_f1", {})),
            "epochs": dg.MetadataValue.int(int(ref.hyperparameters["epochs"])),
            "hyperparameters": dg.MetadataValue.json(ref.hyperparameters),
            **calibration_metadata(metrics.get("calibration") or {}),
        }
    )
    # First, so the asset page opens on the per-queue table rather than on job details.
    return {**report_metadata(evaluation or metrics), **metadata}


def model_output(trained: "TrainedModel") -> dg.Output[ModelRef]:
    """The reference with its metadata; tags name the version (and its MLflow run)."""
    ref = trained.ref
    tags = {
        "gata/model_kind": "fallback" if ref.fallback else "classifier",
        "gata/model_version": ref.model_version,
    }
    if trained.tracked is not None:
        tags["gata/mlflow_run_id"] = trained.tracked.run_id
    return dg.Output(
        ref,
        metadata={
            **model_metadata(ref, trained.trainer_metadata, trained.evaluation),
            **tracking_metadata(trained.tracked),
        },
        tags=tags,
    )


def build_model_asset(group: ModelGroup) -> dg.AssetsDefinition:
    @dg.asset(
        name=group.model_asset,
        group_name="training",
        kinds={"pytorch", "huggingface"},
        io_manager_key=REFS_IO_MANAGER,
        ins={
            "train_set": dg.AssetIn(key=group.train_asset),
            "test_set": dg.AssetIn(key=group.test_asset),
        },
        description=group.model_description,
        tags={"gata/group": group.name},
    )
    def model(
        context: dg.AssetExecutionContext,
        train_set: SplitRef,
        test_set: SplitRef,
        trainer: Trainer,
        training: TrainingConfig,
        artifact_store: ArtifactStore,
        pipeline: PipelineConfig,
        tracking: ExperimentTracker,
        cost_meter: CostMeter,
    ) -> dg.Output[ModelRef]:
        from gata_assets.defs.training.procedure import (
            GroupTraining,
            fallback_reason,
            train_group_model,
        )

        because = None
        if group.may_fall_back:
            because = fallback_reason(
                artifact_store,
                train_set,
                test_set,
                pipeline.low_volume_min_categories,
                pipeline.low_volume_min_per_category,
            )
        job = GroupTraining(
            group=group.name,
            train_ref=train_set,
            test_ref=test_set,
            fallback_label=pipeline.low_volume_fallback_label,
            fallback_because=because,
        )
        trained = train_group_model(context, job, trainer, training, artifact_store, tracking)
        ref = trained.ref
        if not ref.fallback:
            metrics = ref.metrics
            context.log.info(
                f"{group.model_asset} {ref.model_version}: accuracy {metrics['accuracy']:.4f}, "
                f"macro-F1 {metrics['macro_f1']:.4f}, {metrics.get('train_seconds', 0):.0f}s"
            )
        output = model_output(trained)
        # What its training job cost (0.0 locally, or when this run reused a completed job
        # someone already paid for); the run's completion event sums it.
        origin = output.metadata.get("job_origin")
        if getattr(origin, "value", origin) == "reused":
            cost = cost_metadata(reused_estimate(ref.job_name))
        else:
            cost = cost_metadata(cost_meter.training_cost(ref.job_name))
        return output.with_metadata({**output.metadata, **cost})

    return model


model_assets = [build_model_asset(group) for group in MODEL_GROUPS]
