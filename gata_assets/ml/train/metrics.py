"""Classification metrics in plain numpy: the same numbers for gata-train and the baseline.

Macro-F1 averages over the classes that occur in the test set or in the predictions (what
scikit-learn's `f1_score(average="macro")` does), so a class the model never predicts and the
test set never holds does not count, while a class it wrongly predicts does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def classification_metrics(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    class_names: Sequence[str],
) -> dict[str, Any]:
    """accuracy, macro_f1, per-class precision/recall/F1/support, confusion matrix.

    `y_true`/`y_pred` hold indices into `class_names`; the confusion matrix is indexed
    [true][predicted] in that order.
    """
    true = np.asarray(y_true, dtype=np.int64)
    pred = np.asarray(y_pred, dtype=np.int64)
    if true.shape != pred.shape:
        raise ValueError("y_true and y_pred differ in length")
    n = len(class_names)
    matrix = np.zeros((n, n), dtype=np.int64)
    if len(true):
        np.add.at(matrix, (true, pred), 1)
    tp = np.diag(matrix).astype(float)
    support = matrix.sum(axis=1).astype(float)
    predicted = matrix.sum(axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    present = (support > 0) | (predicted > 0)
    per_class = {
        str(name): {
            "precision": round(float(precision[i]), 6),
            "recall": round(float(recall[i]), 6),
            "f1": round(float(f1[i]), 6),
            "support": int(support[i]),
        }
        for i, name in enumerate(class_names)
        if present[i]
    }
    return {
        "accuracy": float((true == pred).mean()) if len(true) else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "weighted_f1": float((f1 * support).sum() / support.sum()) if support.sum() else 0.0,
        "per_class_f1": {name: v["f1"] for name, v in per_class.items()},
        "per_class": per_class,
        "confusion_matrix": {"labels": [str(c) for c in class_names], "matrix": matrix.tolist()},
        "test_samples": len(true),
    }
