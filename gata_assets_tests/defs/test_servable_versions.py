"""A version that failed a blocking check is never served or compared against, in any run.

The checks record every verdict in the registry; the routing endpoint (what `redeploy`
runs), batch inference and the gate's champion lookup pick servable versions only, and do
nothing (saying so) when there is none."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from gata_assets.core.references import ModelRef
from gata_assets.core.verdicts import BLOCKING_CHECKS, is_servable, why_not_servable
from gata_assets.defs.automation.gate import build_gate, champion_of
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.defs.deployment.endpoints import routing_endpoint
from gata_assets.defs.inference.assets import serving_models
from gata_assets.defs.training.checks import build_model_checks
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager, latest_ref, ref_key
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.resources.trainer import TrainingConfig
from gata_assets_tests.defs.deployer_helpers import FileDeployer

ENDPOINT = dg.AssetKey("routing_endpoint")


@pytest.fixture
def world(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    registry = SqlModelRegistry(url=f"sqlite:///{tmp_path / 'gata.db'}")
    deployer = FileDeployer(path=str(tmp_path / "deployed.json"))
    resources = {
        "artifact_store": store,
        "registry": registry,
        "deployer": deployer,
        "lifecycle": LifecycleConfig(gate_tolerance=0.01),
        REFS_IO_MANAGER: ArtifactRefIOManager(store=store),
    }
    return store, registry, deployer, resources


def add(registry, version: str, group: str, failed: str = "") -> None:
    """A registered version; every blocking check passed except `failed` (if named)."""
    registry.register(
        version=version,
        group=group,
        metrics={"macro_f1": 0.9},
        data_sha256=f"hash-{version}",
        code_version="c",
        base_model="b",
        artifact_uri=f"file:///m/{version}",
        batch_id=f"batch-{version}",
    )
    for check in BLOCKING_CHECKS:
        passed = check != failed
        registry.record_check(version, check, passed, "ok" if passed else f"{check} said no")


def latest(store, version: str, group: str) -> None:
    """Make `version` the model asset's latest reference (what a redeploy run loads)."""
    ref = ModelRef(uri=f"file:///m/{version}", model_version=version, group=group, batch_id="b")
    store.write_json(ref.to_json(), ref_key(dg.AssetKey(f"{group}_model")))


def redeploy(resources):
    upstream = [dg.AssetSpec(k) for k in ("general_model", "low_volume_model")]
    return dg.materialize([routing_endpoint, *upstream], resources=resources, selection=[ENDPOINT])


def test_verdicts_decide_servable():
    ok = {c: {"passed": True, "reason": ""} for c in BLOCKING_CHECKS}
    assert is_servable(ok) and why_not_servable(ok) == ""
    failed = {**ok, "beats_tfidf_baseline": {"passed": False, "reason": "loses to TF-IDF"}}
    assert not is_servable(failed)
    assert why_not_servable(failed) == "beats_tfidf_baseline failed (loses to TF-IDF)"
    unchecked = {"macro_f1_floor": ok["macro_f1_floor"]}
    assert not is_servable(unchecked) and "no verdict from beats_tfidf_baseline" in (
        why_not_servable(unchecked)
    )


def test_redeploy_keeps_the_servable_version_when_the_latest_failed(world):
    store, registry, deployer, resources = world
    add(registry, "general-A", "general")
    add(registry, "low_volume-A", "low_volume")
    add(registry, "general-B", "general", failed="beats_tfidf_baseline")
    latest(store, "general-B", "general")
    latest(store, "low_volume-A", "low_volume")
    assert redeploy(resources).success
    assert deployer.serving("gata-router") == {"general": "general-A", "low_volume": "low_volume-A"}
    ref = latest_ref(store, ENDPOINT)
    assert ref.model_versions["general"] == "general-A" and ref.model_uris["general"].endswith("A")
    assert ref.batch_id == "batch-general-A" and ref.data_sha256 == "hash-general-A"


def test_with_no_servable_version_nothing_is_deployed(world):
    store, registry, deployer, resources = world
    add(registry, "general-B", "general", failed="macro_f1_floor")
    add(registry, "low_volume-A", "low_volume")
    latest(store, "general-B", "general")
    latest(store, "low_volume-A", "low_volume")
    result = redeploy(resources)
    assert result.success and not result.asset_materializations_for_node("routing_endpoint")
    assert deployer.serving("gata-router") is None and latest_ref(store, ENDPOINT) is None


