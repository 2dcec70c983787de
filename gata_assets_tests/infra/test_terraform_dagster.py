"""infra/dagster: the instance and workspace files name real classes and read only the
environment the ECS tasks set."""

from __future__ import annotations

import importlib
from typing import Any

import yaml

from gata_assets_tests.infra.hcl_helpers import (
    DAGSTER_DIR,
    Config,
)

# --- Dagster instance and workspace -------------------------------------------------------------


def _env_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"env"}:
            return {value["env"]}
        return set().union(*(_env_names(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_env_names(v) for v in value)) if value else set()
    return set()


def _configurable_class(section: dict) -> type:
    return getattr(importlib.import_module(section["module"]), section["class"])


def test_dagster_yaml_uses_ecs_run_launcher_postgres_queue_monitoring_retries() -> None:
    instance = yaml.safe_load((DAGSTER_DIR / "dagster.yaml").read_text())

    launcher = instance["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_aws.ecs", "EcsRunLauncher")
    launcher_class = _configurable_class(launcher)
    assert set(launcher["config"]) <= set(launcher_class.config_type())
    assert launcher["config"]["container_name"] == "run"

    coordinator = instance["run_coordinator"]
    assert coordinator["class"] == "QueuedRunCoordinator"
    assert set(coordinator["config"]) <= set(_configurable_class(coordinator).config_type())

    for key in ("compute_logs", "local_artifact_storage"):
        section = instance[key]
        assert set(section["config"]) <= set(_configurable_class(section).config_type()), key

    postgres = instance["storage"]["postgres"]["postgres_db"]
    assert set(postgres) == {"username", "password", "hostname", "db_name", "port", "params"}
    assert postgres["password"] == {"env": "DAGSTER_PG_PASSWORD"}, "password from the env only"

    assert instance["run_monitoring"]["enabled"] is True
    assert instance["run_retries"]["enabled"] is True
    assert instance["run_retries"]["max_retries"] >= 1


def test_dagster_files_read_only_environment_the_tasks_set(config: Config) -> None:
    instance = yaml.safe_load((DAGSTER_DIR / "dagster.yaml").read_text())
    workspace = yaml.safe_load((DAGSTER_DIR / "workspace.yaml").read_text())
    (server,) = workspace["load_from"]
    assert server["grpc_server"]["location_name"] == "gata"

    provided = set(config.locals["dagster_environment"]) | {
        secret["name"] for secret in config.locals["dagster_secrets"]
    }
    assert _env_names(instance) | _env_names(workspace) <= provided
    assert _env_names(instance)  # the checker sees the env references

    dockerfile = (DAGSTER_DIR / "Dockerfile").read_text()
    home = config.locals["dagster_environment"]["DAGSTER_HOME"]
    assert f"DAGSTER_HOME={home}" in dockerfile
    assert "COPY infra/dagster/dagster.yaml ${DAGSTER_HOME}/dagster.yaml" in dockerfile
    assert config.locals["workspace_file"] == "${local.app_dir}/workspace.yaml"
    assert f"{config.locals['app_dir']}/workspace.yaml" in dockerfile
