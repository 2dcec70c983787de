"""The GATA_* options table: unknown names and bad values fail where the settings are read
(definitions load, `gata` start), every variable the repository uses has a row, and each row
agrees with the resource field it sets."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gata_assets import options
from gata_assets.definitions import build_definitions
from gata_assets.options import OPTIONS, SettingsError
from gata_assets.settings import GataSettings

REPO = Path(__file__).resolve().parents[1]


def test_a_misspelt_variable_fails_the_definitions_load_naming_the_closest(monkeypatch, tmp_path):
    from gata_assets.definitions import defs

    monkeypatch.setenv("GATA_HOME", str(tmp_path))
    monkeypatch.setenv("GATA_TRAIN_EPOCHZ", "3")
    with pytest.raises(SettingsError, match=r"GATA_TRAIN_EPOCHZ.*did you mean GATA_TRAIN_EPOCHS"):
        defs()


def test_a_misspelt_variable_stops_gata_before_any_command(tmp_path):
    from gata_assets.cli import app

    env = {"GATA_HOME": str(tmp_path), "GATA_SENSOR": "off"}
    result = CliRunner().invoke(app, ["models", "list"], env=env)
    assert result.exit_code == 2
    assert "unknown setting GATA_SENSOR (did you mean GATA_SENSORS?)" in result.output
    assert not (tmp_path / "gata.db").exists()  # nothing ran


def test_far_off_names_point_at_the_table_and_empty_values_count_as_unset(tmp_path):
    with pytest.raises(SettingsError, match=r"GATA_XYZZY .*gata_assets/options\.py"):
        GataSettings.from_env({"GATA_XYZZY": "1"})
    assert GataSettings.from_env({"GATA_HOME": str(tmp_path), "GATA_XYZZY": ""}).mode == "local"


def test_bad_values_fail_at_load_naming_variable_and_field(tmp_path):
    home = {"GATA_HOME": str(tmp_path)}
    with pytest.raises(SettingsError, match=r"GATA_TRAIN_EPOCHS='two'.*training\.epochs"):
        GataSettings.from_env({**home, "GATA_TRAIN_EPOCHS": "two"})
    with pytest.raises(SettingsError, match=r"GATA_TRAIN_ON_SPOT='maybe'.*trainer\.use_spot"):
        GataSettings.from_env({**home, "GATA_TRAIN_ON_SPOT": "maybe"})
    # In range for its type, out of range for the resource: refused by the resource, named.
    settings = GataSettings.from_env({**home, "GATA_RETRAIN_DRIFT_THRESHOLD": "25"})
    pattern = r"GATA_RETRAIN_DRIFT_THRESHOLD=25\.0: LifecycleConfig\.retrain_drift_threshold"
    with pytest.raises(SettingsError, match=pattern):
        build_definitions(settings)


def test_secret_values_never_reach_settings_or_errors(tmp_path):
    url = "postgresql+psycopg://gata:hunter2@db/registry"
    settings = GataSettings.from_env({"GATA_HOME": str(tmp_path), "GATA_REGISTRY_DB_URL": url})
    assert settings.registry_db_url_from_env and "hunter2" not in repr(settings)


def test_one_field_set_by_two_variables_is_refused(tmp_path):
    env = {
        "GATA_MODE": "aws",
        "GATA_ARTIFACT_BUCKET": "b",
        "AWS_REGION": "eu-west-1",
        "GATA_ENDPOINT_NAME_PREFIX": "a",
        "GATA_SAGEMAKER_NAME_PREFIX": "b",
    }
    pattern = "GATA_SAGEMAKER_NAME_PREFIX and GATA_ENDPOINT_NAME_PREFIX both set name_prefix"
    with pytest.raises(SettingsError, match=pattern):
        build_definitions(GataSettings.from_env(env))


def _used_names() -> dict[str, str]:
    """Every GATA_* variable named in code, tests, docs, infra, containers and CI."""
    roots = ["gata_assets", "gata_assets_tests", "bench", "containers", "infra", ".ci", "docs"]
    files = [REPO / "README.md", REPO / "DEVELOPERS.md"]
    skipped = {"__pycache__", ".terraform"}  # bytecode, Terraform's provider downloads
    for root in roots:
        files += [p for p in (REPO / root).rglob("*") if not skipped & set(p.parts)]
    used: dict[str, str] = {}
    for path in files:
        if not path.is_file() or path == Path(__file__):  # this file misspells on purpose
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for name in re.findall(r"\bGATA_[A-Z0-9_]+", text):
            # GATA_COLUMN_* and GATA_TRAIN_<FIELD> name families; GATA_OUTPUTS is a Python name.
            if not name.endswith("_") and name != "GATA_OUTPUTS":
                used.setdefault(name, str(path.relative_to(REPO)))
    return used


def test_every_variable_the_repository_uses_has_a_row():
    used = _used_names()
    missing = {name: where for name, where in used.items() if name not in OPTIONS}
    assert missing == {}, "add these to gata_assets/options.py"
    assert len(used) > 60  # the scan found the repository


def _resource_classes() -> dict[str, type]:
    from gata_assets.resources.approval_queue import SqsApprovalQueue
    from gata_assets.resources.aws import AwsResource
    from gata_assets.resources.cost_meter import AwsCostMeter
    from gata_assets.resources.events import EventBridgeEvents
    from gata_assets.resources.image_tags import SsmImageTags
    from gata_assets.resources.lifecycle_config import LifecycleConfig
    from gata_assets.resources.local_deployer import LocalDeployer
    from gata_assets.resources.mlflow_registry import MlflowModelRegistry
    from gata_assets.resources.mlflow_tracking import MlflowTracking
    from gata_assets.resources.pipeline_config import PipelineConfig
    from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
    from gata_assets.resources.sagemaker_registry import SageMakerModelRegistry
    from gata_assets.resources.sagemaker_trainer import SageMakerTrainer
    from gata_assets.resources.ticket_db import TicketColumns
    from gata_assets.resources.trainer import TrainingConfig

    return {
        "aws": AwsResource,
        "columns": TicketColumns,
        "pipeline": PipelineConfig,
        "training": TrainingConfig,
        "lifecycle": LifecycleConfig,
        "trainer": SageMakerTrainer,
        "deployer": LocalDeployer,
        "sagemaker_deployer": SageMakerDeployer,
        "prod_deployer": SageMakerDeployer,
        "registry": SageMakerModelRegistry,
        "mlflow": MlflowTracking,
        "mlflow_registry": MlflowModelRegistry,
        "events": EventBridgeEvents,
        "image_tags": SsmImageTags,
        "approval_queue": SqsApprovalQueue,
        "cost": AwsCostMeter,
    }


def _parses_to(row: options.Option) -> object:
    samples = {
        str: "x",
        int: "7",
        float: "0.5",
        options.flag: "true",
        options.csv: "a,b",
        options.precision_target: "0.95",
    }
    # A choice() parses its first allowed value ("standard or adaptive" → "standard").
    return type(row.parse(samples.get(row.type, row.type.__name__.split(" or ")[0])))


def test_rows_match_the_fields_they_set_and_every_config_field_has_a_row():
    classes = _resource_classes()
    for row in OPTIONS.values():
        for consumer, name in row.targets:
            if consumer not in classes:
                continue
            field = classes[consumer].model_fields.get(name)
            assert field is not None, f"{row.name}: {consumer} has no field {name}"
            assert field.default == row.default, (row.name, field.default, row.default)
            annotation = field.annotation
            if isinstance(annotation, types.UnionType):  # `str | None`
                (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = typing.get_origin(annotation) or annotation
            wanted = str if annotation is typing.Literal else annotation
            assert _parses_to(row) is wanted, (row.name, field.annotation)
    targets = {target for row in OPTIONS.values() for target in row.targets}
    for consumer in ("columns", "pipeline", "training", "lifecycle"):
        for name in classes[consumer].model_fields:
            assert (consumer, name) in targets, f"{consumer}.{name} has no GATA_* option"
