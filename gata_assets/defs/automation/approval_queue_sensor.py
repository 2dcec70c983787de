"""The approval-queue sensor: prod moves the moment a person approves, not a poll later.

SageMaker announces each approval of a package in gata's group on EventBridge; a rule puts
it on an SQS queue (infra/approval_events.tf) that this sensor reads, a few messages with a
short wait per tick. An approval only triggers the evaluation the polling sensor makes
(`promotion_sensor.py`: the newest approved, servable pair, the same run config, tags and
run-key scheme), so which package was approved, and in which order, does not matter. The
polling sensor stays as the fallback (a lost or late event) and for the local registry, and
it alone retries a failed promotion.

Delivery is at least once (SQS redelivers, SageMaker may announce one change twice), so a
message is deleted only after the tick's request is yielded, and a redelivered one cannot
launch a second run: a pair in flight is skipped whichever sensor asked for it, and the same
transition yields the same run key, which Dagster launches once. Dagster records a tick's
requests only after the evaluation returns, so a crash in between loses the trigger, never
the promotion: the polling sensor finds the same pair on its next tick. Events that are not
gata's approvals are acknowledged and dropped; a body that is not an event at all is logged
and left in the queue, which moves it to the dead-letter queue after its maxReceiveCount.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg

from gata_assets.defs.automation.jobs import promote_prod_job
from gata_assets.defs.automation.promotion_sensor import (
    RUN_KEY_TAG,
    promotion_in_flight,
    read_cursor,
    request,
    run_key,
    serving,
    wanted_pair,
)
from gata_assets.resources.approval_queue import QueueMessage, SqsApprovalQueue, read_event
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.registry import ModelRegistry

Decision = tuple[dg.RunRequest | dg.SkipReason, str | None]


def sort_messages(
    context: dg.SensorEvaluationContext, messages: list[QueueMessage], package_group: str
) -> tuple[list[QueueMessage], list[QueueMessage]]:
    """(approvals, messages to drop); malformed ones are in neither, so they stay queued."""
    approvals, dropped = [], []
    for message in messages:
        event = read_event(message.body, package_group)
        if event.kind == "approval":
            context.log.info(f"{event.what}: evaluating prod's pair now")
            approvals.append(message)
        elif event.kind == "ignored":
            context.log.info(f"message {message.message_id} dropped: {event.what}")
            dropped.append(message)
        else:
            context.log.warning(
                f"message {message.message_id} (received {message.receive_count} times) is "
                f"malformed: {event.what}; left in the queue for its dead-letter queue"
            )
    return approvals, dropped


def decide(
    context: dg.SensorEvaluationContext, registry: ModelRegistry, store: ArtifactStore
) -> Decision:
    """The polling sensor's decision for a first attempt; retries stay with it."""
    wanted = wanted_pair(registry)
    if isinstance(wanted, dg.SkipReason):
        return wanted, None
    if serving(store) == wanted:
        return dg.SkipReason(f"prod already serves {wanted}"), None
    running = promotion_in_flight(context.instance, wanted)
    if running is not None:
        return dg.SkipReason(f"promotion of {wanted} already requested: run {running.run_id}"), None
    state = read_cursor(context.cursor)
    serial = state["serial"] + 1
    if state["target"] == wanted:
        key = run_key(wanted, state["serial"], 1)
        earlier = context.instance.get_runs(dg.RunsFilter(tags={RUN_KEY_TAG: key}), limit=1)
        if not earlier:  # asked before, no run yet: the same key, so Dagster launches one
            serial = state["serial"]
        elif earlier[0].status != dg.DagsterRunStatus.SUCCESS:
            return dg.SkipReason(
                f"promotion of {wanted} ended {earlier[0].status.value} (run "
                f"{earlier[0].run_id}); prod_promotion_sensor retries it"
            ), None
    result = request(wanted, serial, 1, "approval event")
    return result.run_requests[0], result.cursor


def evaluate_approval_queue(
    context: dg.SensorEvaluationContext,
    queue: SqsApprovalQueue,
    registry: ModelRegistry,
    store: ArtifactStore,
) -> Iterator[dg.RunRequest | dg.SkipReason]:
    messages = queue.receive()
    if not messages:
        yield dg.SkipReason("no approval events in the queue")
        return
    approvals, dropped = sort_messages(context, messages, queue.package_group)
    if approvals:
        outcome, cursor = decide(context, registry, store)
        if cursor is not None:
            context.update_cursor(cursor)
        yield outcome
    else:
        yield dg.SkipReason(f"no approvals of {queue.package_group} in {len(messages)} messages")
    for problem in queue.delete(approvals + dropped):
        context.log.warning(f"not deleted, so read again later (harmless): {problem}")


def build_approval_queue_sensor(status: dg.DefaultSensorStatus) -> dg.SensorDefinition:
    @dg.sensor(
        name="approval_queue_sensor",
        job=promote_prod_job,
        minimum_interval_seconds=15,
        default_status=status,
        description="Deploy to prod as soon as SageMaker announces an approval (SQS queue); "
        "prod_promotion_sensor stays the fallback.",
    )
    def approval_queue_sensor(
        context: dg.SensorEvaluationContext,
        approval_queue: SqsApprovalQueue,
        registry: ModelRegistry,
        artifact_store: ArtifactStore,
    ):
        yield from evaluate_approval_queue(context, approval_queue, registry, artifact_store)

    return approval_queue_sensor
