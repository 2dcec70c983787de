"""The approval-queue world tests drive: moto's SQS with a dead-letter queue, SageMaker's
event as EventBridge delivers it to SQS, an approved servable pair in a SQL registry, and one
sensor tick evaluated as the daemon would (the generator drained, the cursor kept)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from gata_assets.core.verdicts import BLOCKING_CHECKS
from gata_assets.defs.automation.approval_queue_sensor import build_approval_queue_sensor
from gata_assets.resources.approval_queue import SqsApprovalQueue
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.registry import SqlModelRegistry

GROUP = "gata-ticket-routing"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
SENSOR = build_approval_queue_sensor(dg.DefaultSensorStatus.STOPPED)


def approval_event(
    version: str = "g1",
    status: str = "Approved",
    group: str = GROUP,
    detail_type: str = "SageMaker Model Package State Change",
) -> str:
    """The body SQS holds: EventBridge's whole event, JSON, no input transformer."""
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/7"
    detail = {
        "ModelPackageGroupName": group,
        "ModelPackageVersion": 7,
        "ModelPackageArn": arn,
        "ModelPackageName": group,
        "ModelPackageDescription": version,
        "CreationTime": 1795489200000,
        "ModelPackageStatus": "Completed",
        "ModelApprovalStatus": status,
        "CustomerMetadataProperties": {"gata_version": version, "gata_group": "general"},
    }
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": "aws.sagemaker",
            "account": ACCOUNT,
            "time": "2026-11-24T03:00:00Z",
            "region": REGION,
            "resources": [arn],
            "detail": detail,
        }
    )


def make_queues(sqs: Any, visibility: int = 60, max_receives: int = 5) -> tuple[str, str]:
    """(queue URL, dead-letter queue URL), shaped like infra/approval_events.tf."""
    dlq = sqs.create_queue(QueueName="gata-model-approvals-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]
    redrive = {"deadLetterTargetArn": dlq_arn["QueueArn"], "maxReceiveCount": max_receives}
    attributes = {"VisibilityTimeout": str(visibility), "RedrivePolicy": json.dumps(redrive)}
    url = sqs.create_queue(QueueName="gata-model-approvals", Attributes=attributes)["QueueUrl"]
    return url, dlq


def queued(sqs: Any, url: str) -> int:
    """Messages still in the queue, visible or not."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[name]) for name in names)


@dataclass
class QueueWorld:
    sqs: Any
    url: str
    dlq: str
    registry: SqlModelRegistry
    store: LocalArtifactStore
    instance: dg.DagsterInstance = field(default_factory=dg.DagsterInstance.ephemeral)
    cursor: str | None = None

    @property
    def queue(self) -> SqsApprovalQueue:
        return SqsApprovalQueue(queue_url=self.url, package_group=GROUP, region_name=REGION)

    @property
    def resources(self) -> dict[str, Any]:
        return {
            "approval_queue": self.queue,
            "registry": self.registry,
            "artifact_store": self.store,
        }

    def add(self, version: str, group: str, approve: bool = True) -> None:
        self.registry.register(
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
            self.registry.record_check(version, check, True, "passed")
        if approve:
            self.registry.approve(version)

    def send(self, *bodies: str) -> None:
        for body in bodies:
            self.sqs.send_message(QueueUrl=self.url, MessageBody=body)

    def tick(self) -> list[dg.RunRequest | dg.SkipReason]:
        with dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources=self.resources
        ) as context:
            results = list(SENSOR(context))
            self.cursor = context.cursor
        return results

    def serve(self, pair: dict[str, str]) -> None:
        self.store.write_json({"model_versions": pair}, "refs/prod_endpoint.json")
