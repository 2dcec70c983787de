"""SageMaker trainer: gata-train as a SageMaker training job (GPU, managed spot, checkpoints).

The job runs the fine-tune image (`containers/finetune`), whose `train` command is gata-train,
so the code and the contract are the ones the local trainer runs. What SageMaker adds:

- the request built in sagemaker_request.py: image from SSM (`image_tags.resolve_image`),
  S3 channels, managed spot with checkpoints, KMS, optional VPC, network isolation;
- a job name derived from what it trains (asset, data hashes, hyperparameters, image; see
  `trainer.training_identity`), not from the run: before creating a job, the trainer asks
  for that name (`DescribeTrainingJob`). InProgress: a retried, re-executed or restarted run
  re-attaches and waits; Completed: its output is reused, nothing is paid twice; Failed or
  Stopped: a fresh job under the next `-r<n>` name (same checkpoint folder, so it resumes).
  A terminated Dagster run stops its job (`StopTrainingJob`);
- waiting with exponential backoff; `FailureReason` (gata-train's failure file) becomes the
  Dagster failure; billable seconds and spot savings become metadata; `model.tar.gz` is pulled
  back through the artifact store and unpacked for the asset to store and check.

Clients come from `AwsResource` (region, endpoint URL, retries), created when first used.
"""

import tarfile
import time
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.core.references import SplitRef
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import AwsResource
from gata_assets.resources.image_tags import ImageNotResolved, resolve_image
from gata_assets.resources.sagemaker_request import job_metadata, training_job_request
from gata_assets.resources.trainer import (
    Trainer,
    TrainingResult,
    identity_job_name,
    training_identity,
)

TERMINAL = ("Completed", "Failed", "Stopped")
DEAD = ("Failed", "Stopped", "Stopping")
MAX_JOB_ATTEMPTS = 20


