"""What a finished training job leaves behind: the model directory and its Dagster metadata.

The model directory (safetensors weights, tokenizer, config, gata_model.json, labels.json,
metrics.json) is what SageMaker tars into model.tar.gz and the serving container loads;
metrics.json is also copied to SM_OUTPUT_DATA_DIR.
"""

from __future__ import annotations

import json
from typing import Any

from gata_assets.ml.model_card import METRICS_FILE, LabelEntry, ModelCard, write_card
from gata_assets.ml.train.channels import LabelMap
from gata_assets.ml.train.contract import TrainingPaths
from gata_assets.ml.train.hyperparameters import Hyperparameters


def write_model_dir(
    paths: TrainingPaths,
    hps: Hyperparameters,
    model: Any,
    tokenizer: Any,
    base_name: str,
    label_map: LabelMap,
    metrics: dict[str, Any],
) -> None:
    model_dir = paths.model_dir
    model_dir.mkdir(parents=True, exist_ok=True)
    calibration = metrics.get("calibration") or {}
    model.to("cpu").save_pretrained(str(model_dir))
    tokenizer.save_pretrained(str(model_dir))
    card = ModelCard(
        kind="classifier",
        group=hps.group,
        model_version=hps.model_version,
        base_model=base_name,
        max_length=hps.max_length,
        fallback_label=hps.fallback_label,
        data_sha256=hps.data_sha256,
        batch_id=hps.batch_id,
        redact_pii=hps.redact_pii,
        temperature=calibration.get("temperature", 1.0),
        min_confidence=calibration.get("threshold"),
        extra={"num_labels": label_map.size},
    )
    write_card(model_dir, card, [LabelEntry(**entry) for entry in label_map.entries()])
    document = json.dumps(metrics, indent=1, sort_keys=True)
    (model_dir / METRICS_FILE).write_text(document)
    paths.output_data_dir.mkdir(parents=True, exist_ok=True)
    (paths.output_data_dir / METRICS_FILE).write_text(document)


def materialization_metadata(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "accuracy",
        "macro_f1",
        "train_seconds",
        "samples_per_second",
        "steps",
        "final_loss",
        "padding_efficiency",
        "device",
        "precision",
        "num_threads",
        "resumed_from_step",
    )
    return {k: metrics[k] for k in keys if metrics.get(k) is not None}
