"""Local MLflow stores for tests: a fresh SQLite store per test, no server.

Creating an MLflow database runs its whole schema migration (seconds); a template made once
per test process and copied per test keeps each store fresh without paying that every time.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

from gata_assets.resources.mlflow_client import mlflow_client


@functools.cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="gata-mlflow-template-"))
    atexit.register(shutil.rmtree, folder, True)
    database = folder / "mlflow.db"
    mlflow_client(f"sqlite:///{database}").search_experiments()  # creates the schema
    return database


def mlflow_store(folder: Path) -> str:
    """`sqlite:///<folder>/mlflow.db`, empty; its artifacts go to <folder>/mlartifacts."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(_template(), folder / "mlflow.db")
    return f"sqlite:///{folder / 'mlflow.db'}"


def client(uri: str) -> Any:
    """The MlflowClient a test inspects the store with (as the MLflow UI would show it)."""
    return mlflow_client(uri)
