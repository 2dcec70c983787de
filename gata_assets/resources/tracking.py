"""Experiment tracking: where each training run's parameters, curves and model are kept.

Off by default (`NoTracking`): gata's own lineage (the model reference, the registry, the
Dagster asset page) is complete without it. With GATA_MLFLOW_TRACKING_URI set, build.py
picks `MlflowTracking` (mlflow_tracking.py), which gives every model asset one MLflow run.
The interface sits here, apart from MLflow, so the training assets name it without importing
mlflow, and a deployment without tracking never imports it at all.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.core.references import ModelRef


@dataclass(frozen=True)
class TrackedRun:
    """The tracking run a model asset logged to, for its metadata and tags."""

    run_id: str
    url: str = ""
    """A browser link to the run, when the tracking server has a web UI ("" otherwise)."""


class ExperimentTracker(dg.ConfigurableResource, ABC):
    @abstractmethod
    def log_training(
        self, context: Any, ref: ModelRef, metrics: dict[str, Any], model_dir: Path
    ) -> TrackedRun | None:
        """Log one materialized model (while its directory is still local); None: untracked.
        `metrics` is the whole metrics.json, per-epoch `loss_history` included."""


class NoTracking(ExperimentTracker):
    """Tracking off: nothing is logged and no tracking library is imported."""

    def log_training(
        self, context: Any, ref: ModelRef, metrics: dict[str, Any], model_dir: Path
    ) -> TrackedRun | None:
        return None
