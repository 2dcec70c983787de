"""Where calibration (calibration.py) meets a training job: the slice held out, the report.

Kept apart from job.py so the job reads as its steps. With no target precision nothing is
held out and the job is what it always was.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gata_assets.ml.train.calibration import at_threshold, calibrate, hold_out
from gata_assets.ml.train.hyperparameters import Hyperparameters


def split_off_calibration(inputs: Any, hps: Hyperparameters) -> tuple[Any, Any]:
    """(inputs with the held-out slice removed from training, that slice or None)."""
    if hps.target_precision <= 0:
        return inputs, None
    frame = inputs.train_frame
    held = hold_out(frame["label"].to_numpy(), hps.calibration_fraction, hps.seed)
    if not held.any():
        return inputs, None
    trained = frame.loc[~held].reset_index(drop=True)
    return dataclasses.replace(inputs, train_frame=trained), frame.loc[held].reset_index(drop=True)


def calibration_report(
    held_out: Any, test_data: Any, inputs: Any, hps: Hyperparameters, tools: dict[str, Any]
) -> dict[str, Any]:
    """The calibration on the held-out slice, and how its threshold does on the test set.

    `tools`: model, tokenizer, pad_id, device (gata-train's Device) for the forward passes.
    """
    from gata_assets.ml.train.data import encode
    from gata_assets.ml.train.evaluate import predict_logits

    if held_out is None:
        reason = "no target precision" if hps.target_precision <= 0 else "too few tickets a label"
        return {"skipped": reason}
    device = tools["device"]
    targets = inputs.label_map.index_of(held_out["label"])
    held = encode(tools["tokenizer"], held_out["text"], targets, hps.max_length)

    def logits(data: Any) -> Any:
        args = (hps.eval_batch_size, tools["pad_id"], device.device, device.autocast)
        return predict_logits(tools["model"], data, *args)

    result = calibrate(logits(held), targets, hps.target_precision)
    coverage, precision = at_threshold(
        logits(test_data), test_data.targets, result.temperature, result.threshold
    )
    return {
        **result.as_dict(),
        "test_coverage": round(coverage, 6),
        "test_precision": round(precision, 6),
    }
