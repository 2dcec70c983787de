"""Which registry and tracker the settings choose: GATA_REGISTRY keeps today's choice when
unset, MLflow is off without GATA_MLFLOW_TRACKING_URI, the URI stays a secret, and MLflow
settings that cannot take effect fail where the definitions load, in one sentence."""

from __future__ import annotations

import sys

import dagster as dg
import pytest

from gata_assets.options import SettingsError
from gata_assets.resources.build import build_registry, build_resources
from gata_assets.resources.mlflow_registry import MlflowModelRegistry
from gata_assets.resources.mlflow_tracking import MlflowTracking
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.resources.sagemaker_registry import SageMakerModelRegistry
from gata_assets.resources.tracking import NoTracking
from gata_assets.settings import GataSettings

AWS = {"GATA_MODE": "aws", "GATA_ARTIFACT_BUCKET": "b", "AWS_REGION": "eu-west-1"}
DB = {"GATA_REGISTRY_DB_URL": "postgresql+psycopg://gata:hunter2@db/registry"}
URI = "postgresql://mlflow:s3cret@db/mlflow"  # an MLflow backend store holds a password


def registry_for(tmp_path, **env: str):
    return build_registry(GataSettings.from_env({"GATA_HOME": str(tmp_path), **env}))


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({}, SqlModelRegistry),
        (DB, SqlModelRegistry),
        (AWS, SageMakerModelRegistry),
        ({**AWS, **DB}, SqlModelRegistry),
        ({**AWS, "GATA_REGISTRY": "sql"}, SqlModelRegistry),
        ({"GATA_REGISTRY": "sagemaker", "AWS_REGION": "eu-west-1"}, SageMakerModelRegistry),
        ({"GATA_REGISTRY": "mlflow", "GATA_MLFLOW_TRACKING_URI": URI}, MlflowModelRegistry),
    ],
)
def test_the_registry_choice_unset_is_todays_and_gata_registry_overrides_it(tmp_path, env, kind):
    assert type(registry_for(tmp_path, **env)) is kind


def test_the_tracking_uri_is_a_secret_and_mlflow_is_off_without_it(tmp_path, monkeypatch):
    home = {"GATA_HOME": str(tmp_path)}
    assert isinstance(build_resources(GataSettings.from_env(home))["tracking"], NoTracking)
    env = {**home, "GATA_REGISTRY": "mlflow", "GATA_MLFLOW_TRACKING_URI": URI}
    settings = GataSettings.from_env({**env, "GATA_MLFLOW_EXPERIMENT": "routing"})
    assert "s3cret" not in repr(settings)
    resources = build_resources(settings)
    tracking, registry = resources["tracking"], resources["registry"]
    assert isinstance(tracking, MlflowTracking) and tracking.experiment == "routing"
    assert isinstance(registry.tracking_uri, dg.EnvVar)  # resolved inside runs, never shown
    assert registry.model_name("general") == "routing-general"
    monkeypatch.setenv("GATA_MLFLOW_TRACKING_URI", URI)  # the CLI reads it itself
    assert build_registry(settings, resolve_secrets=True).tracking_uri == URI


@pytest.mark.parametrize(
    ("env", "sentence"),
    [
        ({"GATA_REGISTRY": "mlflow"}, "GATA_REGISTRY=mlflow needs GATA_MLFLOW_TRACKING_URI"),
        ({"GATA_REGISTRY": "mlflow", "GATA_MLFLOW_TRACKING_URI": URI, **DB}, "unset one of"),
        ({"GATA_MLFLOW_EXPERIMENT": "x"}, "GATA_MLFLOW_EXPERIMENT take effect only with"),
        (
            {"GATA_MLFLOW_TRACKING_URI": URI, "GATA_MLFLOW_PROD_ALIAS": "champion"},
            "set GATA_REGISTRY=mlflow or unset it",
        ),
        ({"GATA_REGISTRY": "unity"}, "expected one of sql, sagemaker, mlflow"),
    ],
)
def test_mlflow_settings_that_cannot_work_fail_the_definitions_load(
    tmp_path, monkeypatch, env, sentence
):
    from gata_assets.definitions import defs

    monkeypatch.setenv("GATA_HOME", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=sentence):
        defs()


def test_the_uri_without_mlflow_installed_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if the extra were not installed
    with pytest.raises(
        SettingsError, match=r"mlflow is not installed: pip install 'gata\[mlflow\]'"
    ):
        registry_for(tmp_path, GATA_MLFLOW_TRACKING_URI=URI, GATA_REGISTRY="mlflow")
