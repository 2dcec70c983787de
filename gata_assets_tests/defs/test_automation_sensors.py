"""Lifecycle sensors through `dg.build_sensor_context`: new tickets, image tags, approvals."""

from __future__ import annotations

import json

import dagster as dg
import pytest
import sqlalchemy as sa

from gata_assets.core.verdicts import BLOCKING_CHECKS
from gata_assets.defs import extraction
from gata_assets.defs.automation.sensors import build_sensors
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.image_tags import LocalImageTags
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.refs_io_manager import latest_ref, ref_key
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets_tests.helpers import load_rows, make_ticket_rows

SENSORS = {s.name: s for s in build_sensors(dg.DefaultSensorStatus.STOPPED)}
LIFECYCLE = LifecycleConfig(
    retrain_min_new_tickets=50, retrain_drift_threshold=0.3, retrain_drift_min_tickets=20
)


@pytest.fixture
def extracted(small_ticket_db, offline_resources):
    """The small ticket database, extracted once: the watermark the sensor starts from."""
    defs = dg.Definitions.merge(extraction.defs, dg.Definitions(resources=offline_resources))
    assert defs.resolve_implicit_global_asset_job_def().execute_in_process().success
    return {**offline_resources, "lifecycle": LIFECYCLE}


def tick(name: str, resources: dict, cursor: str | None = None, instance=None):
    with dg.build_sensor_context(
        instance=instance or dg.DagsterInstance.ephemeral(), cursor=cursor, resources=resources
    ) as context:
        return SENSORS[name](context)


def add_tickets(url: str, counts: dict[str, int], start_id: int) -> None:
    load_rows(sa.create_engine(url), make_ticket_rows(counts, start_id=start_id))


def test_nothing_new_is_a_skip(extracted):
    result = tick("new_tickets_sensor", extracted)
    assert isinstance(result, dg.SkipReason) and "no tickets after watermark" in result.skip_message


def test_below_threshold_skips_but_advances_cursor(extracted, small_ticket_db):
    add_tickets(small_ticket_db, {"billing": 5, "vpn": 5}, start_id=1000)
    result = tick("new_tickets_sensor", extracted)
    assert not result.run_requests and "10 new tickets (< 50)" in result.skip_reason.skip_message
    assert json.loads(result.cursor)["new_tickets"] == 10


def test_threshold_reached_requests_one_idempotent_retrain(extracted, small_ticket_db):
    add_tickets(small_ticket_db, {"billing": 20, "password": 18, "printer": 16}, start_id=1000)
    first = tick("new_tickets_sensor", extracted)
    (request,) = first.run_requests
    assert (
        request.tags["gata/trigger"] == "new_tickets"
        and "54 new tickets" in request.tags["gata/reason"]
    )
    mark = latest_ref(extracted["artifact_store"], dg.AssetKey("ticket_extract")).watermark
    assert request.run_key == f"new-tickets:{mark['updated_at']}:{mark['ticket_id']}:1053"
    # A restarted daemon re-evaluating the same state derives the same key: Dagster drops it.
    again = tick("new_tickets_sensor", extracted, cursor=first.cursor)
    assert again.run_requests[0].run_key == request.run_key
    assert json.loads(first.cursor)["requested"] == request.run_key
    # One more ticket is a new state, so a new key.
    add_tickets(small_ticket_db, {"vpn": 1}, start_id=2000)
    assert tick("new_tickets_sensor", extracted).run_requests[0].run_key.endswith(":2000")


def test_a_retrain_in_flight_is_not_requested_twice(extracted, small_ticket_db):
    add_tickets(small_ticket_db, {"billing": 60}, start_id=1000)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_run(
        dg.DagsterRun(
            job_name="retrain",
            run_id="0f1e2d3c-0000-0000-0000-000000000001",
            status=dg.DagsterRunStatus.STARTED,
            tags={"gata/trigger": "weekly_schedule"},
        )
    )
    result = tick("new_tickets_sensor", extracted, instance=instance)
    assert isinstance(result, dg.SkipReason) and "still in progress" in result.skip_message


def test_category_drift_triggers_below_the_count_threshold(extracted, small_ticket_db):
    # 30 tickets, all of one rare queue: far from the extract's mix, though few.
    add_tickets(small_ticket_db, {"legal": 30}, start_id=1000)
    result = tick("new_tickets_sensor", extracted)
    (request,) = result.run_requests
    assert "category drift" in request.tags["gata/reason"]
    assert json.loads(result.cursor)["drift"] > 0.9
    # The same mix as the extract does not drift.
    calm = {**extracted, "lifecycle": LIFECYCLE.model_copy(update={"retrain_min_new_tickets": 999})}
    ref_uri = extracted["artifact_store"].uri(ref_key(dg.AssetKey("ticket_extract")))
    extract = extracted["artifact_store"].read_json(ref_uri)
    extract["category_counts"] = {"legal": 100}
    extracted["artifact_store"].write_json(extract, ref_key(dg.AssetKey("ticket_extract")))
    assert not tick("new_tickets_sensor", calm).run_requests


