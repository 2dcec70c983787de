"""The model directory contract shared by gata-train, gata-serve and the model assets.

A gata model directory (SageMaker's `/opt/ml/model`, later `model.tar.gz`) holds:

    gata_model.json     ModelCard: kind ("classifier" | "fallback"), group, version, base model,
                        max_length, fallback label, data hash, batch id
    labels.json         [{"index": 0, "label": 12, "category": "billing"}, ...]: output
                        index <-> help-desk queue id <-> category name
    metrics.json        accuracy, macro_f1, per-class F1, confusion matrix, train seconds...
    config.json, model.safetensors, tokenizer files     (classifier only; Hugging Face format)

A fallback model has no weights: it always answers `fallback_label` with confidence 1.0.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

CARD_FILE = "gata_model.json"
LABELS_FILE = "labels.json"
METRICS_FILE = "metrics.json"
MAX_POSITIONS = 512  # BERT's position embeddings: a longer max_length cannot run


class InvalidModelCard(ValueError):
    """A model directory whose card or label map no server could use."""


@dataclass(frozen=True)
class LabelEntry:
    index: int
    label: int | None
    category: str


@dataclass(frozen=True)
class ModelCard:
    kind: Literal["classifier", "fallback"]
    group: str
    model_version: str = ""
    base_model: str = ""
    max_length: int = 128
    fallback_label: str = "triage"
    data_sha256: str = ""
    batch_id: str = ""
    temperature: float = 1.0
    """Logits are divided by it before the softmax (calibration.py; 1: uncalibrated)."""
    min_confidence: float | None = None
    """Chosen on held-out data for a target precision; None: the deployment's setting."""
    redact_pii: bool = False
    """Trained on masked text, so requests are masked the same way (False: a card written
    before masking existed, whose model saw raw text)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """What makes this card unusable; checked on every read, so a server refuses to start."""
        found = []
        if self.kind not in ("classifier", "fallback"):
            found.append(f"kind {self.kind!r} is neither 'classifier' nor 'fallback'")
        if not isinstance(self.group, str) or not self.group:
            found.append("group must be a non-empty string")
        if (
            isinstance(self.max_length, bool)
            or not isinstance(self.max_length, int)
            or not 1 <= self.max_length <= MAX_POSITIONS
        ):
            found.append(f"max_length {self.max_length!r} must be an integer 1..{MAX_POSITIONS}")
        if not isinstance(self.temperature, int | float) or not self.temperature > 0:
            found.append("temperature must be a positive number")
        if self.min_confidence is not None and not 0 <= self.min_confidence <= 1.000001:
            found.append("min_confidence must be between 0 and 1")
        if not isinstance(self.redact_pii, bool):
            found.append("redact_pii must be true or false")
        if not isinstance(self.fallback_label, str) or not self.fallback_label.strip():
            found.append("fallback_label must be a non-empty string")
        return found


def write_card(model_dir: Path, card: ModelCard, labels: list[LabelEntry]) -> None:
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / CARD_FILE).write_text(json.dumps(asdict(card), indent=1, sort_keys=True))
    (model_dir / LABELS_FILE).write_text(json.dumps([asdict(e) for e in labels], indent=1))


def read_card(model_dir: Path) -> ModelCard:
    path = Path(model_dir) / CARD_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir} is not a gata model directory (no {CARD_FILE})")
    try:
        card = ModelCard(**json.loads(path.read_text()))
    except (TypeError, ValueError) as error:
        raise InvalidModelCard(f"{path}: not a valid model card ({error})") from None
    if card.problems():
        raise InvalidModelCard(f"{path}: " + "; ".join(card.problems()))
    return card


def read_labels(model_dir: Path) -> list[LabelEntry]:
    path = Path(model_dir) / LABELS_FILE
    try:
        labels = [LabelEntry(**entry) for entry in json.loads(path.read_text())]
    except (TypeError, ValueError) as error:
        raise InvalidModelCard(f"{path}: not a valid label map ({error})") from None
    if sorted(entry.index for entry in labels) != list(range(len(labels))) or not labels:
        raise InvalidModelCard(f"{path}: indices must be 0..n-1, each once")
    return labels


def read_metrics(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / METRICS_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
