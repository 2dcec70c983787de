"""`gata models list|approve|reject` against the SQL registry (SQLite and PostgreSQL) and the
MLflow registry (GATA_REGISTRY=mlflow on a local SQLite store)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import gata_assets.cli.models  # noqa: F401  (registers `gata models`)
from gata_assets.cli import app
from gata_assets.core.verdicts import BLOCKING_CHECKS, GATE_CHECK
from gata_assets.resources.mlflow_registry import MlflowModelRegistry
from gata_assets.resources.registry import ModelRegistry, SqlModelRegistry
from gata_assets_tests.mlflow_helpers import mlflow_store
from gata_assets_tests.pg import fresh_database


@pytest.fixture(params=["sqlite", "mlflow", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request, gata_home, monkeypatch):
    if request.param == "sqlite":
        monkeypatch.delenv("GATA_REGISTRY_DB_URL", raising=False)
        yield SqlModelRegistry(url=f"sqlite:///{gata_home / 'gata.db'}")
        return
    if request.param == "mlflow":
        monkeypatch.delenv("GATA_REGISTRY_DB_URL", raising=False)
        uri = mlflow_store(gata_home / "mlflow")
        monkeypatch.setenv("GATA_REGISTRY", "mlflow")
        monkeypatch.setenv("GATA_MLFLOW_TRACKING_URI", uri)
        yield MlflowModelRegistry(tracking_uri=uri)
        return
    with fresh_database() as url:
        monkeypatch.setenv("GATA_REGISTRY_DB_URL", url)
        registry = SqlModelRegistry(url=url)
        yield registry
        registry._store.engine.dispose()


def seed(registry: ModelRegistry) -> None:
    for version, f1, passed in (("general-b1-aaaa", 0.91, True), ("general-b2-bbbb", 0.7, False)):
        registry.register(
            version=version,
            group="general",
            metrics={"macro_f1": f1},
            data_sha256="d",
            code_version="c",
            base_model="b",
            artifact_uri=f"file:///m/{version}",
            batch_id="b",
            gate={
                "passed": passed,
                "challenger_macro_f1": f1,
                "champion_macro_f1": 0.9,
                "reason": "worse than the champion" if not passed else "ok",
            },
        )
        for check in BLOCKING_CHECKS:
            ok = passed or check != GATE_CHECK
            registry.record_check(version, check, ok, "ok" if ok else "worse than the champion")


def gata(*args: str):
    return CliRunner().invoke(app, ["models", *args])


def test_list_approve_reject(registry):
    assert "no registered model versions" in gata("list").output
    seed(registry)
    listed = gata("list")
    assert listed.exit_code == 0
    assert "general-b1-aaaa  general  PendingManualApproval  macro-F1 0.9100" in listed.output
    assert "gate FAILED (0.7000 vs 0.9000)" in listed.output
    # Every blocking check's verdict, and whether the version may serve.
    assert "NOT servable: macro_f1_floor passed, beats_tfidf_baseline passed, " in listed.output
    assert "champion_challenger FAILED (worse than the champion)" in listed.output

    approved = gata("approve", "general-b1-aaaa", "--note", "checked billing samples")
    assert approved.exit_code == 0 and "general-b1-aaaa: Approved" in approved.output
    entry = registry.get("general-b1-aaaa")
    assert entry.status == "Approved" and entry.note == "checked billing samples"

    rows = json.loads(gata("list", "--status", "Approved", "--json").output)
    assert [r["version"] for r in rows] == ["general-b1-aaaa"]
    rejected = gata("reject", "general-b1-aaaa", "-m", "drifted")
    assert rejected.exit_code == 0 and registry.latest_approved("general") is None


def test_gate_failures_need_force_and_unknown_versions_fail(registry):
    seed(registry)
    refused = gata("approve", "general-b2-bbbb")
    assert refused.exit_code == 2 and "champion_challenger failed" in refused.output
    assert registry.get("general-b2-bbbb").status == "PendingManualApproval"
    assert gata("approve", "general-b2-bbbb", "--force").exit_code == 0
    assert registry.get("general-b2-bbbb").status == "Approved"
    missing = gata("reject", "nope")
    assert missing.exit_code == 2 and "no model version 'nope'" in missing.output