def test_image_tag_changes_retrain_or_redeploy(tmp_path):
    tags = LocalImageTags(path=str(tmp_path / "image_tags.json"))
    tags.publish(finetune="ft:1", inference="inf:1")
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    resources = {"image_tags": tags, "artifact_store": store}
    baseline = tick("image_tag_sensor", resources)
    assert not baseline.run_requests and "baseline recorded" in baseline.skip_reason.skip_message
    unchanged = tick("image_tag_sensor", resources, cursor=baseline.cursor)
    assert isinstance(unchanged, dg.SkipReason)

    tags.publish(finetune="ft:2")
    changed = tick("image_tag_sensor", resources, cursor=baseline.cursor)
    (request,) = changed.run_requests
    assert request.job_name == "retrain" and request.tags["gata/finetune_image"] == "ft:2"
    assert request.run_key == "finetune-image:1:ft:2"

    tags.publish(inference="inf:2", finetune="ft:1")  # a rollback is a change too
    both = tick("image_tag_sensor", resources, cursor=changed.cursor)
    assert {(r.job_name, r.run_key) for r in both.run_requests} == {
        ("retrain", "finetune-image:2:ft:1"),
        ("redeploy", "inference-image:3:inf:2"),
    }
    assert json.loads(both.cursor)["tags"] == {"finetune": "ft:1", "inference": "inf:2"}

    # With prod up, a new inference image moves prod too, onto the versions it already serves.
    store.write_json(
        {"model_versions": {"general": "g1", "low_volume": "l1"}}, "refs/prod_endpoint.json"
    )
    tags.publish(inference="inf:3")
    redeploys = tick("image_tag_sensor", resources, cursor=both.cursor).run_requests
    assert [(r.job_name, r.run_key) for r in redeploys] == [
        ("redeploy", "inference-image:4:inf:3"),
        ("promote_prod", "inference-image:4:inf:3:prod"),
    ]
    assert redeploys[1].run_config["ops"]["prod_endpoint"]["config"] == {
        "general_version": "g1",
        "low_volume_version": "l1",
    }


def register(registry, version: str, group: str):
    """A registered version whose every blocking check passed (servable)."""
    entry = registry.register(
        version=version,
        group=group,
        metrics={"macro_f1": 0.9},
        data_sha256="d",
        code_version="c",
        base_model="b",
        artifact_uri=f"file:///m/{version}",
        batch_id="b1",
    )
    for check in BLOCKING_CHECKS:
        registry.record_check(version, check, True, "passed")
    return entry


def test_prod_promotion_follows_newest_approved_pair(tmp_path, offline_resources):
    registry = SqlModelRegistry(url=f"sqlite:///{tmp_path / 'gata.db'}")
    resources = {"registry": registry, "artifact_store": offline_resources["artifact_store"]}
    for version, group in (("g1", "general"), ("g2", "general"), ("l1", "low_volume")):
        register(registry, version, group)
    assert (
        "no approved servable general / low_volume"
        in tick("prod_promotion_sensor", resources).skip_message
    )
    registry.approve("g1")
    registry.approve("l1")
    first = tick("prod_promotion_sensor", resources)
    (request,) = first.run_requests
    assert request.run_key == "promote:1:g1:l1"
    assert request.run_config == {
        "ops": {"prod_endpoint": {"config": {"general_version": "g1", "low_volume_version": "l1"}}}
    }
    assert (
        "already requested" in tick("prod_promotion_sensor", resources, first.cursor).skip_message
    )
    # Once prod serves it, nothing to do; a newer approval promotes, a rejection rolls back.
    store = resources["artifact_store"]
    store.write_json(
        {"model_versions": {"general": "g1", "low_volume": "l1"}}, "refs/prod_endpoint.json"
    )
    assert "prod already serves" in tick("prod_promotion_sensor", resources).skip_message
    registry.approve("g2")
    assert tick("prod_promotion_sensor", resources, first.cursor).run_requests[0].run_key == (
        "promote:2:g2:l1"
    )
    registry.reject("g2", note="regressed")
    assert "prod already serves" in tick("prod_promotion_sensor", resources).skip_message
