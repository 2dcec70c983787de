"""The deployment stage in Dagster: lineage model → endpoint, a real local deployment with
its endpoint check, and a failed deployment that fails the materialization with the reason."""

import shutil

import dagster as dg
import pandas as pd
import pytest

from gata_assets.core.verdicts import BLOCKING_CHECKS
from gata_assets.definitions import build_definitions
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.defs.deployment import defs as deployment_defs
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.local_deployer import LocalDeployer
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager, ref_key
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.settings import GataSettings
from gata_assets_tests.serving_fixtures import session_models

ENDPOINT = dg.AssetKey("routing_endpoint")


def test_endpoint_is_downstream_of_both_models(tmp_path):
    defs = build_definitions(GataSettings.from_env({"GATA_HOME": str(tmp_path)}))
    graph = defs.resolve_asset_graph()
    node = graph.get(ENDPOINT)
    assert node.parent_keys == {dg.AssetKey("general_model"), dg.AssetKey("low_volume_model")}
    assert node.group_name == "deployment" and "fastapi" in node.kinds
    assert any(key.asset_key == ENDPOINT for key in graph.asset_check_keys)
    assert isinstance(defs.resources["deployer"], LocalDeployer)


@pytest.fixture
def world(tmp_path, tmp_path_factory):
    models = session_models(tmp_path_factory)
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    test_set = pd.DataFrame(
        {
            "ticket_id": [7, 3],
            "text": ["printer jam", "refund my invoice"],
            "label": [13, 11],
            "category": ["printer", "billing"],
        }
    )
    stored = store.write_parquet(test_set, "batches/b1/general/test.parquet")
    store.write_json(
        {**stored.as_dict(), "batch_id": "b1"}, ref_key(dg.AssetKey("general_test_set"))
    )

    registry = SqlModelRegistry(url=f"sqlite:///{tmp_path / 'gata.db'}")

    def publish_models(general_dir, version: str) -> None:
        for role, path in (("general", general_dir), ("low_volume", models.fallback)):
            uri = store.put_dir(path, f"models/{role}/{version}").uri
            # Only servable versions are deployed: every blocking check passed on these.
            registry.register(
                version=f"{role}-{version}",
                group=role,
                metrics={"fallback": role == "low_volume"},
                data_sha256="d",
                code_version="c",
                base_model="b",
                artifact_uri=uri,
                batch_id="b1",
            )
            for check in BLOCKING_CHECKS:
                registry.record_check(f"{role}-{version}", check, True, "passed")
            ref = {
                "uri": uri,
                "model_version": f"{role}-{version}",
                "batch_id": "b1",
                "fallback": role == "low_volume",
            }
            store.write_json(ref, ref_key(dg.AssetKey(f"{role}_model")))

    deployer = LocalDeployer(home=str(tmp_path / "home"), startup_timeout_s=120)
    resources = {
        "deployer": deployer,
        "artifact_store": store,
        "registry": registry,
        REFS_IO_MANAGER: ArtifactRefIOManager(store=store),
    }
    yield models, publish_models, resources, store
    deployer.stop(deployer.endpoint_name("router"))


def materialize(resources, raise_on_error=True):
    upstream = [dg.AssetSpec(k) for k in ("general_model", "low_volume_model", "general_test_set")]
    return dg.materialize(
        [*deployment_defs.assets, *deployment_defs.asset_checks, *upstream],
        resources=resources,
        selection=[ENDPOINT],
        raise_on_error=raise_on_error,
    )


@pytest.mark.slow
def test_deploys_locally_and_check_gets_a_valid_answer(world):
    models, publish_models, resources, store = world
    publish_models(models.handoff_general, "1")
    result = materialize(resources)
    ref = store.read_json(store.uri(ref_key(ENDPOINT)))
    assert ref["endpoint"] == "gata-router" and ref["url"].startswith("http://127.0.0.1:")
    assert ref["model_versions"] == {"general": "general-1", "low_volume": "low_volume-1"}
    assert ref["batch_id"] == "b1" and ref["low_volume_fallback"] is True
    [check] = result.get_asset_check_evaluations()
    assert check.passed, check.description
    assert check.metadata["ticket_id"].value == "3"  # lowest id: the same known ticket each time
    assert check.metadata["route"].value == "fallback"  # hand-off → fallback low-volume model
    assert check.metadata["latency_ms"].value <= 2000


@pytest.mark.slow
def test_broken_model_fails_materialization_with_reason(world, tmp_path):
    models, publish_models, resources, _ = world
    broken = tmp_path / "broken"
    shutil.copytree(models.random_general, broken)
    (broken / "config.json").write_text("{not json")
    publish_models(broken, "2")
    result = materialize(resources, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "failed its health check" in failure.step_failure_data.error.message


@pytest.mark.slow
def test_per_model_layout_deploys_the_general_endpoint_and_the_check_routes_through_it(world):
    models, publish_models, resources, store = world
    publish_models(models.handoff_general, "1")  # the low-volume model is a fallback
    home = resources["deployer"].home
    deployer = LocalDeployer(home=home, startup_timeout_s=120, layout="per-model")
    try:
        result = materialize({**resources, "deployer": deployer})
    finally:
        stopped = deployer.stop(deployer.endpoint_name("router"))
    assert stopped
    ref = store.read_json(store.uri(ref_key(ENDPOINT)))
    assert ref["layout"] == "per-model" and ref["endpoint"] == "gata-router"
    assert list(ref["model_endpoints"]) == ["general"]  # a fallback model needs no endpoint
    assert ref["model_endpoints"]["general"]["name"] == "gata-router-general"
    [materialization] = result.asset_materializations_for_node("routing_endpoint")
    url = materialization.metadata["general_endpoint_url"].value
    assert url == ref["model_endpoints"]["general"]["url"]
    [check] = result.get_asset_check_evaluations()
    assert check.passed, check.description
    assert check.metadata["layout"].value == "per-model"
    assert check.metadata["route"].value == "fallback"  # hand-off → the fallback's answer
