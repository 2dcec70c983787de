"""Predict the test channel in length-sorted batches and score the predictions."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from gata_assets.ml.train.data import Encoded, collate, sorted_batches
from gata_assets.ml.train.metrics import classification_metrics


def predict_logits(
    model: Any, data: Encoded, batch_size: int, pad_id: int, device: Any, autocast: Any
) -> np.ndarray:
    """float32 logits, one row per example in `data`'s order."""
    import torch

    logits = np.zeros((len(data), model.config.num_labels), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        for index in sorted_batches(data.lengths, batch_size):
            batch = collate(data, index, pad_id, device)
            batch.pop("labels")
            with autocast():
                out = model(**batch).logits
            logits[index] = out.float().cpu().numpy()
    return logits


def predict(
    model: Any, data: Encoded, batch_size: int, pad_id: int, device: Any, autocast: Any
) -> np.ndarray:
    return predict_logits(model, data, batch_size, pad_id, device, autocast).argmax(axis=1)


def evaluate(
    model: Any,
    data: Encoded,
    class_names: list[str],
    batch_size: int,
    pad_id: int,
    device: Any,
    autocast: Any,
) -> dict[str, Any]:
    started = time.perf_counter()
    predictions = predict(model, data, batch_size, pad_id, device, autocast)
    metrics = classification_metrics(data.targets, predictions, class_names)
    metrics["eval_seconds"] = round(time.perf_counter() - started, 3)
    return metrics
