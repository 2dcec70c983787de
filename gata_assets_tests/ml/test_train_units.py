"""The pure pieces of gata-train: contract, batching, schedule, metrics, thread tuning."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gata_assets.ml.baselines import tfidf_linear_baseline
from gata_assets.ml.model_card import read_card, read_labels, read_metrics
from gata_assets.ml.train.contract import TrainingInputError, TrainingPaths, write_failure
from gata_assets.ml.train.data import bucketed_batches
from gata_assets.ml.train.fallback import write_fallback_model
from gata_assets.ml.train.hyperparameters import Hyperparameters, load_hyperparameters
from gata_assets.ml.train.metrics import classification_metrics
from gata_assets.ml.train.schedule import learning_rate_at
from gata_assets.ml.train.threads import ThreadTuner


def test_paths_default_to_sagemaker_and_follow_overrides(tmp_path):
    default = TrainingPaths.from_env({})
    assert default.train_channel == Path("/opt/ml/input/data/train")
    assert default.model_dir == Path("/opt/ml/model")
    assert default.failure_file == Path("/opt/ml/output/failure")
    assert default.checkpoint_dir == Path("/opt/ml/checkpoints")
    local = TrainingPaths.under(tmp_path)
    assert TrainingPaths.from_env(local.as_env()) == local


def test_hyperparameters_from_sagemaker_strings(tmp_path):
    paths = TrainingPaths.under(tmp_path)
    paths.make_dirs()
    raw = {"epochs": "3", "learning_rate": '"5e-5"', "freeze_embeddings": "false"}
    (paths.config_dir / "hyperparameters.json").write_text(json.dumps(raw))
    hps = load_hyperparameters(paths, environ={})
    assert (hps.epochs, hps.learning_rate, hps.freeze_embeddings) == (3, 5e-5, False)
    assert load_hyperparameters(paths, environ={"SM_HPS": '{"epochs": 1}'}).epochs == 1
    assert load_hyperparameters(TrainingPaths.under(tmp_path / "none"), environ={}) == (
        Hyperparameters()
    )
    with pytest.raises(TrainingInputError, match="max_length must be between"):
        Hyperparameters.from_mapping({"max_length": "4"})
    with pytest.raises(TrainingInputError, match=r"epochs=2\.5"):
        Hyperparameters.from_mapping({"epochs": 2.5})


def test_failure_file_is_one_line(tmp_path):
    target = tmp_path / "out" / "failure"
    write_failure(target, "first line\nsecond   line " + "x" * 2000)
    text = target.read_text()
    assert text.count("\n") == 1 and text.startswith("first line second line")
    assert len(text) <= 1001


def test_bucketed_batches_cover_every_example_once_and_group_lengths():
    lengths = np.random.default_rng(0).integers(3, 120, size=1000)
    batches = bucketed_batches(lengths, batch_size=32, seed=5, epoch=2, window=10)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(1000))
    assert all(len(b) <= 32 for b in batches)
    again = bucketed_batches(lengths, batch_size=32, seed=5, epoch=2, window=10)
    assert all((a == b).all() for a, b in zip(batches, again, strict=True))  # resumable
    other = bucketed_batches(lengths, batch_size=32, seed=5, epoch=3, window=10)
    assert any((a != b).any() for a, b in zip(batches, other, strict=False))  # reshuffled

    def padded(batch_list):
        return sum(len(b) * lengths[b].max() for b in batch_list)

    random_order = bucketed_batches(lengths, batch_size=32, seed=5, epoch=2, window=1)
    assert padded(batches) < 0.8 * padded(random_order)  # bucketing saves padding


def test_learning_rate_warms_up_then_decays_to_zero():
    rates = [learning_rate_at(step, 100, 10, 1e-3) for step in range(100)]
    assert rates[0] == pytest.approx(1e-4) and rates[9] == pytest.approx(1e-3)
    assert rates[10] == pytest.approx(1e-3) and rates[-1] == pytest.approx(1e-3 / 90)
    assert all(a >= b for a, b in itertools.pairwise(rates[10:]))


def test_metrics_match_scikit_learn():
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    rng = np.random.default_rng(1)
    truth = rng.integers(0, 5, 300)
    guess = np.where(rng.random(300) < 0.7, truth, rng.integers(0, 6, 300))
    names = ["a", "b", "c", "d", "e", "f"]
    metrics = classification_metrics(truth, guess, names)
    assert metrics["accuracy"] == pytest.approx(accuracy_score(truth, guess))
    assert metrics["macro_f1"] == pytest.approx(f1_score(truth, guess, average="macro"))
    assert metrics["weighted_f1"] == pytest.approx(f1_score(truth, guess, average="weighted"))
    assert (
        metrics["confusion_matrix"]["matrix"]
        == confusion_matrix(truth, guess, labels=range(6)).tolist()
    )
    assert set(metrics["per_class_f1"]) == set(names)  # f: never true, but predicted


def test_tfidf_baseline_scores_with_the_same_metrics():
    texts = ["refund my invoice", "vpn token broken", "printer jam again"] * 8
    labels = [7, 8, 9] * 8
    metrics = tfidf_linear_baseline(texts[:18], labels[:18], texts[18:], labels[18:])
    assert metrics["accuracy"] == 1.0 and metrics["macro_f1"] == 1.0
    assert metrics["model"].startswith("tfidf")


def test_fallback_model_directory(tmp_path):
    metrics = write_fallback_model(
        tmp_path / "m", group="low_volume", fallback_label="triage", reason="too few tickets"
    )
    assert metrics["fallback"] is True and metrics["macro_f1"] is None
    card = read_card(tmp_path / "m")
    assert (card.kind, card.fallback_label, card.extra["reason"]) == (
        "fallback",
        "triage",
        "too few tickets",
    )
    assert [(e.index, e.label, e.category) for e in read_labels(tmp_path / "m")] == [
        (0, None, "triage")
    ]
    assert read_metrics(tmp_path / "m")["kind"] == "fallback"
    assert not list((tmp_path / "m").glob("*.safetensors"))


def test_thread_tuner_picks_the_faster_count_and_rechecks():
    import torch

    before = torch.get_num_threads()
    try:
        tuner = ThreadTuner(fixed=0, cores=2, probe_steps=3, reprobe_every=5)
        speed = {2: 100.0, 1: 400.0}  # tokens per second: 2 threads stall on a busy machine
        messages = []
        for _ in range(40):
            threads = torch.get_num_threads()
            message = tuner.record(seconds=1000 / speed[threads], tokens=1000)
            if message:
                messages.append(message)
        assert tuner.current == 1 and torch.get_num_threads() == 1
        assert messages == ["threads 1 -> 1 (tokens/s by thread count: 1: 400, 2: 100)"]
        assert tuner.interval > 5  # unchanged answers back off
        idle = ThreadTuner(fixed=0, cores=2, probe_steps=3, reprobe_every=5)
        for _ in range(12):
            idle.record(seconds=1000 / {1: 100.0, 2: 180.0}[torch.get_num_threads()], tokens=1000)
        assert idle.current == 2 and idle.decisions[0].startswith("threads 1 -> 2")
        fixed = ThreadTuner(fixed=2, cores=2)
        assert not fixed.enabled and fixed.record(1.0, 10) is None
    finally:
        torch.set_num_threads(before)


def test_string_labels_are_category_names_with_ids_shared_by_both_channels(tmp_path):
    from gata_assets.ml.train.channels import LabelMap, read_channel

    train, test = tmp_path / "train.parquet", tmp_path / "test.parquet"
    texts, names = ["refund", "vpn down", "charge"], ["billing", "vpn", "billing"]
    pd.DataFrame({"text": texts, "label": names}).to_parquet(train)
    pd.DataFrame({"text": ["tunnel"], "label": ["vpn"]}).to_parquet(test)
    train_frame, test_frame = read_channel(train, "train"), read_channel(test, "test")
    assert list(train_frame["category"]) == ["billing", "vpn", "billing"]
    assert train_frame["label"].dtype == "int64" and train_frame["label"].nunique() == 2
    labels = LabelMap.from_frame(train_frame)
    labels.check_covers(test_frame)  # the same name got the same id in the other channel
    assert sorted(labels.categories) == ["billing", "vpn"]

    pd.DataFrame({"text": ["a"], "label": [1.5]}).to_parquet(train)
    with pytest.raises(TrainingInputError, match="integer queue ids"):
        read_channel(train, "train")


def test_remove_stale_partials_spares_complete_checkpoints_and_live_writers(tmp_path: Path):
    import os

    from gata_assets.ml.train.checkpoint import remove_stale_partials

    dead = 2**22 + 12345  # above the default pid_max: no such process
    for name in (
        "step-00000004",
        f".step-00000005.partial-{dead}",
        f".step-6.partial-{os.getpid()}",
    ):
        (tmp_path / name).mkdir()
    removed = remove_stale_partials(tmp_path)
    assert [p.name for p in removed] == [f".step-00000005.partial-{dead}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f".step-6.partial-{os.getpid()}",
        "step-00000004",
    ]
    assert remove_stale_partials(tmp_path / "missing") == []
