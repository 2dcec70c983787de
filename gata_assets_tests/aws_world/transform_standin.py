"""SageMaker Batch Transform played for real: moto records CreateTransformJob, this runs it.

`run_transform(job, container, s3, serve)` does SageMaker's part for one job (its
DescribeTransformJob dict, or the CreateTransformJob request: same fields): every object under
the input prefix is split by line and packed into mini-batches of at most `MaxPayloadInMB`
(`MultiRecord`), each POSTed in turn to a gata-serve started from the model's `ModelDataUrl`
with the model's and job's Environment (`serve`: `serve_standin.served_model_data`), and the
answers, newline-joined (`AssembleWith=Line`), go to `<S3OutputPath>/<input path>.out` under
the job's KMS key. A refusal by the container fails the job with that reason.

Two ways in: `TransformStandin(...).install(monkeypatch)` wraps moto's `create_transform_job`
(under `mock_aws`, or a ThreadedMotoServer in this process), and `run_transform_job(standin,
account, request)` serves `sagemaker_standin.SageMakerStandIn`. Either way the job reads
`InProgress` while it runs in a thread, then `Completed` or `Failed` with a FailureReason.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
from moto.core.utils import utcnow
from moto.sagemaker.models import SageMakerModelBackend

from gata_assets.resources.s3_artifact_store import split_s3_uri
from gata_assets_tests.aws_world.serve_standin import served_model_data

ServeFactory = Callable[[str, Mapping[str, str]], contextlib.AbstractContextManager[str]]
Post = Callable[[str, bytes, Mapping[str, str]], tuple[int, bytes]]
STRATEGY = {"MultiRecord": "MULTI_RECORD", "SingleRecord": "SINGLE_RECORD"}


class JobFailed(Exception):
    """The job fails with this FailureReason."""


def http_post(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
    reply = httpx.post(f"{url}/invocations", content=body, headers=dict(headers), timeout=600)
    return reply.status_code, reply.content


def mini_batches(data: bytes, strategy: str, max_bytes: int) -> Iterator[bytes]:
    """The requests SageMaker makes of one input object split by line."""
    batch: list[bytes] = []
    size = 0
    for line in (line for line in data.split(b"\n") if line.strip()):
        if len(line) > max_bytes:
            raise JobFailed(f"ClientError: a record of {len(line)} bytes exceeds MaxPayloadInMB")
        if batch and (strategy == "SingleRecord" or size + 1 + len(line) > max_bytes):
            yield b"\n".join(batch)
            batch, size = [], -1
        batch.append(line)
        size += 1 + len(line)
    if batch:
        yield b"\n".join(batch)


def _inputs(s3: Any, job: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(bucket, key, path below the prefix) of every input object, in key order."""
    source = job["TransformInput"]["DataSource"]["S3DataSource"]
    if source["S3DataType"] != "S3Prefix" or job["TransformInput"].get("SplitType") != "Line":
        raise JobFailed("stand-in: only S3Prefix input split by Line is supported")
    bucket, prefix = split_s3_uri(source["S3Uri"])
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]
    if not keys:
        raise JobFailed(f"ClientError: no input objects under {source['S3Uri']}")
    return [(bucket, key, key[len(prefix) :].lstrip("/")) for key in sorted(keys)]


def run_transform(
    job: Mapping[str, Any],
    container: Mapping[str, Any],
    s3: Any,
    serve: ServeFactory,
    post: Post = http_post,
) -> dict[str, Any]:
    """Run one job; what happened: TransformJobStatus, FailureReason, records, requests."""
    output, counts = job["TransformOutput"], {"records": 0, "requests": 0}
    payload = int(job.get("MaxPayloadInMB") or 6) << 20
    strategy = job.get("BatchStrategy") or "MultiRecord"
    environment = {
        **container.get("Environment", {}),
        **job.get("Environment", {}),
        "SAGEMAKER_BATCH": "true",  # what SageMaker adds for a transform job's container
        "SAGEMAKER_MAX_PAYLOAD_IN_MB": str(payload >> 20),
        "SAGEMAKER_BATCH_STRATEGY": STRATEGY[strategy],
        "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS": str(job.get("MaxConcurrentTransforms") or 1),
    }
    headers = {
        "Content-Type": job["TransformInput"].get("ContentType", "application/json"),
        "Accept": output.get("Accept", "application/json"),
    }
    joiner = b"\n" if output.get("AssembleWith") == "Line" else b""
    bucket, out_prefix = split_s3_uri(output["S3OutputPath"].rstrip("/"))
    kms = output.get("KmsKeyId")
    encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms} if kms else {}
    try:
        inputs = _inputs(s3, job)
        with serve(container["ModelDataUrl"], environment) as url:
            for source, key, relative in inputs:
                data = s3.get_object(Bucket=source, Key=key)["Body"].read()
                answers = []
                for batch in mini_batches(data, strategy, payload):
                    status, body = post(url, batch, headers)
                    if status != 200:
                        raise JobFailed(
                            f"ClientError: the model container answered {status} for "
                            f"{relative}: {body[:300].decode(errors='replace')}"
                        )
                    answers.append(body + joiner)
                    counts["records"] += batch.count(b"\n") + 1
                    counts["requests"] += 1
                s3.put_object(
                    Bucket=bucket,
                    Key=f"{out_prefix}/{relative}.out",
                    Body=b"".join(answers),
                    **encryption,
                )
    except JobFailed as failure:
        return {"TransformJobStatus": "Failed", "FailureReason": str(failure), **counts}
    except Exception as error:  # the container never came up, or the stand-in broke
        return {"TransformJobStatus": "Failed", "FailureReason": f"stand-in: {error!r}", **counts}
    return {"TransformJobStatus": "Completed", "FailureReason": "", **counts}


