"""The procedure behind a model asset, kept out of the asset for readability.

Decides classifier or fallback, runs the trainer (or writes the fallback directory), stores
the model directory under `models/<group>/<model_version>` and returns the `ModelRef` the
model checks, the gate and the deployment stage read.
"""

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gata_assets.core.references import ModelRef, SplitRef
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.trainer import Trainer, TrainingConfig, TrainingResult

# What the reference keeps of metrics.json (the full file stays in the model directory).
# Not per-queue results: these go into the registry too; the asset's report reads the file.
REF_METRICS = (
    "accuracy",
    "calibration",
    "macro_f1",
    "weighted_f1",
    "per_class_f1",
    "train_seconds",
    "samples_per_second",
    "test_samples",
    "train_samples",
    "epochs",
    "steps",
    "final_loss",
    "device",
    "precision",
    "num_threads",
    "resumed_from_step",
    "fallback",
    "reason",
)


@dataclass(frozen=True)
class GroupTraining:
    """One group's training request: its split, and whether (and why) it falls back."""

    group: str
    train_ref: SplitRef
    test_ref: SplitRef
    fallback_label: str
    fallback_because: str | None = None


@dataclass(frozen=True)
class Identity:
    """What names a model: fixed before training so gata-train writes it into the card."""

    model_version: str
    batch_id: str
    data_sha256: str
    hyperparameters: dict[str, Any]


def data_sha256(train_ref: SplitRef, test_ref: SplitRef) -> str:
    """One hash for the exact train+test bytes a model was trained and scored on."""
    return hashlib.sha256(f"{train_ref.sha256}:{test_ref.sha256}".encode()).hexdigest()


def model_version(
    group: str, batch_id: str, data_hash: str, hyperparameters: dict[str, Any], run_id: str
) -> str:
    """`<group>-<batch id>-<8 hex>`: readable, sortable by batch, unique per training run."""
    salt = json.dumps({"data": data_hash, "hps": hyperparameters, "run": run_id}, sort_keys=True)
    return f"{group}-{batch_id}-{hashlib.sha256(salt.encode()).hexdigest()[:8]}"


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


def adopt_card_version(context: Any, identity: Identity, model_dir: Path) -> Identity:
    """A reused job's output (trained for the same inputs by an earlier run) names itself in
    its model card: keep that version, so one model never goes by two names."""
    from dataclasses import replace

    from gata_assets.ml.model_card import read_card

    named = read_card(model_dir).model_version
    if not named or named == identity.model_version:
        return identity
    context.log.info(f"reused training output is {named}: registering it under that version")
    return replace(identity, model_version=named)


def train_group_model(
    context: Any,
    job: GroupTraining,
    trainer: Trainer,
    training: TrainingConfig,
    store: ArtifactStore,
) -> tuple[ModelRef, dict[str, Any], dict[str, Any]]:
    """(the model reference, the trainer's own Dagster metadata, the whole metrics.json)."""
    from gata_assets.ml.model_card import read_metrics

    identity = identify(job, training, context.run.run_id)
    falls_back = job.fallback_because is not None
    trainer_metadata: dict[str, Any] = {}
    job_name = ""
    with tempfile.TemporaryDirectory(prefix=f"gata-train-{job.group}-") as scratch:
        work = Path(scratch)
        if falls_back:
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
    ref = ModelRef(
        **stored.as_dict(),
        model_version=identity.model_version,
        group=job.group,
        batch_id=identity.batch_id,
        fallback=falls_back,
        fallback_label=job.fallback_label,
        fallback_reason=job.fallback_because,
        base_model="" if falls_back else training.base_model,
        data_sha256=identity.data_sha256,
        train_sha256=job.train_ref.sha256,
        test_sha256=job.test_ref.sha256,
        train_rows=job.train_ref.rows,
        test_rows=job.test_ref.rows,
        hyperparameters=identity.hyperparameters,
        metrics={k: metrics[k] for k in REF_METRICS if k in metrics},
        trainer="fallback" if falls_back else type(trainer).__name__,
        job_name=job_name,
    )
    return ref, trainer_metadata, metrics
