"""Shared by the gata-train end-to-end tests: tiny keyword tickets, an /opt/ml-style layout,
and running gata-train as the subprocess SageMaker would start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from gata_assets.ml.train.contract import TrainingPaths

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
