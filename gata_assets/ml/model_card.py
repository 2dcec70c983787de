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
    extra: dict[str, Any] = field(default_factory=dict)


def write_card(model_dir: Path, card: ModelCard, labels: list[LabelEntry]) -> None:
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / CARD_FILE).write_text(json.dumps(asdict(card), indent=1, sort_keys=True))
    (model_dir / LABELS_FILE).write_text(json.dumps([asdict(e) for e in labels], indent=1))


def read_card(model_dir: Path) -> ModelCard:
    path = Path(model_dir) / CARD_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir} is not a gata model directory (no {CARD_FILE})")
    return ModelCard(**json.loads(path.read_text()))


def read_labels(model_dir: Path) -> list[LabelEntry]:
    raw = json.loads((Path(model_dir) / LABELS_FILE).read_text())
    return [LabelEntry(**entry) for entry in raw]


def read_metrics(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / METRICS_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
