"""The procedure behind a model asset, kept out of the asset for readability.

Decides classifier or fallback, runs the trainer (or writes the fallback directory), stores
the model directory under `models/<group>/<model_version>`, logs it to the experiment
tracker while the directory is still local, and returns the `ModelRef` the model checks,
the gate and the deployment stage read.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gata_assets.core.references import ModelRef, SplitRef
from gata_assets.defs.training.identity import (
    Identity,
    adopt_card_version,
    data_sha256,
    model_ref,
    model_version,
)
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.tracking import ExperimentTracker, TrackedRun
from gata_assets.resources.trainer import Trainer, TrainingConfig, TrainingResult


@dataclass(frozen=True)
class GroupTraining:
    """One group's training request: its split, and whether (and why) it falls back."""

    group: str
    train_ref: SplitRef
    test_ref: SplitRef
    fallback_label: str
    fallback_because: str | None = None


def fallback_reason(
    store: ArtifactStore,
    train_ref: SplitRef,
    test_ref: SplitRef,
    min_categories: int,
    min_per_category: int,
) -> str | None:
    """Why the group cannot train a classifier (None: it can), by the sufficiency rule."""
    import pandas as pd

    from gata_assets.core.quality import low_volume_sufficiency

    frame = pd.concat(
        [store.read_parquet(train_ref.uri), store.read_parquet(test_ref.uri)],
        ignore_index=True,
    )
    verdict = low_volume_sufficiency(frame, min_categories, min_per_category)
    return None if verdict.sufficient else verdict.reason


def identify(job: GroupTraining, training: TrainingConfig, run_id: str) -> Identity:
    batch_id = job.train_ref.batch_id
    data_hash = data_sha256(job.train_ref, job.test_ref)
    hyperparameters = training.hyperparameters(job.group)
    version = model_version(job.group, batch_id, data_hash, hyperparameters, run_id)
    return Identity(version, batch_id, data_hash, hyperparameters)


def write_fallback(context: Any, job: GroupTraining, identity: Identity, work: Path) -> Path:
    from gata_assets.ml.train.fallback import write_fallback_model

    context.log.warning(
        f"{job.group}: {job.fallback_because}; materializing a fallback model that always "
        f"answers {job.fallback_label!r}"
    )
    model_dir = work / "model"
    write_fallback_model(
        model_dir,
        group=job.group,
        fallback_label=job.fallback_label,
        reason=str(job.fallback_because),
        model_version=identity.model_version,
        batch_id=identity.batch_id,
        data_sha256=identity.data_sha256,
    )
    return model_dir


def run_trainer(
    context: Any,
    job: GroupTraining,
    identity: Identity,
    trainer: Trainer,
    store: ArtifactStore,
    work: Path,
) -> TrainingResult:
    # gata-train writes these into the model card, so the stored model names itself.
    card_fields = {
        "group": job.group,
        "model_version": identity.model_version,
        "batch_id": identity.batch_id,
        "data_sha256": identity.data_sha256,
        "fallback_label": job.fallback_label,
        "redact_pii": job.train_ref.redact_pii,
    }
    return trainer.train(
        context,
        group=job.group,
        train_ref=job.train_ref,
        test_ref=job.test_ref,
        hyperparameters={**identity.hyperparameters, **card_fields},
        artifact_store=store,
        work_dir=work,
    )


@dataclass(frozen=True)
class TrainedModel:
    """What a model asset reports: its reference, the trainer's own Dagster metadata, the
    whole metrics.json, and the tracking run it was logged to (None: tracking off)."""

    ref: ModelRef
    trainer_metadata: dict[str, Any]
    evaluation: dict[str, Any]
    tracked: TrackedRun | None = None


def train_group_model(
    context: Any,
    job: GroupTraining,
    trainer: Trainer,
    training: TrainingConfig,
    store: ArtifactStore,
    tracker: ExperimentTracker | None = None,
) -> TrainedModel:
    from gata_assets.ml.model_card import read_metrics

    identity = identify(job, training, context.run.run_id)
    trainer_metadata: dict[str, Any] = {}
    job_name = ""
    with tempfile.TemporaryDirectory(prefix=f"gata-train-{job.group}-") as scratch:
        work = Path(scratch)
        if job.fallback_because is not None:
            model_dir = write_fallback(context, job, identity, work)
        else:
            result = run_trainer(context, job, identity, trainer, store, work)
            model_dir, trainer_metadata, job_name = (
                result.model_dir,
                result.metadata,
                result.job_name,
            )
            identity = adopt_card_version(context, identity, model_dir)
        metrics = read_metrics(model_dir)
        stored = store.put_dir(model_dir, f"models/{job.group}/{identity.model_version}")
        trained_by = (training.base_model, type(trainer).__name__, job_name)
        ref = model_ref(job, identity, stored, metrics, *trained_by)
        # Logged while the model directory is still here: on AWS only the S3 copy remains.
        tracked = tracker.log_training(context, ref, metrics, model_dir) if tracker else None
    return TrainedModel(ref, trainer_metadata, metrics, tracked)
