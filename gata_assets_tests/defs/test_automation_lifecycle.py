"""End to end on the real stages: retrain → gate + registry → preprod; approve → prod; batch.

The local trainer fine-tunes both models on the small ticket database, the local deployer
starts real gata-serve processes, and the lifecycle's own sensors and jobs move versions.
"""

from __future__ import annotations

import dagster as dg
import pytest

from gata_assets.definitions import build_definitions
from gata_assets.settings import GataSettings

pytestmark = pytest.mark.slow
FAST = {
    "GATA_TRAIN_EPOCHS": "3",
    "GATA_TRAIN_LOW_VOLUME_EPOCHS": "6",
    "GATA_TRAIN_MAX_LENGTH": "24",
    "GATA_TRAIN_BATCH_SIZE": "16",
    "GATA_TRAIN_LEARNING_RATE": "3e-4",
    "GATA_TRAIN_MIN_MACRO_F1": "0.3",
    "GATA_TRAIN_BASELINE_MARGIN": "-1",
    "GATA_ENDPOINT_NAME_PREFIX": "gata-e2e",
}


@pytest.fixture
def lifecycle(small_ticket_db, gata_home):
    defs = build_definitions(GataSettings.from_env({"GATA_HOME": str(gata_home), **FAST}))
    deployer = defs.resources["deployer"]
    yield defs, dg.DagsterInstance.ephemeral()
    for role in ("router", "prod"):
        deployer.stop(deployer.endpoint_name(role))


def test_retrain_gate_register_preprod_then_approve_to_prod_then_batch(lifecycle):
    defs, instance = lifecycle
    resources = defs.resources
    registry, store, events = (
        resources["registry"],
        resources["artifact_store"],
        resources["events"],
    )

    retrain = defs.resolve_job_def("retrain").execute_in_process(instance=instance)
    assert retrain.success
    gates = {
        e.asset_key.to_user_string(): e
        for e in retrain.get_asset_check_evaluations()
        if e.check_name == "champion_challenger"
    }
    assert set(gates) == {"general_model", "low_volume_model"}
    assert all(g.passed for g in gates.values())
    entries = {e.group: e for e in registry.list()}
    assert {e.status for e in entries.values()} == {"PendingManualApproval"}
    preprod = retrain.asset_materializations_for_node("routing_endpoint")[0].metadata
    assert preprod["general_model_version"].value == entries["general"].version

    # The run-status sensor publishes the lineage of this run.
    sensor = defs.resolve_sensor_def("run_succeeded_events")
    with dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=retrain.get_run_success_event(),
        dagster_instance=instance,
        dagster_run=retrain.dagster_run,
        resources={
            "events": events,
            "artifact_store": store,
            "cost_meter": resources["cost_meter"],
        },
    ) as context:
        sensor(context)
    detail = events.read()[-1]["detail"]
    assert {m["model_version"] for m in detail["models"]} == {e.version for e in entries.values()}
    assert detail["endpoints"][0]["name"] == "gata-e2e-router"

    # Nothing reaches prod until a person approves both versions.
    promote = defs.resolve_sensor_def("prod_promotion_sensor")

    def tick():
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            return promote(context)

    assert isinstance(tick(), dg.SkipReason)
    for entry in entries.values():
        registry.approve(entry.version, note="e2e")
    (request,) = tick().run_requests
    prod = defs.resolve_job_def("promote_prod").execute_in_process(
        instance=instance, run_config=request.run_config, tags=request.tags
    )
    assert prod.success
    served = prod.asset_materializations_for_node("prod_endpoint")[0].metadata
    assert served["general_model_version"].value == entries["general"].version
    assert "prod already serves" in tick().skip_message

    batch = defs.resolve_job_def("batch_inference").execute_in_process(
        instance=instance, partition_key="2026-05-02"
    )
    meta = batch.asset_materializations_for_node("batch_predictions")[0].metadata
    assert meta["dagster/row_count"].value == 24
    assert meta["model_sources"].value == {"general": "approved", "low_volume": "approved"}
