"""One SageMaker training job played for real: gata's fine-tune container command on this machine.

What SageMaker does for a job, done here from the job's CreateTrainingJob request: the `/opt/ml`
layout (each S3 channel downloaded to `input/data/<channel>`, `hyperparameters.json`,
`resourceconfig.json`, `inputdataconfig.json`, checkpoints from `CheckpointConfig`), the job's
`Environment`, the container's `train` command (containers/finetune/train), every output line
to the CloudWatch stream `/aws/sagemaker/TrainingJobs` `<job>/algo-1-<epoch>`, and on exit
`model.tar.gz` uploaded where DescribeTrainingJob says (KMS as asked) and the failure file as
`FailureReason`. The layout lives in a temp folder instead of /opt/ml, so the SM_* variables
of gata-train's contract point there, as the local trainer does.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from gata_assets.ml.train.contract import TrainingPaths, read_failure
from gata_assets.resources.s3_artifact_store import split_s3_uri

REPO = Path(__file__).resolve().parents[2]
TRAIN_COMMAND = [str(REPO / "containers" / "finetune" / "train")]
LOG_GROUP = "/aws/sagemaker/TrainingJobs"


def download_prefix(s3: Any, uri: str, into: Path) -> int:
    """Every object under an S3 prefix into `into`, as SageMaker's File mode does."""
    bucket, prefix = split_s3_uri(uri)
    into.mkdir(parents=True, exist_ok=True)
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            relative = item["Key"][len(prefix) :].lstrip("/") or Path(item["Key"]).name
            target = into / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, item["Key"], str(target))
            count += 1
    return count


class LogStream:
    """The job's CloudWatch log stream, written in small batches as SageMaker's agent does."""

    def __init__(self, logs: Any, job_name: str):
        self.logs, self.stream = logs, f"{job_name}/algo-1-{int(time.time())}"
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_group(logGroupName=LOG_GROUP)
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=self.stream)
        self.lines: list[str] = []

    def put(self, lines: list[str]) -> None:
        now = int(time.time() * 1000)
        events = [{"timestamp": now, "message": line} for line in lines if line]
        if events:
            self.logs.put_log_events(
                logGroupName=LOG_GROUP, logStreamName=self.stream, logEvents=events
            )
            self.lines += lines


class TrainingJobRun:
    """Runs one job's container to the end; `outcome` is what DescribeTrainingJob should say."""

    def __init__(self, request: dict[str, Any], s3: Any, logs: Any):
        self.request, self.s3, self.logs = request, s3, logs
        self.name = request["TrainingJobName"]
        self.process: subprocess.Popen | None = None
        self.stopped = threading.Event()
        self.log_lines = 0

    def layout(self, root: Path) -> tuple[TrainingPaths, dict[str, str]]:
        paths = TrainingPaths.under(root)
        paths.make_dirs()
        env = paths.as_env()
        for channel in self.request.get("InputDataConfig", []):
            name = channel["ChannelName"]
            uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
            download_prefix(self.s3, uri, root / "input" / "data" / name)
            env[f"SM_CHANNEL_{name.upper()}"] = str(root / "input" / "data" / name)
        config = paths.config_dir
        (config / "hyperparameters.json").write_text(json.dumps(self.request["HyperParameters"]))
        (config / "inputdataconfig.json").write_text(
            json.dumps({c["ChannelName"]: {} for c in self.request.get("InputDataConfig", [])})
        )
        (config / "resourceconfig.json").write_text(
            json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]})
        )
        if checkpoint := self.request.get("CheckpointConfig", {}).get("S3Uri"):
            download_prefix(self.s3, checkpoint, paths.checkpoint_dir)
        return paths, env

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"sm-{self.name[:20]}-") as folder:
            paths, layout_env = self.layout(Path(folder) / "opt-ml")
            env = {**base_environment(), **self.request.get("Environment", {}), **layout_env}
            code = self.run_container(env, paths.model_dir.parent)
            self.sync_checkpoints(paths)
            seconds = max(1, round(time.monotonic() - started))
            if self.stopped.is_set():
                return {"TrainingJobStatus": "Stopped", "BillableTimeInSeconds": seconds}
            if code != 0:
                reason = read_failure(paths.failure_file) or f"AlgorithmError: exit code {code}"
                return {"TrainingJobStatus": "Failed", "FailureReason": reason}
            self.upload_model(paths.model_dir)
        return {"TrainingJobStatus": "Completed", "BillableTimeInSeconds": seconds}

    def run_container(self, env: dict[str, str], cwd: Path) -> int:
        stream = LogStream(self.logs, self.name)
        self.process = subprocess.Popen(
            TRAIN_COMMAND,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        batch, flushed = [], time.monotonic()
        for line in self.process.stdout:
            batch.append(line.rstrip("\n"))
            if time.monotonic() - flushed > 0.5 or len(batch) >= 50:
                stream.put(batch)
                batch, flushed = [], time.monotonic()
        stream.put(batch)
        self.log_lines = len(stream.lines)
        return self.process.wait()

    def stop(self) -> None:
        self.stopped.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def sync_checkpoints(self, paths: TrainingPaths) -> None:
        if not (checkpoint := self.request.get("CheckpointConfig", {}).get("S3Uri")):
            return
        bucket, prefix = split_s3_uri(checkpoint)
        for path in paths.checkpoint_dir.rglob("*"):
            if path.is_file():
                key = f"{prefix.rstrip('/')}/{path.relative_to(paths.checkpoint_dir)}"
                self.s3.upload_file(str(path), bucket, key)

    def upload_model(self, model_dir: Path) -> None:
        output = self.request["OutputDataConfig"]
        bucket, prefix = split_s3_uri(output["S3OutputPath"])
        key = f"{prefix.rstrip('/')}/{self.name}/output/model.tar.gz"
        archive = model_dir.parent / "model.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for path in sorted(model_dir.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(model_dir)), recursive=False)
        extra = {}
        if output.get("KmsKeyId"):
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": output["KmsKeyId"]}
        self.s3.upload_file(str(archive), bucket, key, ExtraArgs=extra)


def base_environment() -> dict[str, str]:
    """What a container image has of its own: PATH, Python, offline Hugging Face."""
    keep = ("PATH", "HOME", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        TOKENIZERS_PARALLELISM="false",
    )
    return env