class SageMakerTrainer(Trainer, AwsResource):
    """Trains on SageMaker; needs the S3 artifact store (channels and outputs live there)."""

    role_arn: str = ""
    """Execution role of the training jobs (GATA_SAGEMAKER_TRAINING_ROLE_ARN)."""
    image_tag_parameter: str = "/gata/images/finetune/tag"
    """SSM parameter holding the fine-tune image tag (or a full image URI)."""
    image_repository: str = ""
    """ECR repository URL the tag belongs to (unused when the parameter holds a full URI)."""
    name_prefix: str = "gata"
    """Job names start with `<prefix>-` (the IAM policies are scoped to it)."""
    instance_type: str = "ml.g6.xlarge"
    instance_count: int = 1
    volume_size_gb: int = 30
    use_spot: bool = True
    max_runtime_seconds: int = 7200
    max_wait_seconds: int = 0
    """Spot only: how long to wait for capacity plus run; 0 means twice the max runtime."""
    kms_key_id: str | None = None
    subnet_ids: list[str] = []
    security_group_ids: list[str] = []
    network_isolation: bool = True
    """gata-train needs no network: the base model is baked into the image."""
    poll_initial_seconds: float = 15.0
    poll_max_seconds: float = 120.0

    # -- request --------------------------------------------------------------------------
    def resolve_image(self) -> str:
        try:
            return resolve_image(
                self.client("ssm"),
                self.image_tag_parameter,
                self.image_repository,
                "GATA_FINETUNE_IMAGE_REPOSITORY",
            )
        except ImageNotResolved as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None

    def max_wait(self) -> int:
        return self.max_wait_seconds or 2 * self.max_runtime_seconds

    def training_job_request(self, **request: Any) -> dict[str, Any]:
        """See `sagemaker_request.training_job_request` (the keyword arguments)."""
        return training_job_request(self, **request)

    # -- job lifecycle ----------------------------------------------------------------------
    def describe(self, client: Any, job_name: str) -> dict[str, Any] | None:
        try:
            return client.describe_training_job(TrainingJobName=job_name)
        except client.exceptions.ResourceNotFound:
            return None
        except client.exceptions.ClientError as error:
            message = str(error.response.get("Error", {}).get("Message", ""))
            if "not found" in message.lower():
                return None
            raise

    def wait(self, context: Any, client: Any, job_name: str) -> dict[str, Any]:
        delay = self.poll_initial_seconds
        last = None
        while True:
            job = client.describe_training_job(TrainingJobName=job_name)
            status = (job["TrainingJobStatus"], job.get("SecondaryStatus"))
            if status != last:
                context.log.info(f"SageMaker job {job_name}: {status[0]} / {status[1]}")
                last = status
            if job["TrainingJobStatus"] in TERMINAL:
                return job
            time.sleep(delay)
            delay = min(self.poll_max_seconds, max(delay * 2, 1.0))

    def check_inputs(self, train_ref: SplitRef) -> None:
        """Fail before any AWS call when this trainer cannot run at all."""
        if not self.role_arn:
            raise dg.Failure(
                description="the SageMaker trainer has no execution role: set "
                "GATA_SAGEMAKER_TRAINING_ROLE_ARN",
                allow_retries=False,
            )
        if not str(train_ref.uri).startswith("s3://"):
            raise dg.Failure(
                description="the SageMaker trainer needs the S3 artifact store "
                f"(train set at {train_ref.uri}): set GATA_MODE=aws",
                allow_retries=False,
            )

    def start_or_attach(
        self, context: Any, base_name: str, image: str, store: ArtifactStore, **request: Any
    ) -> str:
        """The job to wait for: the one already running or completed for these inputs, else
        a new one (under the next free name when earlier attempts failed or were stopped)."""
        client = self.client("sagemaker")
        for attempt in range(MAX_JOB_ATTEMPTS):
            job_name = base_name if attempt == 0 else f"{base_name[:59]}-r{attempt}"
            job = self.describe(client, job_name)
            if job is None:
                break
            status = job["TrainingJobStatus"]
            if status not in DEAD:
                verb = "reusing the output of" if status == "Completed" else "re-attaching to"
                context.log.info(f"{verb} SageMaker training job {job_name} ({status})")
                return job_name
            context.log.warning(f"SageMaker training job {job_name} is {status}: starting anew")
        else:
            raise dg.Failure(
                description=f"{MAX_JOB_ATTEMPTS} SageMaker training jobs for these inputs "
                f"({base_name}) failed or were stopped; not starting another",
                allow_retries=False,
            )
        client.create_training_job(
            **self.training_job_request(
                job_name=job_name,
                image=image,
                output_uri=store.uri("training-jobs"),
                # Shared by every attempt at these inputs: a fresh attempt resumes.
                checkpoint_uri=store.uri(f"checkpoints/{base_name}"),
                **request,
            )
        )
        context.log.info(
            f"started SageMaker training job {job_name} on {self.instance_type}"
            f"{' (spot)' if self.use_spot else ''}"
        )
        return job_name

    def finish(self, context: Any, job_name: str) -> dict[str, Any]:
        """Wait for the job to end; an interrupted run stops it rather than leave it billing."""
        client = self.client("sagemaker")
        try:
            return self.wait(context, client, job_name)
        except (KeyboardInterrupt, dg.DagsterExecutionInterruptedError):
            context.log.warning(f"run interrupted: stopping SageMaker training job {job_name}")
            client.stop_training_job(TrainingJobName=job_name)
            raise

    def train(
        self,
        context: dg.AssetExecutionContext,
        *,
        group: str,
        train_ref: SplitRef,
        test_ref: SplitRef,
        hyperparameters: dict[str, Any],
        artifact_store: ArtifactStore,
        work_dir: Path,
    ) -> TrainingResult:
        from gata_assets.ml.model_card import read_metrics

        self.check_inputs(train_ref)
        run_id = context.run.run_id
        asset_name = context.asset_key.to_python_identifier()
        image = self.resolve_image()
        identity = training_identity(asset_name, train_ref, test_ref, hyperparameters, image)
        base_name = identity_job_name(asset_name, identity, prefix=self.name_prefix)
        job_name = self.start_or_attach(
            context,
            base_name,
            image,
            artifact_store,
            train_uri=train_ref.uri,
            test_uri=test_ref.uri,
            hyperparameters=hyperparameters,
            tags={"gata:group": group, "dagster:run-id": run_id, "dagster:asset": asset_name},
        )
        job = self.finish(context, job_name)
        metadata = job_metadata(job, self.region_name)
        if job["TrainingJobStatus"] != "Completed":
            reason = job.get("FailureReason") or f"job {job['TrainingJobStatus'].lower()}"
            raise dg.Failure(
                description=f"SageMaker training job {job_name} {job['TrainingJobStatus']}: "
                f"{reason}",
                metadata=metadata,
                allow_retries=False,
            )
        model_dir = unpack_model(job, artifact_store, Path(work_dir))
        return TrainingResult(
            model_dir=model_dir,
            metrics=read_metrics(model_dir),
            metadata=metadata,
            job_name=job_name,
        )


def unpack_model(job: dict[str, Any], store: ArtifactStore, work_dir: Path) -> Path:
    """The job's model.tar.gz, fetched through the store and unpacked under `work_dir`."""
    archive = store.get_file(job["ModelArtifacts"]["S3ModelArtifacts"], work_dir / "model.tar.gz")
    model_dir = work_dir / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(model_dir, filter="data")  # refuses absolute paths and links out
    archive.unlink()
    return model_dir
