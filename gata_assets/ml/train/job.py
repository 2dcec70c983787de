"""One training job, start to end: validate the input, train, evaluate, write the model.

Input is checked before torch and transformers are imported, so a bad channel or label set
fails in well under a second; `entrypoint.main` maps what this raises to exit codes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gata_assets.ml.train.calibration_step import calibration_report, split_off_calibration
from gata_assets.ml.train.channels import (
    LabelMap,
    channel_sha256,
    read_channel,
    resolve_base_model,
)
from gata_assets.ml.train.contract import TrainingInputError, TrainingPaths
from gata_assets.ml.train.data import Encoded, encode
from gata_assets.ml.train.hyperparameters import Hyperparameters
from gata_assets.ml.train.outputs import materialization_metadata, write_model_dir
from gata_assets.ml.train.report import Reporter
from gata_assets.ml.train.stop import StopRequested, StopSignal


@dataclass(frozen=True)
class Inputs:
    """The validated channels and what identifies this job for checkpoint resumption."""

    base_dir: Path
    base_name: str
    train_frame: Any
    test_frame: Any
    label_map: LabelMap
    fingerprint: dict[str, Any]


def read_inputs(paths: TrainingPaths, hps: Hyperparameters) -> Inputs:
    """Everything checkable before torch is imported; raises TrainingInputError."""
    base_dir, base_name = resolve_base_model(hps.base_model)
    train_frame = read_channel(paths.train_channel, "train")
    test_frame = read_channel(paths.test_channel, "test")
    if hps.redact_pii:
        from gata_assets.core.pii import mask_ticket_text

        train_frame, _ = mask_ticket_text(train_frame)
        test_frame, _ = mask_ticket_text(test_frame)
    label_map = LabelMap.from_frame(train_frame)
    label_map.check_covers(test_frame)
    if label_map.size < 2:
        raise TrainingInputError(
            f"train channel has a single label ({label_map.categories[0]}): a classifier "
            "needs at least two"
        )
    fingerprint = {
        "hyperparameters": hps.training_fingerprint(),
        "base_model": base_name,
        "train_sha256": channel_sha256(paths.train_channel, "train"),
        "test_sha256": channel_sha256(paths.test_channel, "test"),
        "labels": list(label_map.labels),
    }
    return Inputs(base_dir, base_name, train_frame, test_frame, label_map, fingerprint)


def load_base_model(inputs: Inputs) -> tuple[Any, Any]:
    """(tokenizer, classifier with a fresh head for this label set)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    label_map = inputs.label_map
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(inputs.base_dir))
        model = AutoModelForSequenceClassification.from_pretrained(
            str(inputs.base_dir),
            num_labels=label_map.size,
            id2label=label_map.id2label(),
            label2id=label_map.label2id(),
            problem_type="single_label_classification",
        )
    except (OSError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise TrainingInputError(f"cannot load base model {inputs.base_name}: {first}") from None
    return tokenizer, model


def encode_channels(inputs: Inputs, tokenizer: Any, max_length: int) -> tuple[Encoded, Encoded]:
    index_of = inputs.label_map.index_of
    train, test = inputs.train_frame, inputs.test_frame
    return (
        encode(tokenizer, train["text"], index_of(train["label"]), max_length),
        encode(tokenizer, test["text"], index_of(test["label"]), max_length),
    )


def job_metrics(
    metrics: dict, run_: Any, inputs: Inputs, hps: Hyperparameters, train_samples: int
) -> dict:
    """The evaluation metrics plus what this job was: timings, device, versions, hashes."""
    import torch
    import transformers

    state, device = run_.state, run_.device
    return {
        **metrics,
        "kind": "classifier",
        "fallback": False,
        "train_seconds": round(state.elapsed_seconds, 3),
        "samples_per_second": round(state.samples_seen / max(state.elapsed_seconds, 1e-9), 3),
        "train_samples": train_samples,
        "epochs": hps.epochs,
        "steps": state.step,
        "final_loss": state.history[-1]["loss"] if state.history else state.last_loss,
        "loss_history": state.history,
        "resumed_from_step": state.resumed_from_step,
        "padding_efficiency": round(run_.padding_efficiency, 4),
        "device": device.device.type,
        "precision": device.precision,
        "num_threads": run_.threads,
        "base_model": inputs.base_name,
        "train_sha256": inputs.fingerprint["train_sha256"],
        "test_sha256": inputs.fingerprint["test_sha256"],
        "hyperparameters": hps.as_dict(),
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
    }


def run(paths: TrainingPaths, hps: Hyperparameters, reporter: Reporter, stop: StopSignal) -> dict:
    """Validate, train, evaluate and write the model directory; returns the metrics."""
    started = time.perf_counter()
    inputs, held_out = split_off_calibration(read_inputs(paths, hps), hps)
    reporter.info(
        f"training {hps.group}: {len(inputs.train_frame)} train / {len(inputs.test_frame)} "
        f"test tickets, {inputs.label_map.size} labels, base model {inputs.base_name}"
    )

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import transformers

    from gata_assets.ml.train.device import pick_device, seed_everything
    from gata_assets.ml.train.evaluate import evaluate
    from gata_assets.ml.train.loop import train_model as fit
    from gata_assets.ml.train.threads import configure_threads

    transformers.utils.logging.set_verbosity_error()
    threads = configure_threads(hps.num_threads)
    device = pick_device(hps.precision)
    seed_everything(hps.seed)
    tokenizer, model = load_base_model(inputs)
    if hps.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    train_data, test_data = encode_channels(inputs, tokenizer, hps.max_length)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    reporter.info(
        f"device {device.device.type} ({device.precision}), "
        f"{threads if hps.num_threads or device.device.type != 'cpu' else 'tuned'} threads, "
        f"{trainable / 1e6:.1f}M trainable parameters, max_length {hps.max_length}, "
        f"batch {hps.batch_size}, {hps.epochs} epochs, setup {time.perf_counter() - started:.1f}s"
    )

    run_ = fit(
        model=model,
        train_data=train_data,
        hps=hps,
        checkpoint_dir=paths.checkpoint_dir,
        fingerprint=inputs.fingerprint,
        pad_id=pad_id,
        device=device,
        reporter=reporter,
        stop=stop,
    )
    if stop.requested:
        raise StopRequested(stop.received or "signal", run_.state.step)
    categories = list(inputs.label_map.categories)
    scores = evaluate(
        model, test_data, categories, hps.eval_batch_size, pad_id, device.device, device.autocast
    )
    tools = {"model": model, "tokenizer": tokenizer, "pad_id": pad_id, "device": device}
    scores["calibration"] = calibration_report(held_out, test_data, inputs, hps, tools)
    metrics = job_metrics(scores, run_, inputs, hps, len(train_data))
    write_model_dir(paths, hps, model, tokenizer, inputs.base_name, inputs.label_map, metrics)
    reporter.info(
        f"{hps.group}: accuracy {metrics['accuracy']:.4f} macro-F1 {metrics['macro_f1']:.4f} "
        f"on {len(test_data)} test tickets; trained {run_.state.elapsed_seconds:.1f}s at "
        f"{metrics['samples_per_second']:.1f} samples/s; total {time.perf_counter() - started:.1f}s"
    )
    reporter.materialization(materialization_metadata(metrics), hps.model_version)
    return metrics
