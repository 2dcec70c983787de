"""The procedure behind a model asset, kept out of the asset for readability.

Decides classifier or fallback, runs the trainer (or writes the fallback directory), stores
the model directory under `models/<group>/<model_version>` and returns the reference the
model checks and the deployment stage read.
"""

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.trainer import Trainer, TrainingConfig

# What the reference keeps of metrics.json (the full file stays in the model directory).
REF_METRICS = (
    "accuracy",
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


def data_sha256(train_ref: dict[str, Any], test_ref: dict[str, Any]) -> str:
    """One hash for the exact train+test bytes a model was trained and scored on."""
    return hashlib.sha256(f"{train_ref['sha256']}:{test_ref['sha256']}".encode()).hexdigest()


def model_version(
    group: str, batch_id: str, data_hash: str, hyperparameters: dict[str, Any], run_id: str
) -> str:
    """`<group>-<batch id>-<8 hex>`: readable, sortable by batch, unique per training run."""
    salt = json.dumps({"data": data_hash, "hps": hyperparameters, "run": run_id}, sort_keys=True)
    return f"{group}-{batch_id}-{hashlib.sha256(salt.encode()).hexdigest()[:8]}"


def fallback_reason(
    store: ArtifactStore,
    train_ref: dict,
    test_ref: dict,
    min_categories: int,
    min_per_category: int,
) -> str | None:
    """Why the group cannot train a classifier (None: it can), by the sufficiency rule."""
    import pandas as pd

    from gata_assets.core.quality import low_volume_sufficiency

    frame = pd.concat(
        [store.read_parquet(train_ref["uri"]), store.read_parquet(test_ref["uri"])],
        ignore_index=True,
    )
    verdict = low_volume_sufficiency(frame, min_categories, min_per_category)
    return None if verdict.sufficient else verdict.reason


def train_group_model(
    context: Any,
    *,
    group: str,
    train_ref: dict[str, Any],
    test_ref: dict[str, Any],
    trainer: Trainer,
    training: TrainingConfig,
    store: ArtifactStore,
    fallback_label: str,
    fallback_because: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the model reference, the trainer's own Dagster metadata)."""
    from gata_assets.ml.model_card import read_metrics

    batch_id = train_ref["batch_id"]
    data_hash = data_sha256(train_ref, test_ref)
    hyperparameters = training.hyperparameters(group)
    version = model_version(group, batch_id, data_hash, hyperparameters, context.run.run_id)
    card_fields = {
        "group": group,
        "model_version": version,
        "batch_id": batch_id,
        "data_sha256": data_hash,
        "fallback_label": fallback_label,
    }
    trainer_metadata: dict[str, Any] = {}
    job_name = ""
    with tempfile.TemporaryDirectory(prefix=f"gata-train-{group}-") as scratch:
        work = Path(scratch)
        if fallback_because is not None:
            from gata_assets.ml.train.fallback import write_fallback_model

            context.log.warning(
                f"{group}: {fallback_because}; materializing a fallback model that always "
                f"answers {fallback_label!r}"
            )
            model_dir = work / "model"
            write_fallback_model(
                model_dir,
                group=group,
                fallback_label=fallback_label,
                reason=fallback_because,
                model_version=version,
                batch_id=batch_id,
                data_sha256=data_hash,
            )
            base_model = ""
        else:
            result = trainer.train(
                context,
                group=group,
                train_ref=train_ref,
                test_ref=test_ref,
                hyperparameters={**hyperparameters, **card_fields},
                artifact_store=store,
                work_dir=work,
            )
            model_dir, trainer_metadata, job_name = (
                result.model_dir,
                result.metadata,
                result.job_name,
            )
            base_model = training.base_model
        metrics = read_metrics(model_dir)
        stored = store.put_dir(model_dir, f"models/{group}/{version}")
    ref = {
        **stored.as_dict(),
        "model_version": version,
        "group": group,
        "batch_id": batch_id,
        "fallback": fallback_because is not None,
        "fallback_label": fallback_label,
        "fallback_reason": fallback_because,
        "base_model": base_model,
        "data_sha256": data_hash,
        "train_sha256": train_ref["sha256"],
        "test_sha256": test_ref["sha256"],
        "train_rows": train_ref.get("rows"),
        "test_rows": test_ref.get("rows"),
        "hyperparameters": hyperparameters,
        "metrics": {k: metrics[k] for k in REF_METRICS if k in metrics},
        "trainer": type(trainer).__name__ if fallback_because is None else "fallback",
        "job_name": job_name,
    }
    return ref, trainer_metadata
