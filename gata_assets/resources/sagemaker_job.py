"""Which SageMaker training job a training means, and how an ended job explains itself.

A job's name is derived from what it trains (`trainer.identity_job_name`), so before starting
one the trainer asks SageMaker for that name: InProgress means re-attach, Completed means
reuse its output, Failed, Stopping or Stopped means try the next `-r<n>` name, since SageMaker
never reuses a job name. Waiting polls with backoff and stops the job when the run is
interrupted. Kept apart from the trainer, so that reads as the session it runs.
"""

from __future__ import annotations

import tarfile
import time
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import is_not_found

TERMINAL = ("Completed", "Failed", "Stopped")
DEAD = ("Failed", "Stopped", "Stopping")
MAX_JOB_ATTEMPTS = 20


def describe(client: Any, job_name: str) -> dict[str, Any] | None:
    """The job, or None when SageMaker has none by that name."""
    try:
        return client.describe_training_job(TrainingJobName=job_name)
    except client.exceptions.ClientError as error:
        # SageMaker: "Requested resource not found"; moto: "Could not find training job".
        if is_not_found(error):
            return None
        raise


def find_job(context: Any, client: Any, base_name: str) -> tuple[str, str | None]:
    """(name, status) of the job to follow for these inputs; status None: a free name, so a
    new job is to be created under it."""
    for attempt in range(MAX_JOB_ATTEMPTS):
        job_name = base_name if attempt == 0 else f"{base_name[:59]}-r{attempt}"
        job = describe(client, job_name)
        if job is None:
            return job_name, None
        status = job["TrainingJobStatus"]
        if status not in DEAD:
            verb = "reusing the output of" if status == "Completed" else "re-attaching to"
            context.log.info(f"{verb} SageMaker training job {job_name} ({status})")
            return job_name, status
        context.log.warning(f"SageMaker training job {job_name} is {status}: starting anew")
    raise dg.Failure(
        description=f"{MAX_JOB_ATTEMPTS} SageMaker training jobs for these inputs "
        f"({base_name}) failed or were stopped; not starting another",
        allow_retries=False,
    )


def failure_reason(job: dict[str, Any]) -> str:
    """SageMaker's own words for why the job did not complete: `FailureReason` (for gata-train
    failures its failure file), else the last status message (a stop has no FailureReason)."""
    if job.get("FailureReason"):
        return str(job["FailureReason"])
    transitions = job.get("SecondaryStatusTransitions") or []
    messages = [t.get("StatusMessage") for t in transitions if t.get("StatusMessage")]
    return str(messages[-1]) if messages else f"job {job['TrainingJobStatus'].lower()}"


def wait(context: Any, client: Any, job_name: str, initial: float, most: float) -> dict[str, Any]:
    """Poll until the job ends (exponential backoff from `initial` to `most` seconds)."""
    delay, last = initial, None
    while True:
        job = client.describe_training_job(TrainingJobName=job_name)
        status = (job["TrainingJobStatus"], job.get("SecondaryStatus"))
        if status != last:
            context.log.info(f"SageMaker job {job_name}: {status[0]} / {status[1]}")
            last = status
        if job["TrainingJobStatus"] in TERMINAL:
            return job
        time.sleep(delay)
        delay = min(most, max(delay * 2, 1.0))


def finish(context: Any, client: Any, job_name: str, initial: float, most: float) -> dict[str, Any]:
    """Wait for the job to end; an interrupted run stops it rather than leave it billing."""
    try:
        return wait(context, client, job_name, initial, most)
    except (KeyboardInterrupt, dg.DagsterExecutionInterruptedError):
        context.log.warning(f"run interrupted: stopping SageMaker training job {job_name}")
        client.stop_training_job(TrainingJobName=job_name)
        raise


def unpack_model(job: dict[str, Any], store: ArtifactStore, work_dir: Path) -> Path:
    """The job's model.tar.gz, fetched through the store and unpacked under `work_dir`."""
    archive = store.get_file(job["ModelArtifacts"]["S3ModelArtifacts"], work_dir / "model.tar.gz")
    model_dir = work_dir / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(model_dir, filter="data")  # refuses absolute paths and links out
    archive.unlink()
    return model_dir
