"""The approval-queue sensor against moto's SQS: SageMaker's approval event promotes prod at
once and only once, beside the polling sensor; anything else is dropped or, unreadable, left
for the dead-letter queue; the sensor exists only where GATA_APPROVAL_QUEUE_URL is set."""

from __future__ import annotations

import boto3
import dagster as dg
import pytest
from moto import mock_aws

from gata_assets.definitions import build_definitions
from gata_assets.defs.automation.promotion_sensor import RUN_KEY_TAG, evaluate_approvals
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.settings import GataSettings
from gata_assets_tests.defs.approval_queue_helpers import (
    GROUP,
    REGION,
    QueueWorld,
    approval_event,
    make_queues,
    queued,
)

PAIR = {"general": "g1", "low_volume": "l1"}
TAGS = {
    "gata/trigger": "approval",
    "gata/attempt": "1",
    "gata/general_version": "g1",
    "gata/low_volume_version": "l1",
}


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.client("sqs", region_name=REGION)


def world_of(sqs, tmp_path, **queue_shape) -> QueueWorld:
    url, dlq = make_queues(sqs, **queue_shape)
    registry = SqlModelRegistry(url=f"sqlite:///{tmp_path / 'gata.db'}")
    world = QueueWorld(sqs, url, dlq, registry, LocalArtifactStore(root=str(tmp_path / "a")))
    world.add("g1", "general")
    world.add("l1", "low_volume")
    return world


@pytest.fixture
def world(aws, tmp_path) -> QueueWorld:
    return world_of(aws, tmp_path)


def polling_tick(world: QueueWorld, cursor: str | None = None):
    with dg.build_sensor_context(instance=world.instance, cursor=cursor) as context:
        return evaluate_approvals(context, world.registry, world.store)


def in_flight(world: QueueWorld, run_key: str) -> None:
    """What the daemon records for a request: a promote_prod run with its tags, started."""
    tags = {**TAGS, RUN_KEY_TAG: run_key, "dagster/sensor_name": "approval_queue_sensor"}
    run = dg.DagsterRun(job_name="promote_prod", status=dg.DagsterRunStatus.STARTED, tags=tags)
    world.instance.add_run(run)


def test_an_approval_requests_promote_prod_as_the_polling_sensor_would(world):
    world.send(approval_event("g1"))
    (request,) = world.tick()
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "promote:1:g1:l1"
    config = {"general_version": "g1", "low_volume_version": "l1"}
    assert request.run_config == {"ops": {"prod_endpoint": {"config": config}}}
    assert request.tags == TAGS
    # The same request, key included, the polling sensor makes from the same state.
    (polled,) = polling_tick(world).run_requests
    assert (polled.run_key, polled.run_config, polled.tags) == (
        request.run_key,
        request.run_config,
        request.tags,
    )
    assert queued(world.sqs, world.url) == 0  # acknowledged once the request was yielded


def test_a_redelivered_approval_never_launches_a_second_run(world):
    body = approval_event("g1")
    world.send(body)
    (first,) = world.tick()
    # The daemon died before recording the run: the redelivery yields the same key, which
    # Dagster launches once.
    world.send(body)
    (again,) = world.tick()
    assert again.run_key == first.run_key
    # Recorded and in flight: the next copy (SageMaker may announce a change twice) is a skip,
    # and so is the polling sensor's tick, though its own cursor never saw this pair.
    in_flight(world, first.run_key)
    world.send(body, body)
    (skip,) = world.tick()
    assert isinstance(skip, dg.SkipReason) and "already requested" in skip.skip_message
    assert "already requested" in polling_tick(world).skip_message
    world.serve(PAIR)
    world.send(body)
    assert "prod already serves" in world.tick()[0].skip_message
    assert queued(world.sqs, world.url) == 0


def test_events_that_are_not_gata_approvals_are_dropped(world):
    world.send(
        approval_event("g1", group="someone-elses-models"),
        approval_event("g1", status="Rejected"),
        approval_event("g1", detail_type="SageMaker Endpoint State Change"),
    )
    (skip,) = world.tick()
    assert isinstance(skip, dg.SkipReason)
    assert skip.skip_message == f"no approvals of {GROUP} in 3 messages"
    assert world.cursor is None and queued(world.sqs, world.url) == 0


def test_an_unreadable_body_is_left_for_the_dead_letter_queue(aws, tmp_path, capfd):
    world = world_of(aws, tmp_path, visibility=0, max_receives=2)
    world.send("{not json", '{"detail-type": "no detail"}', approval_event("g1"))
    results = world.tick()  # does not fail: the approval beside them still promotes
    assert [r.run_key for r in results] == ["promote:1:g1:l1"]
    logged = capfd.readouterr().err
    assert "is malformed: the body is not JSON" in logged
    assert "is malformed: not an EventBridge event" in logged
    assert queued(world.sqs, world.url) == 2
    world.tick()  # the second receive of each: maxReceiveCount reached
    world.tick()
    assert queued(world.sqs, world.url) == 0
    assert queued(world.sqs, world.dlq) == 2


def test_an_empty_queue_is_a_short_skip(world):
    (skip,) = world.tick()
    assert skip.skip_message == "no approval events in the queue"


def test_a_pair_promoted_by_the_event_path_is_a_new_transition_for_the_poller(world):
    first = polling_tick(world)  # the poller asked for g1+l1 and prod served it
    world.serve(PAIR)
    world.add("g2", "general")
    world.send(approval_event("g2"))
    (request,) = world.tick()
    assert request.run_key == "promote:1:g2:l1"
    world.serve({"general": "g2", "low_volume": "l1"})
    adopted = polling_tick(world, first.cursor)
    assert "prod already serves" in adopted.skip_reason.skip_message
    # Adopted, not asked for: prod moved off it by hand, so the poller asks (a fresh key).
    world.serve(PAIR)
    assert polling_tick(world, adopted.cursor).run_requests[0].run_key == "promote:2:g2:l1"
    world.serve({"general": "g2", "low_volume": "l1"})
    # A rejection rolls back to g1+l1: a new key, not a "retry" of the run that succeeded.
    world.registry.reject("g2", note="regressed")
    (rollback,) = polling_tick(world, adopted.cursor).run_requests
    assert rollback.run_key == "promote:3:g1:l1"


def test_the_definitions_have_the_sensor_only_with_a_queue(gata_home):
    url = f"https://sqs.{REGION}.amazonaws.com/123456789012/gata-model-approvals"
    off = build_definitions(GataSettings.from_env({"GATA_HOME": str(gata_home)}))
    assert "approval_queue_sensor" not in {s.name for s in off.sensors}
    assert "approval_queue" not in off.resources
    env = {"GATA_HOME": str(gata_home), "GATA_APPROVAL_QUEUE_URL": url}
    on = build_definitions(GataSettings.from_env(env))
    sensor = on.resolve_sensor_def("approval_queue_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "promote_prod"
    assert on.resources["approval_queue"].queue_url == url
    assert on.resources["approval_queue"].package_group == GROUP
    stopped = build_definitions(GataSettings.from_env({**env, "GATA_SENSORS": "off"}))
    status = stopped.resolve_sensor_def("approval_queue_sensor").default_status
    assert status == dg.DefaultSensorStatus.STOPPED