def test_batch_inference_never_falls_back_to_an_unchecked_version(world):
    store, registry, _, _ = world
    log = dg.get_dagster_logger()
    add(registry, "general-A", "general")
    add(registry, "general-B", "general", failed="champion_challenger")
    latest(store, "general-B", "general")
    models = serving_models(registry, store, log)
    assert models["general"].model_version == "general-A"
    assert models["general"].source == "newest servable" and "low_volume" not in models
    empty = SqlModelRegistry(url=f"sqlite:///{store.root}/other.db")
    with pytest.raises(dg.Failure, match="no servable general model"):
        serving_models(empty, store, log)


def test_the_champion_is_never_a_version_that_failed_a_check(world):
    store, registry, _, _ = world
    add(registry, "general-A", "general")
    add(registry, "general-B", "general", failed="beats_tfidf_baseline")
    refs = {"model_versions": {"general": "general-B"}, "model_uris": {"general": "file:///B"}}
    store.write_json({"endpoint": "gata-router", **refs}, ref_key(ENDPOINT))
    assert champion_of("general", store, registry, "general-C").version == "general-A"
    add(registry, "general-A2", "general", failed="macro_f1_floor")
    # Judging A itself: B and A2 failed a check, so there is no champion to compare with.
    assert champion_of("general", store, registry, "general-A") is None
    nothing = SqlModelRegistry(url=f"sqlite:///{store.root}/none.db")
    assert champion_of("general", store, nothing, "general-C") is None


TEXT = {1: "invoice refund charge", 2: "vpn tunnel token", 3: "printer toner jam"}


def split(store, side: str) -> dg.AssetsDefinition:
    rows = [
        {"ticket_id": i, "text": f"{TEXT[label]} {i}", "label": label, "category": f"c{label}"}
        for i, label in enumerate([1, 2, 3] * 10)
    ]
    frame = pd.DataFrame(rows)
    part = frame[(frame.ticket_id % 5 == 0) == (side == "test")]

    @dg.asset(name=f"general_{side}_set", io_manager_key=REFS_IO_MANAGER)
    def split_set() -> dict:
        return {**store.write_parquet(part, f"{side}.parquet").as_dict(), "batch_id": "b1"}

    return split_set


def model_asset(f1: float) -> dg.AssetsDefinition:
    @dg.asset(name="general_model", io_manager_key=REFS_IO_MANAGER)
    def general_model(artifact_store: dg.ResourceParam[LocalArtifactStore]) -> dict:
        sets = [
            latest_ref(artifact_store, dg.AssetKey(f"general_{s}_set")) for s in ("train", "test")
        ]
        return {
            "uri": "file:///m/general-X",
            "model_version": "general-X",
            "group": "general",
            "batch_id": "b1",
            "train_sha256": sets[0].sha256,
            "test_sha256": sets[1].sha256,
            "metrics": {"accuracy": f1, "macro_f1": f1},
        }

    return general_model


@pytest.mark.parametrize(("f1", "servable"), [(1.0, True), (0.85, False)])
def test_every_blocking_check_records_its_verdict(world, f1, servable):
    store, registry, _, resources = world
    resources = {**resources, "training": TrainingConfig(min_macro_f1=0.8)}
    assets = [split(store, "train"), split(store, "test"), model_asset(f1)]
    checks = [*build_model_checks("general"), build_gate("general")]
    dg.materialize(assets, resources=resources, selection=["general_train_set", "general_test_set"])
    dg.materialize(
        [*assets, *checks], resources=resources, selection=["general_model"], raise_on_error=False
    )
    entry = registry.get("general-X")
    assert set(entry.checks) == set(BLOCKING_CHECKS) and entry.servable is servable
    assert entry.checks["macro_f1_floor"]["passed"] is True
    # TF-IDF is perfect on this data: 0.85 loses to it, and the registry says why.
    assert entry.checks["beats_tfidf_baseline"]["passed"] is servable
    assert "TF-IDF baseline 1.0000" in entry.checks["beats_tfidf_baseline"]["reason"]
    assert entry.gate["passed"] is True and entry.checks["champion_challenger"]["passed"]
