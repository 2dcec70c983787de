"""gata-train on bad input, as SageMaker runs it: exit 2 with a one-line failure reason, also
through the fine-tune container's `train` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gata_assets.ml.train.contract import TrainingPaths
from gata_assets_tests.ml.train_entrypoint_helpers import (
    TINY_HPS,
    gata_train,
    layout,
    tickets,
    train_env,
)


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
