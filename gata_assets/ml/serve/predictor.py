"""Load a gata model directory and score texts with it.

torch and transformers are imported only when a classifier is loaded, so a fallback-only
server (and every import of this module) starts in milliseconds. Inference uses
`torch.inference_mode`, threads sized to the usable CPUs and the precision `cpu.py` picks.
"""

from dataclasses import dataclass
from pathlib import Path

from gata_assets.core.pii import mask_text
from gata_assets.ml.model_card import ModelCard, read_card, read_labels
from gata_assets.ml.routing import Scored
from gata_assets.ml.serve.cpu import resolve_precision, usable_cpus

# A token is at least one character apart from whitespace, so clipping far beyond
# max_length characters never changes what the model sees, yet a 4 MB text no longer costs
# the tokenizer seconds.
CHARS_PER_TOKEN_BOUND = 16


@dataclass(frozen=True)
class ModelInfo:
    kind: str
    group: str
    model_version: str
    max_length: int
    labels: int
    precision: str

    @classmethod
    def of(cls, card: ModelCard, labels: int, precision: str = "none") -> "ModelInfo":
        return cls(card.kind, card.group, card.model_version, card.max_length, labels, precision)


class FallbackPredictor:
    """The model used when a group had too little data: every ticket goes to triage."""

    def __init__(self, card: ModelCard):
        self.card = card
        self.info = ModelInfo.of(card, 1)

    def __call__(self, texts: list[str]) -> list[list[Scored]]:
        return [[Scored(None, self.card.fallback_label, 1.0)] for _ in texts]


class ClassifierPredictor:
    """A fine-tuned Hugging Face sequence classifier plus gata's label map."""

    def __init__(
        self,
        model_dir: Path,
        card: ModelCard,
        threads: int | None = None,
        precision: str = "auto",
        chunk: int = 8,
    ):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch.set_num_threads(threads or usable_cpus())
        self._torch = torch
        self.card = card
        self.chunk = max(1, chunk)
        self.labels = sorted(read_labels(model_dir), key=lambda e: e.index)
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        precision = resolve_precision(precision)
        dtype = torch.bfloat16 if precision == "bfloat16" else torch.float32
        model = AutoModelForSequenceClassification.from_pretrained(str(model_dir), dtype=dtype)
        if model.config.num_labels != len(self.labels):
            raise ValueError(
                f"{model_dir}: the model has {model.config.num_labels} outputs but "
                f"labels.json names {len(self.labels)} classes"
            )
        model.eval()
        if precision == "int8":
            # int8 weights for the Linear layers: smaller and faster on CPU, less accurate.
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, torch.qint8)
        self.model = model
        self.info = ModelInfo.of(card, len(self.labels), precision)

    def __call__(self, texts: list[str]) -> list[list[Scored]]:
        limit = self.card.max_length * CHARS_PER_TOKEN_BOUND
        texts = [t[:limit] for t in texts]
        if self.card.redact_pii:
            # As the model's training text was: same placeholders, so the same tokens.
            texts = [mask_text(t) for t in texts]
        encoded = self.tokenizer(texts, truncation=True, max_length=self.card.max_length)
        # Similar lengths together, a few at a time: less padding, and on a 2-core CPU eight
        # sorted tickets per forward pass ran ~1.5x faster than one padded batch of 32.
        order = sorted(range(len(texts)), key=lambda i: len(encoded["input_ids"][i]))
        results: list[list[Scored]] = [[] for _ in texts]
        for start in range(0, len(order), self.chunk):
            chunk = order[start : start + self.chunk]
            rows = self._forward({k: [v[i] for i in chunk] for k, v in encoded.items()})
            for i, row in zip(chunk, rows, strict=True):
                results[i] = row
        return results

    def _forward(self, features: dict[str, list]) -> list[list[Scored]]:
        torch = self._torch
        batch = self.tokenizer.pad(features, return_tensors="pt")
        with torch.inference_mode():
            # The card's temperature (1 unless calibrated) keeps confidences as trained.
            logits = self.model(**batch).logits.float() / self.card.temperature
            probs = torch.softmax(logits, dim=-1)
        values, indices = torch.sort(probs, dim=-1, descending=True)
        return [
            [
                Scored(self.labels[i].label, self.labels[i].category, round(float(p), 6))
                for p, i in zip(row_p.tolist(), row_i.tolist(), strict=True)
            ]
            for row_p, row_i in zip(values, indices, strict=True)
        ]


def load_predictor(
    model_dir: Path, threads: int | None = None, precision: str = "auto"
) -> FallbackPredictor | ClassifierPredictor:
    """The predictor a model directory's card asks for."""
    card = read_card(Path(model_dir))
    if card.kind == "fallback":
        return FallbackPredictor(card)
    if card.kind != "classifier":
        raise ValueError(f"{model_dir}: unknown model kind {card.kind!r}")
    return ClassifierPredictor(Path(model_dir), card, threads=threads, precision=precision)
