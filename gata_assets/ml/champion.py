"""Champion / challenger: may a newly trained model replace the one being served?

Pure Python (no Dagster): the gate asset check asks `verdict` with both macro-F1 scores on
the same frozen test set. A score recorded at training time is only comparable when it was
computed on that exact test set (same sha256); otherwise the model is re-scored here with
the same predictor code the server uses, so both numbers come from the same tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CHUNK = 256


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str


def macro_f1(true_labels: Sequence[object], predicted: Sequence[object]) -> float:
    """Macro-F1 over the label ids seen in truth or predictions (what gata-train reports)."""
    from gata_assets.ml.train.metrics import classification_metrics

    classes = sorted({str(x) for x in true_labels} | {str(x) for x in predicted})
    index = {name: i for i, name in enumerate(classes)}
    return float(
        classification_metrics(
            [index[str(x)] for x in true_labels], [index[str(x)] for x in predicted], classes
        )["macro_f1"]
    )


def rescore(model_dir: Path, texts: Sequence[str], labels: Sequence[int]) -> float | None:
    """Macro-F1 of a model directory on a test set; None for a fallback (nothing to score)."""
    from gata_assets.ml.model_card import read_card
    from gata_assets.ml.serve.predictor import load_predictor

    if read_card(model_dir).kind == "fallback":
        return None
    predictor = load_predictor(model_dir)
    predicted: list[object] = []
    for start in range(0, len(texts), CHUNK):
        predicted += [scores[0].label for scores in predictor(list(texts[start : start + CHUNK]))]
    return macro_f1([int(x) for x in labels], predicted)


def verdict(
    challenger: float | None, champion: float | None, tolerance: float, has_champion: bool
) -> Verdict:
    """None scores are fallback models (constant answers, nothing trained)."""
    if not has_champion:
        return Verdict(True, "no champion is deployed yet: the first model goes ahead")
    if challenger is None:
        if champion is None:
            return Verdict(True, "fallback replaces fallback")
        return Verdict(
            False,
            f"a fallback model would replace a trained classifier (macro-F1 {champion:.4f}); "
            "the endpoint keeps the champion",
        )
    if champion is None:
        return Verdict(True, f"classifier (macro-F1 {challenger:.4f}) replaces a fallback model")
    delta = challenger - champion
    if delta >= -tolerance - 1e-12:
        return Verdict(
            True,
            f"challenger macro-F1 {challenger:.4f} vs champion {champion:.4f} "
            f"({delta:+.4f}, tolerance {tolerance:.4f})",
        )
    return Verdict(
        False,
        f"challenger macro-F1 {challenger:.4f} is {-delta:.4f} below the champion's "
        f"{champion:.4f} (tolerance {tolerance:.4f}); the endpoint keeps the champion",
    )
