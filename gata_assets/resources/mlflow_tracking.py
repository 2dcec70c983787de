"""MLflow tracking: each model asset materialization becomes one MLflow run.

The run is named after the model version, so the MLflow UI, the registry and the Dagster
asset page all say the same name. It holds the hyperparameters and input sizes (params), the
per-epoch loss from metrics.json (`loss_history`, step = epoch), the final metrics, and the
model directory as artifacts; its tags name the Dagster run, the asset, the batch and the
data hash, and the asset's metadata and tags carry the MLflow run id back (linked both ways).
A failed log fails the step (the run is marked FAILED): with tracking on, a model with no
run would be a gap nobody notices. mlflow is imported inside the calls only.
"""

import re
import time
from pathlib import Path
from typing import Any

from gata_assets.core.references import ModelRef
from gata_assets.resources.tracking import ExperimentTracker, TrackedRun

# MLflow allows these characters in metric and param names; queue names may hold others.
_UNSAFE_KEY = re.compile(r"[^\w\-. /:]")
# Final metrics that are nested one level in metrics.json and worth a chart each.
_NESTED = ("per_class_f1", "calibration")


def _key(name: str) -> str:
    return _UNSAFE_KEY.sub("_", name)[:250]


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None


def run_params(ref: ModelRef) -> dict[str, str]:
    params = {**ref.hyperparameters, "train_rows": ref.train_rows, "test_rows": ref.test_rows}
    return {_key(k): str(v)[:6000] for k, v in params.items() if v is not None}


def epoch_metrics(metrics: dict[str, Any]) -> list[tuple[str, float, int]]:
    """(name, value, step = epoch) for every epoch gata-train recorded."""
    found = []
    for entry in metrics.get("loss_history") or []:
        epoch = int(entry.get("epoch", len(found) + 1))
        for name in ("loss", "elapsed_seconds"):
            value = _number(entry.get(name))
            if value is not None:
                found.append((name, value, epoch))
    return found


def final_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """The scalar metrics, and the per-queue F1 / calibration values as `f1/<queue>` etc."""
    numbers = {name: _number(value) for name, value in metrics.items()}
    final = {_key(name): value for name, value in numbers.items() if value is not None}
    for nested in _NESTED:
        prefix = "f1" if nested == "per_class_f1" else nested
        for name, value in (metrics.get(nested) or {}).items():
            if (number := _number(value)) is not None:
                final[_key(f"{prefix}/{name}")] = number
    return final


def run_tags(context: Any, ref: ModelRef) -> dict[str, str]:
    return {
        "dagster.run_id": context.run.run_id,
        "dagster.job": getattr(context, "job_name", "") or "",
        "dagster.asset": context.asset_key.to_user_string(),
        "gata.model_version": ref.model_version,
        "gata.group": ref.group,
        "gata.batch_id": ref.batch_id,
        "gata.data_sha256": ref.data_sha256,
        "gata.artifact_uri": ref.uri,
        "gata.fallback": str(ref.fallback).lower(),
        "gata.trainer": ref.trainer,
        "mlflow.source.name": "gata (Dagster)",
    }


class MlflowTracking(ExperimentTracker):
    # Given through dg.EnvVar("GATA_MLFLOW_TRACKING_URI"): a database URL holds a password.
    tracking_uri: str
    experiment: str = "gata"

    def log_training(
        self, context: Any, ref: ModelRef, metrics: dict[str, Any], model_dir: Path
    ) -> TrackedRun | None:
        from mlflow.entities import Metric, Param

        from gata_assets.resources.mlflow_client import experiment_id, mlflow_client, run_url

        client = mlflow_client(self.tracking_uri)
        experiment = experiment_id(client, self.experiment, self.tracking_uri)
        run = client.create_run(experiment, run_name=ref.model_version, tags=run_tags(context, ref))
        run_id = run.info.run_id
        try:
            now = int(time.time() * 1000)
            history = [Metric(k, v, now, step) for k, v, step in epoch_metrics(metrics)]
            final = [Metric(k, v, now, 0) for k, v in final_metrics(metrics).items()]
            params = [Param(k, v) for k, v in run_params(ref).items()]
            # log_batch takes at most 1000 metrics and 100 params per call.
            for start in range(0, len(params), 100):
                client.log_batch(run_id, params=params[start : start + 100])
            logged = history + final
            for start in range(0, len(logged), 1000):
                client.log_batch(run_id, metrics=logged[start : start + 1000])
            client.log_artifacts(run_id, str(model_dir), artifact_path="model")
        except BaseException:
            client.set_terminated(run_id, status="FAILED")
            raise
        client.set_terminated(run_id, status="FINISHED")
        context.log.info(f"{ref.model_version}: logged to MLflow run {run_id}")
        return TrackedRun(run_id=run_id, url=run_url(self.tracking_uri, experiment, run_id))
