"""The approval queue on AWS: SageMaker's registry approvals, as EventBridge delivers them to SQS.

Polling the registry finds an approval only on the promotion sensor's next tick; the SQS
queue (infra/approval_events.tf) holds each "SageMaker Model Package State Change" event
the moment a package of gata's group turns Approved, so a sensor can promote at once. This
resource only moves messages: `receive` takes a few with a short wait (a sensor tick must
stay short), `read_event` says what a body is, and `delete` acknowledges messages once the
sensor is done with them. A message never deleted comes back after the queue's visibility
timeout and, after its maxReceiveCount, moves to the dead-letter queue. boto3 is imported
lazily, through `AwsResource.client`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gata_assets.core.registry_entry import APPROVED
from gata_assets.resources.aws import AwsResource, call_failed

EVENT_SOURCE = "aws.sagemaker"
DETAIL_TYPE = "SageMaker Model Package State Change"
MAX_MESSAGES = 10  # SQS's own maximum per ReceiveMessage
WAIT_SECONDS = 2


@dataclass(frozen=True)
class QueueMessage:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int


@dataclass(frozen=True)
class QueueEvent:
    """What one message holds: `approval` (promote), `ignored` (acknowledge and drop) or
    `malformed` (leave for the dead-letter queue); `what` says which package, or why."""

    kind: str
    what: str


def read_event(body: str, package_group: str) -> QueueEvent:
    try:
        event = json.loads(body)
    except ValueError:
        return QueueEvent("malformed", "the body is not JSON")
    detail = event.get("detail") if isinstance(event, dict) else None
    if not isinstance(detail, dict):
        return QueueEvent("malformed", "not an EventBridge event (no `detail` object)")
    if event.get("source") != EVENT_SOURCE or event.get("detail-type") != DETAIL_TYPE:
        return QueueEvent("ignored", f"{event.get('detail-type')!r} from {event.get('source')!r}")
    group = detail.get("ModelPackageGroupName")
    package = f"{group}/{detail.get('ModelPackageVersion', '?')}"
    meta = detail.get("CustomerMetadataProperties")
    version = (meta if isinstance(meta, dict) else {}).get("gata_version") or detail.get(
        "ModelPackageDescription", "?"
    )
    if group != package_group:
        return QueueEvent("ignored", f"package {package} is not in gata's group {package_group}")
    if detail.get("ModelApprovalStatus") != APPROVED:
        return QueueEvent("ignored", f"package {package} is {detail.get('ModelApprovalStatus')}")
    return QueueEvent("approval", f"version {version} (package {package}) approved")


class SqsApprovalQueue(AwsResource):
    queue_url: str = ""
    """The SQS queue the approval rule feeds; empty: no event path, the polling sensor only."""
    package_group: str = "gata-ticket-routing"
    """Events of other model package groups are acknowledged and ignored."""

    def receive(self) -> list[QueueMessage]:
        sqs = self.client("sqs")
        try:
            answer = sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=MAX_MESSAGES,
                WaitTimeSeconds=WAIT_SECONDS,
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
        except sqs.exceptions.ClientError as error:
            raise call_failed(error, f"ReceiveMessage {self.queue_url}") from None
        return [_message(raw) for raw in answer.get("Messages", [])]

    def delete(self, messages: list[QueueMessage]) -> list[str]:
        """Acknowledge `messages`; returns one line per message SQS did not delete (it comes
        back later, which the sensor tolerates), so a failed delete never fails a tick."""
        if not messages:
            return []
        sqs = self.client("sqs")
        entries = [
            {"Id": str(i), "ReceiptHandle": m.receipt_handle} for i, m in enumerate(messages)
        ]
        try:
            answer = sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        except sqs.exceptions.ClientError as error:
            return [str(call_failed(error, f"DeleteMessageBatch {self.queue_url}"))]
        return [
            f"message {messages[int(f['Id'])].message_id}: {f.get('Code')}: {f.get('Message')}"
            for f in answer.get("Failed", [])
        ]


def _message(raw: dict[str, Any]) -> QueueMessage:
    return QueueMessage(
        message_id=raw["MessageId"],
        receipt_handle=raw["ReceiptHandle"],
        body=raw.get("Body", ""),
        receive_count=int(raw.get("Attributes", {}).get("ApproximateReceiveCount", 1)),
    )
