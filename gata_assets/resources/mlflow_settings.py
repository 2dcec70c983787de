"""Which registry gata uses, and whether MLflow is on: the rules build.py applies.

GATA_MLFLOW_TRACKING_URI alone turns MLflow on (every training run is tracked); only
GATA_REGISTRY=mlflow makes MLflow's model registry gata's too. Unset, GATA_REGISTRY keeps the
rule gata always had: SQL by GATA_REGISTRY_DB_URL, else SageMaker with GATA_MODE=aws, else
SQLite under GATA_HOME. A combination that would silently do nothing (an MLflow option
without the URI, a registry database beside another registry, the URI without mlflow
installed) fails here, when the definitions load or `gata` starts, with one sentence.
"""

from __future__ import annotations

import importlib.util

from gata_assets.options import SettingsError
from gata_assets.resources.mlflow_client import INSTALL_HINT
from gata_assets.settings import GataSettings

TRACKING_URI = "GATA_MLFLOW_TRACKING_URI"
NEEDS_URI = f"{TRACKING_URI} (an MLflow tracking server, or a local sqlite:///…/mlflow.db)"


def mlflow_on(settings: GataSettings) -> bool:
    # A secret: settings keep that it is set, never its value.
    return "mlflow_tracking_uri" in settings.values.get("settings", {})


def registry_kind(settings: GataSettings) -> str:
    """`sql`, `sagemaker` or `mlflow`."""
    chosen = settings.values.get("settings", {}).get("registry")
    if chosen is None:
        aws = settings.mode == "aws" and not settings.registry_db_url_from_env
        return "sagemaker" if aws else "sql"
    if chosen != "sql" and settings.registry_db_url_from_env:
        raise SettingsError(
            f"GATA_REGISTRY_DB_URL is the SQL registry's database but GATA_REGISTRY={chosen}: "
            "unset one of them"
        )
    return chosen


def check_mlflow(settings: GataSettings) -> None:
    """Refuse MLflow settings that cannot take effect."""
    registry = registry_kind(settings)
    given = {
        "GATA_MLFLOW_EXPERIMENT": "experiment" in settings.values.get("mlflow", {}),
        "GATA_MLFLOW_PROD_ALIAS": "approved_alias" in settings.values.get("mlflow_registry", {}),
    }
    if not mlflow_on(settings):
        if registry == "mlflow":
            raise SettingsError(f"GATA_REGISTRY=mlflow needs {NEEDS_URI}")
        orphans = [name for name, is_set in given.items() if is_set]
        if orphans:
            raise SettingsError(f"{' and '.join(orphans)} take effect only with {NEEDS_URI}")
        return
    if importlib.util.find_spec("mlflow") is None:
        raise SettingsError(f"{TRACKING_URI} is set but mlflow is not installed: {INSTALL_HINT}")
    if given["GATA_MLFLOW_PROD_ALIAS"] and registry != "mlflow":
        raise SettingsError(
            "GATA_MLFLOW_PROD_ALIAS is the MLflow registry's approval alias: set "
            f"GATA_REGISTRY=mlflow or unset it (the registry now is {registry})"
        )
