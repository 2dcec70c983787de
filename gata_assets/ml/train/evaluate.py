"""Predict the test channel in length-sorted batches and score the predictions."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from gata_assets.ml.train.data import Encoded, collate, sorted_batches
from gata_assets.ml.train.metrics import classification_metrics


def predict(
    model: Any, data: Encoded, batch_size: int, pad_id: int, device: Any, autocast: Any
) -> np.ndarray:
    import torch

    predictions = np.zeros(len(data), dtype=np.int64)
    model.eval()
    with torch.inference_mode():
        for index in sorted_batches(data.lengths, batch_size):
            batch = collate(data, index, pad_id, device)
            batch.pop("labels")
            with autocast():
                logits = model(**batch).logits
            predictions[index] = logits.argmax(dim=-1).cpu().numpy()
    return predictions


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
