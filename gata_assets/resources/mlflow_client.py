"""What gata's MLflow tracking and MLflow registry share: a client, the experiment, links.

One `MlflowClient` with the tracking URI as both tracking and registry URI, never mlflow's
global `set_tracking_uri`: two model assets may log from one process (the in-process
executor) and each keeps its own state. mlflow is imported inside each function, so a
deployment without GATA_MLFLOW_TRACKING_URI never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

INSTALL_HINT = "pip install 'gata[mlflow]'"


def mlflow_client(tracking_uri: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def already_exists(error: Exception) -> bool:
    """A create that lost a race (another step created the same experiment or model)."""
    return getattr(error, "error_code", "") == "RESOURCE_ALREADY_EXISTS"


def local_artifact_location(tracking_uri: str) -> str | None:
    """Artifacts of a local `sqlite:///` store go beside the database file: MLflow's own
    default is ./mlruns in whatever directory the Dagster run worker started in."""
    if not tracking_uri.startswith("sqlite:///"):
        return None  # a tracking server (or database) chooses its own artifact root
    database = Path(tracking_uri.removeprefix("sqlite:///")).expanduser().resolve()
    return (database.parent / "mlartifacts").as_uri()


def experiment_id(client: Any, name: str, tracking_uri: str) -> str:
    """The id of experiment `name`, created on first use (concurrent creators agree)."""
    from mlflow.exceptions import MlflowException

    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    try:
        return client.create_experiment(
            name, artifact_location=local_artifact_location(tracking_uri)
        )
    except MlflowException as error:
        if not already_exists(error):
            raise
        return client.get_experiment_by_name(name).experiment_id


def every_page(search: Callable[..., Any], filter_string: str) -> list[Any]:
    """All results of an MLflow search, page after page."""
    found: list[Any] = []
    token = None
    while True:
        page = search(filter_string, page_token=token)
        found.extend(page)
        token = page.token
        if not token:
            return found


def ensure_registered_model(client: Any, name: str, group: str) -> str:
    """Registered model `name`, created on first use (concurrent creators agree)."""
    from mlflow.exceptions import MlflowException

    try:
        client.create_registered_model(
            name, tags={"gata.group": group}, description=f"gata ticket-routing models: {group}"
        )
    except MlflowException as error:
        if not already_exists(error):
            raise
    return name


def training_run(client: Any, experiment: str, version: str) -> str | None:
    """The finished run that trained model `version`, when MLflow tracking logged one."""
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return None
    runs = client.search_runs(
        [found.experiment_id],
        f"tags.`gata.model_version` = '{version}' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    return runs[0].info.run_id if runs else None


def run_url(tracking_uri: str, experiment: str, run_id: str) -> str:
    """The run's page on an HTTP(S) tracking server, credentials removed; "" for a store
    without a web UI (a local file or database)."""
    parts = urlsplit(tracking_uri)
    if parts.scheme not in ("http", "https"):
        return ""
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    return f"{base}/#/experiments/{experiment}/runs/{run_id}"