def mark(fake_job: Any, outcome: Mapping[str, Any], started: Any) -> None:
    """Report `outcome` on moto's FakeTransformJob, with SageMaker's start and end times."""
    fake_job.transform_start_time, fake_job.transform_end_time = started, utcnow()
    fake_job.failure_reason = outcome["FailureReason"]
    fake_job.transform_job_status = outcome["TransformJobStatus"]


def run_transform_job(standin: Any, account: str, request: dict[str, Any]) -> None:
    """`sagemaker_standin.SageMakerStandIn`'s way in: run the job moto just recorded."""
    began, started = time.monotonic(), utcnow()
    backend = standin.backend(account)
    fake_job = backend.transform_jobs[request["TransformJobName"]]
    fake_job.transform_job_status = "InProgress"
    container = backend.describe_model(request["ModelName"]).primary_container
    outcome = run_transform(request, container, standin.clients("s3"), standin.serve)
    mark(fake_job, outcome, started)
    counts = {k: outcome[k] for k in ("records", "requests")}
    name, status = request["TransformJobName"], outcome["TransformJobStatus"]
    standin.record("transform job", name, status, began, **counts)


class TransformStandin:
    """Runs every transform job moto records once installed. `s3()` makes its S3 client,
    `serve` starts the container (default `served_model_data`), `post` sends it a request.
    `ran`: each job's name, outcome, records, requests, seconds. `fail_next`: a reason to
    fail the next job with, unrun; clear `release` to hold jobs `InProgress` until set."""

    def __init__(self, s3: Callable[[], Any], serve: ServeFactory | None = None, post=http_post):
        self.s3, self.post = s3, post
        self.serve = serve or (lambda url, env: served_model_data(self.s3(), url, env))
        self.ran: list[dict[str, Any]] = []
        self.fail_next: str | None = None
        self.release = threading.Event()
        self.release.set()
        self._threads: list[threading.Thread] = []

    def install(self, monkeypatch: Any) -> TransformStandin:
        recorded = SageMakerModelBackend.create_transform_job

        def create_transform_job(backend: SageMakerModelBackend, **request: Any) -> Any:
            fake_job = recorded(backend, **request)
            fake_job.transform_job_status = "InProgress"  # before anyone can describe it
            thread = threading.Thread(target=self._run, args=(backend, fake_job), daemon=True)
            self._threads.append(thread)
            thread.start()
            return fake_job

        monkeypatch.setattr(SageMakerModelBackend, "create_transform_job", create_transform_job)
        return self

    def _run(self, backend: SageMakerModelBackend, fake_job: Any) -> None:
        began, started = time.monotonic(), utcnow()
        self.release.wait(timeout=300)
        job = fake_job.response_object
        if (reason := self.fail_next) is not None:
            self.fail_next = None
            outcome = {"TransformJobStatus": "Failed", "FailureReason": reason}
        else:
            container = backend.describe_model(job["ModelName"]).primary_container
            outcome = run_transform(job, container, self.s3(), self.serve, self.post)
        mark(fake_job, outcome, started)
        seconds = round(time.monotonic() - began, 1)
        self.ran.append({"name": job["TransformJobName"], "s": seconds, **outcome})

    def join(self, timeout: float = 300) -> None:
        """Wait for every job started so far (a test's teardown, before moto goes away)."""
        for thread in self._threads:
            thread.join(timeout)
