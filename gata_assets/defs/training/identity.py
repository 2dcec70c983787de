"""What names a model version, and what its reference keeps of the training.

The version id is chosen before gata-train runs, so it writes the id into the model card and
the stored model names itself; a reused training output keeps the name it was trained under.
Kept apart from procedure.py so the naming rules and the reference's contents read on their
own.
"""

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gata_assets.core.references import ModelRef, SplitRef
from gata_assets.resources.artifact_store import StoredArtifact

if TYPE_CHECKING:
    from gata_assets.defs.training.procedure import GroupTraining

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


def adopt_card_version(context: Any, identity: Identity, model_dir: Path) -> Identity:
    """A reused job's output (trained for the same inputs by an earlier run) names itself in
    its model card: keep that version, so one model never goes by two names."""
    from gata_assets.ml.model_card import read_card

    named = read_card(model_dir).model_version
    if not named or named == identity.model_version:
        return identity
    context.log.info(f"reused training output is {named}: registering it under that version")
    return replace(identity, model_version=named)


def model_ref(
    job: "GroupTraining",
    identity: Identity,
    stored: StoredArtifact,
    metrics: dict[str, Any],
    base_model: str,
    trainer_name: str,
    job_name: str,
) -> ModelRef:
    falls_back = job.fallback_because is not None
    return ModelRef(
        **stored.as_dict(),
        model_version=identity.model_version,
        group=job.group,
        batch_id=identity.batch_id,
        fallback=falls_back,
        fallback_label=job.fallback_label,
        fallback_reason=job.fallback_because,
        base_model="" if falls_back else base_model,
        data_sha256=identity.data_sha256,
        train_sha256=job.train_ref.sha256,
        test_sha256=job.test_ref.sha256,
        train_rows=job.train_ref.rows,
        test_rows=job.test_ref.rows,
        hyperparameters=identity.hyperparameters,
        metrics={k: metrics[k] for k in REF_METRICS if k in metrics},
        trainer="fallback" if falls_back else trainer_name,
        job_name=job_name,
    )
