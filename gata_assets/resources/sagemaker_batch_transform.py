"""Big days on SageMaker Batch Transform; small ones in the run worker, as locally.

A day with more than `min_transform_tickets` tickets goes to S3 as JSON Lines and a transform
job runs the inference image (the SSM parameter the deployer reads) on the served models'
`model.tar.gz`; gata-serve answers its JSON Lines mini-batches, and the `.out` objects are
read back in ticket order. Names come from what the job predicts (`batch_transform_io`), so a
retried run re-attaches to its running job or reuses a completed one's output; a failed job's
FailureReason fails the run and the next attempt starts a fresh `-r<n>` job. The KMS key
encrypts the input (S3 upload), the output and the instances' volumes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gata_assets.ml.routing import Ticket
from gata_assets.resources import batch_transform_io as io
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import AwsResource, call_failed, is_not_found
from gata_assets.resources.batch_scoring import (
    BatchScoring,
    BatchScoringError,
    DayRouting,
    ScoredTickets,
    route_in_process,
)
from gata_assets.resources.image_tags import ImageNotResolved, resolve_image
from gata_assets.resources.transform_model import ensure_model, ensure_tarball

ENDED = {"Completed", "Failed", "Stopped"}
GONE = {"TransformJobStatus": "Failed", "FailureReason": "the job no longer exists"}


class SageMakerBatchScoring(BatchScoring, AwsResource):
    min_transform_tickets: int = 20_000
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = 1
    poll_seconds: float = 30.0
    timeout_s: float = 21600.0
    role_arn: str = ""
    image_parameter: str = "/gata/images/inference/tag"
    image_repository: str = ""
    name_prefix: str = "gata"
    kms_key_id: str | None = None

    def score(
        self, tickets: list[Ticket], routing: DayRouting, store: ArtifactStore, log: Any
    ) -> ScoredTickets:
        if len(tickets) <= self.min_transform_tickets:
            return ScoredTickets(
                route_in_process(tickets, routing, store), {"scoring": "in_process"}
            )
        if not store.uri("").startswith("s3://"):
            raise BatchScoringError("Batch Transform reads from S3: set GATA_ARTIFACT_BUCKET")
        parts = io.encode_parts(tickets, self.instance_count, routing.redact_pii)
        environment = io.serve_environment(routing.min_confidence)
        tag, digest = io.models_tag(routing.models), io.request_hash(parts, environment)
        root = f"batch-transform/{routing.day}/{tag}-{digest}"

        def start(name: str) -> None:
            self._start(name, root, parts, environment, routing, store)

        base = io.job_name(self.name_prefix, routing.day, tag, digest)
        name, origin = self._attach_or_start(base, start)
        log.info(f"{routing.day}: {len(tickets)} tickets → transform job {name} ({origin})")
        job = self._wait(name)
        if job["TransformJobStatus"] != "Completed":
            reason = job.get("FailureReason") or "no reason given"
            raise BatchScoringError(
                f"transform job {name} {job['TransformJobStatus'].lower()}: {reason} "
                "(a retry of this day starts a new job)"
            )
        output = job["TransformOutput"]["S3OutputPath"].rstrip("/")
        outputs = [store.read_bytes(f"{output}/{io.part_file(i)}.out") for i in range(len(parts))]
        return ScoredTickets(io.read_answers(outputs, tickets), io.job_details(job, origin))

    def _describe(self, name: str) -> dict[str, Any] | None:
        sm = self.client("sagemaker")
        try:
            return sm.describe_transform_job(TransformJobName=name)
        except sm.exceptions.ClientError as error:
            if is_not_found(error):
                return None
            raise call_failed(error, f"DescribeTransformJob {name}") from error

    def _attach_or_start(self, base: str, start: Callable[[str], None]) -> tuple[str, str]:
        """The job for this input: running (attach), completed (reuse), or a new one after
        the failed or stopped ones (SageMaker never deletes a job, so `-r<n>` counts them)."""
        name, attempt = base, 1
        while (found := self._describe(name)) is not None:
            if found["TransformJobStatus"] == "Completed":
                return name, "reused"
            if found["TransformJobStatus"] not in ENDED:
                return name, "attached"
            attempt += 1
            name = f"{base}-r{attempt}"
        start(name)
        return name, "created"

    def _start(
        self,
        name: str,
        root: str,
        parts: list[bytes],
        environment: dict[str, str],
        routing: DayRouting,
        store: ArtifactStore,
    ) -> None:
        if not self.role_arn:
            raise BatchScoringError("set GATA_SAGEMAKER_ROLE_ARN: a transform job needs a role")
        model = self._model(routing, store)
        for index, data in enumerate(parts):
            store.write_bytes(data, f"{root}/input/{io.part_file(index)}")
        kms = {"KmsKeyId": self.kms_key_id} if self.kms_key_id else {}
        volume = {"VolumeKmsKeyId": self.kms_key_id} if self.kms_key_id else {}
        sm = self.client("sagemaker")
        try:
            sm.create_transform_job(
                TransformJobName=name,
                ModelName=model,
                MaxConcurrentTransforms=1,  # one gata-serve worker micro-batches anyway
                MaxPayloadInMB=io.PAYLOAD_MB,
                BatchStrategy="MultiRecord",
                Environment=environment,
                TransformInput={
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": store.uri(f"{root}/input/"),
                        }
                    },
                    "ContentType": "application/jsonlines",
                    "SplitType": "Line",
                },
                TransformOutput={
                    "S3OutputPath": store.uri(f"{root}/output/{name}"),
                    "Accept": "application/jsonlines",
                    "AssembleWith": "Line",
                    **kms,
                },
                TransformResources={
                    "InstanceType": self.instance_type,
                    "InstanceCount": max(1, self.instance_count),
                    **volume,
                },
            )
        except sm.exceptions.ClientError as error:
            if self._describe(name) is None:  # else another run created it a moment ago
                raise call_failed(error, f"CreateTransformJob {name}") from error

    def _model(self, routing: DayRouting, store: ArtifactStore) -> str:
        try:
            image = resolve_image(
                self.client("ssm"),
                self.image_parameter,
                self.image_repository,
                "GATA_SAGEMAKER_IMAGE_REPOSITORY",
            )
        except ImageNotResolved as error:
            raise BatchScoringError(str(error)) from None
        model_data = ensure_tarball(routing.models, store)
        return ensure_model(
            self.client("sagemaker"), self.name_prefix, image, model_data, self.role_arn
        )

    def _wait(self, name: str) -> dict[str, Any]:
        """Poll with backoff until the job ends; past the timeout, fail and leave it running
        (the retry re-attaches to it)."""
        delay, deadline = self.poll_seconds, time.monotonic() + self.timeout_s
        while True:
            job = self._describe(name) or GONE
            if job["TransformJobStatus"] in ENDED:
                return job
            if time.monotonic() > deadline:
                raise BatchScoringError(
                    f"transform job {name} still {job['TransformJobStatus']} after "
                    f"{self.timeout_s:g} s; a retry of this day waits for it again"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, self.poll_seconds * 4)
