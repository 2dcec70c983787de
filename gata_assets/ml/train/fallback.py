"""The fallback model: a directory that always answers one label, with no weights.

Used when a group (the low-volume one) has too little data to train a classifier. It follows
the model directory contract (`gata_assets.ml.model_card`) so serving treats it like any
other model: `gata_model.json` with kind "fallback", one label entry, and a metrics file that
says plainly that nothing was trained.
"""

from __future__ import annotations

import json
from pathlib import Path

from gata_assets.ml.model_card import METRICS_FILE, LabelEntry, ModelCard, write_card


def write_fallback_model(
    model_dir: Path,
    *,
    group: str,
    fallback_label: str,
    reason: str,
    model_version: str = "",
    batch_id: str = "",
    data_sha256: str = "",
) -> dict:
    """Write the fallback model directory; returns its metrics."""
    model_dir = Path(model_dir)
    card = ModelCard(
        kind="fallback",
        group=group,
        model_version=model_version,
        base_model="",
        fallback_label=fallback_label,
        data_sha256=data_sha256,
        batch_id=batch_id,
        extra={"reason": reason},
    )
    write_card(model_dir, card, [LabelEntry(index=0, label=None, category=fallback_label)])
    metrics = {
        "kind": "fallback",
        "fallback": True,
        "fallback_label": fallback_label,
        "reason": reason,
        "accuracy": None,
        "macro_f1": None,
        "train_seconds": 0.0,
        "samples_per_second": 0.0,
        "note": "constant model: always answers the fallback label, nothing was trained",
    }
    (model_dir / METRICS_FILE).write_text(json.dumps(metrics, indent=1, sort_keys=True))
    return metrics
