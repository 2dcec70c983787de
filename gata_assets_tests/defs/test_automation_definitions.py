"""The assembled definitions: lifecycle jobs, freshness on every stage, gates on both models."""

from __future__ import annotations

import time
import types
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from gata_assets.definitions import build_definitions
from gata_assets.defs.automation import freshness
from gata_assets.defs.automation.gate import gate_checks
from gata_assets.defs.automation.jobs import retrain_job
from gata_assets.resources.events import EventBridgeEvents, LocalEventLog
from gata_assets.resources.image_tags import SsmImageTags
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.resources.sagemaker_registry import SageMakerModelRegistry
from gata_assets.settings import GataSettings

DAY = timedelta(days=1)


@pytest.fixture
def defs(gata_home) -> dg.Definitions:
    return build_definitions(GataSettings.from_env({"GATA_HOME": str(gata_home)}))


def test_lifecycle_jobs_and_gates_resolve(defs):
    for name in ("retrain", "redeploy", "promote_prod", "batch_inference"):
        assert defs.resolve_job_def(name) is not None
    graph = defs.resolve_asset_graph()
    retrain = {k.to_user_string() for k in retrain_job.selection.resolve(graph)}
    assert {"ticket_extract", "general_model", "low_volume_model", "routing_endpoint"} <= retrain
    assert "prod_endpoint" not in retrain  # prod moves only on approval
    gates = [spec for check in gate_checks for spec in check.check_specs]
    assert {g.asset_key.to_user_string() for g in gates} == {"general_model", "low_volume_model"}
    assert all(g.blocking and g.name == "champion_challenger" for g in gates)
    assert {g.key for g in gates} <= set(graph.asset_check_keys)
    # The endpoint is downstream of both models, so a failed gate stops it.
    specs = {s.key.to_user_string(): s for s in defs.resolve_all_asset_specs()}
    parents = {d.asset_key.to_user_string() for d in specs["routing_endpoint"].deps}
    assert {"general_model", "low_volume_model"} <= parents


def test_freshness_policies_on_every_lifecycle_asset(defs):
    policies = {s.key.to_user_string(): s.freshness_policy for s in defs.resolve_all_asset_specs()}
    windows = {
        name: policies[name].fail_window.to_timedelta()
        for name in (
            "ticket_extract",
            "general_model",
            "low_volume_model",
            "routing_endpoint",
            "prod_endpoint",
            "batch_predictions",
        )
    }
    assert DAY <= windows["ticket_extract"] <= DAY + timedelta(hours=3)
    assert windows["general_model"] == windows["low_volume_model"] == timedelta(days=8)
    assert windows["routing_endpoint"] == timedelta(days=8)
    assert windows["prod_endpoint"] == timedelta(days=15)
    assert policies["general_train_set"] is None  # only the promises the lifecycle makes


def test_freshness_sensor_publishes_breach_once_then_recovery(defs, gata_home, monkeypatch):
    instance = dg.DagsterInstance.ephemeral()
    instance.report_runless_asset_event(dg.AssetMaterialization("ticket_extract"))
    sensor = defs.resolve_sensor_def("freshness_events")
    log = LocalEventLog(path=str(gata_home / "events.jsonl"))

    def tick(cursor, now):
        monkeypatch.setattr(freshness, "time", types.SimpleNamespace(time=lambda: now))
        with dg.build_sensor_context(
            instance=instance,
            cursor=cursor,
            repository_def=defs.get_repository_def(),
            resources={"events": log},
        ) as context:
            result = sensor(context)
            return result, context.cursor

    result, cursor = tick(None, time.time())
    assert result.skip_message == "stale: none" and log.read() == []
    result, cursor = tick(cursor, time.time() + 2 * 86400)
    assert result.skip_message == "stale: ticket_extract"
    (breach,) = log.read()
    assert breach["detail-type"] == "gata.freshness.breached"
    assert breach["detail"]["asset"] == "ticket_extract" and breach["detail"]["age_hours"] >= 47
    tick(cursor, time.time() + 2 * 86400 + 600)
    assert len(log.read()) == 1  # still stale: no second breach
    instance.report_runless_asset_event(dg.AssetMaterialization("ticket_extract"))
    tick(cursor, time.time())
    assert log.read()[-1]["detail-type"] == "gata.freshness.recovered"


def test_daily_schedule_targets_a_valid_partition(defs):
    schedule = defs.resolve_schedule_def("daily_batch_inference")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 25, 6, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-24"


def test_local_and_aws_lifecycle_resources(gata_home):
    local = build_definitions(GataSettings.from_env({"GATA_HOME": str(gata_home)})).resources
    assert isinstance(local["registry"], SqlModelRegistry)
    assert local["registry"].url == f"sqlite:///{gata_home / 'gata.db'}"
    assert isinstance(local["events"], LocalEventLog)
    aws = build_definitions(
        GataSettings.from_env(
            {
                "GATA_MODE": "aws",
                "GATA_ARTIFACT_BUCKET": "b",
                "AWS_REGION": "eu-west-1",
                "GATA_EVENT_BUS_NAME": "gata-events",
                "GATA_MODEL_PACKAGE_GROUP": "gata-ticket-routing",
                "GATA_FINETUNE_IMAGE_TAG_PARAMETER": "/gata/images/finetune/tag",
                "GATA_SAGEMAKER_IMAGE_PARAMETER": "/gata/images/inference/tag",
                "GATA_RETRAIN_MIN_NEW_TICKETS": "250",
            }
        )
    ).resources
    assert isinstance(aws["events"], EventBridgeEvents) and aws["events"].bus_name == "gata-events"
    assert isinstance(aws["registry"], SageMakerModelRegistry)
    assert aws["registry"].package_group == "gata-ticket-routing"
    assert isinstance(aws["image_tags"], SsmImageTags)
    assert aws["image_tags"].inference_parameter == "/gata/images/inference/tag"
    assert aws["lifecycle"].retrain_min_new_tickets == 250
