"""A SageMaker training job played for the Pipes tests, and a recording message handler.

`FakeTrainingJob` stands in for SageMaker's side of one job the way the end-to-end scenario
does, only smaller: CreateTrainingJob downloads the job's `pipes` channel into a temp
`/opt/ml` layout and runs gata-train's own `Reporter` under the job's Environment (plus
SM_CHANNEL_PIPES), and every DescribeTrainingJob lets a little time pass: the next batch of
the process's stdout/stderr lines goes to the job's CloudWatch stream (moto), one event per
line, as SageMaker ships them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
from botocore.exceptions import ClientError

from gata_assets.resources.cloudwatch_tail import LOG_GROUP

# gata-train's side of a session, through the module gata-train reports with.
REPORTER_SCRIPT = """
import sys
from gata_assets.ml.train.report import Reporter, setup_logging
setup_logging()
with Reporter() as reporter:
    for step in range(1, int(sys.argv[1]) + 1):
        reporter.info(f"epoch 1/1 step {step}/{sys.argv[1]} loss 0.{step:04d}")
    print("a plain stdout line", flush=True)
    reporter.materialization({"accuracy": 0.97, "samples_per_second": 812.5}, "general-b1-abc")
"""


def reporter_lines(environment: dict[str, str], pipes_dir: Path, steps: int) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_PIPES")}
    env.update(environment, SM_CHANNEL_PIPES=str(pipes_dir), PYTHONUNBUFFERED="1")
    done = subprocess.run(
        [sys.executable, "-c", REPORTER_SCRIPT, str(steps)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stderr.splitlines() + done.stdout.splitlines()


def not_found() -> ClientError:
    error = {"Code": "ValidationException", "Message": "Requested resource not found."}
    return ClientError({"Error": error}, "DescribeTrainingJob")


class FakeTrainingJob:
    """The SageMaker client the trainer gets: one job, its log written in `batches`."""

    exceptions = SimpleNamespace(ClientError=ClientError)

    def __init__(
        self,
        tmp: Path,
        region: str,
        *,
        steps: int = 9,
        batches: int = 3,
        stream_after: int | None = 2,
        end: dict[str, Any] | None = None,
        on_describe: Callable[[int], None] | None = None,
    ):
        """`stream_after`: polls before the container starts (None: it never does);
        `end`: the ended job's fields (default Completed)."""
        self.tmp, self.steps, self.batches, self.stream_after = tmp, steps, batches, stream_after
        self.end = end or {"TrainingJobStatus": "Completed"}
        self.on_describe = on_describe or (lambda _poll: None)
        self.logs = boto3.client("logs", region_name=region)
        self.s3 = boto3.client("s3", region_name=region)
        self.request: dict[str, Any] | None = None
        self.pending: list[list[str]] = []
        self.polls = 0
        self.stream = ""
        self.stopped = False

    def create_training_job(self, **request: Any) -> dict[str, str]:
        self.request = request
        (pipes,) = [c for c in request["InputDataConfig"] if c["ChannelName"] == "pipes"]
        bucket, _, key = pipes["DataSource"]["S3DataSource"]["S3Uri"][5:].partition("/")
        pipes_dir = self.tmp / "opt-ml" / "input" / "data" / "pipes"
        pipes_dir.mkdir(parents=True, exist_ok=True)
        self.s3.download_file(bucket, key, str(pipes_dir / Path(key).name))
        if self.stream_after is None:  # a job that never starts runs nothing
            return {"TrainingJobArn": "arn:aws:sagemaker:::training-job/never-started"}
        lines = reporter_lines(request["Environment"], pipes_dir, self.steps)
        size = -(-len(lines) // self.batches)
        self.pending = [lines[i : i + size] for i in range(0, len(lines), size)]
        return {"TrainingJobArn": f"arn:aws:sagemaker:::training-job/{request['TrainingJobName']}"}

    def describe_training_job(self, TrainingJobName: str) -> dict[str, Any]:
        if self.request is None:
            raise not_found()
        self.on_describe(self.polls)
        started = self.stream_after is not None and self.polls >= self.stream_after
        if started:  # the container runs: its log appears, a batch per poll
            self.write_batch(TrainingJobName)
        self.polls += 1
        output = f"s3://gata-artifacts/gata/training-jobs/{TrainingJobName}/output/model.tar.gz"
        job = {
            "TrainingJobName": TrainingJobName,
            "TrainingJobStatus": "InProgress",
            "SecondaryStatus": "Training" if started else "Starting",
            "ModelArtifacts": {"S3ModelArtifacts": output},
        }
        if (started and not self.pending) or (self.stream_after is None and self.polls > 2):
            return {**job, "SecondaryStatus": self.end["TrainingJobStatus"], **self.end}
        return job

    def write_batch(self, job_name: str) -> None:
        if not self.stream:
            self.stream = f"{job_name}/algo-1-{int(time.time())}"
            with contextlib.suppress(self.logs.exceptions.ResourceAlreadyExistsException):
                self.logs.create_log_group(logGroupName=LOG_GROUP)
            self.logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=self.stream)
        if self.pending:
            now = int(time.time() * 1000)
            events = [{"timestamp": now, "message": line} for line in self.pending.pop(0)]
            self.logs.put_log_events(
                logGroupName=LOG_GROUP, logStreamName=self.stream, logEvents=events
            )

    def stop_training_job(self, TrainingJobName: str) -> dict:
        self.stopped = True
        return {}


class RecordingHandler:
    """What CloudWatchMessageReader needs of dg.PipesMessageHandler: the messages it gets."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.errors: list[Any] = []

    def handle_message(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    def report_pipes_framework_exception(self, origin: str, exc_info: Any) -> None:
        self.errors.append((origin, exc_info))

    def methods(self) -> list[str]:
        return [m["method"] for m in self.messages]
