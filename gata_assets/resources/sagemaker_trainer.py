"""SageMaker trainer: gata-train as a SageMaker training job (GPU, managed spot, checkpoints).

The job runs the fine-tune image (`containers/finetune`), whose `train` command is gata-train,
so the code and the contract are the ones the local trainer runs. What SageMaker adds:

- the request built in sagemaker_request.py: image from SSM, S3 channels, managed spot with
  checkpoints, KMS, optional VPC, network isolation;
- a job name derived from the Dagster run and asset, so a restarted step re-attaches to its
  job (`DescribeTrainingJob`) instead of paying for a second one;
- waiting with exponential backoff; `FailureReason` (gata-train's failure file) becomes the
  Dagster failure; billable seconds and spot savings become metadata; `model.tar.gz` is pulled
  back through the artifact store and unpacked for the asset to store and check.

boto3 is imported lazily: loading the Dagster definitions does not pay for it.
"""

import tarfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.sagemaker_request import (
    fields_from_options,
    image_uri,
    job_metadata,
    training_job_request,
)
from gata_assets.resources.trainer import Trainer, TrainingResult, training_job_name

TERMINAL = ("Completed", "Failed", "Stopped")


class SageMakerTrainer(Trainer):
    """Trains on SageMaker; needs the S3 artifact store (channels and outputs live there)."""

    role_arn: str = ""
    """Execution role of the training jobs (GATA_SAGEMAKER_TRAINING_ROLE_ARN)."""
    image_tag_parameter: str = "/gata/images/finetune/tag"
    """SSM parameter holding the fine-tune image tag (or a full image URI)."""
    image_repository: str = ""
    """ECR repository URL the tag belongs to (unused when the parameter holds a full URI)."""
    region_name: str | None = None
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

    @classmethod
    def from_options(
        cls, options: Mapping[str, str], region_name: str | None, kms_key_id: str | None
    ) -> "SageMakerTrainer":
        """Built from `GataSettings.options` (the GATA_* environment)."""
        return cls(region_name=region_name, kms_key_id=kms_key_id, **fields_from_options(options))

    # -- AWS clients (methods, so tests can hand in stubbed ones) ------------------------
    def sagemaker_client(self) -> Any:
        import boto3

        return boto3.client("sagemaker", region_name=self.region_name)

    def ssm_client(self) -> Any:
        import boto3

        return boto3.client("ssm", region_name=self.region_name)

    # -- request --------------------------------------------------------------------------
    def resolve_image(self) -> str:
        value = self.ssm_client().get_parameter(Name=self.image_tag_parameter)["Parameter"]
        return image_uri(value["Value"].strip(), self.image_tag_parameter, self.image_repository)

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

    def train(
        self,
        context: dg.AssetExecutionContext,
        *,
        group: str,
        train_ref: dict[str, Any],
        test_ref: dict[str, Any],
        hyperparameters: dict[str, Any],
        artifact_store: ArtifactStore,
        work_dir: Path,
    ) -> TrainingResult:
        from gata_assets.ml.model_card import read_metrics

        if not self.role_arn:
            raise dg.Failure(
                description="the SageMaker trainer has no execution role: set "
                "GATA_SAGEMAKER_TRAINING_ROLE_ARN",
                allow_retries=False,
            )
        if not str(train_ref["uri"]).startswith("s3://"):
            raise dg.Failure(
                description="the SageMaker trainer needs the S3 artifact store "
                f"(train set at {train_ref['uri']}): set GATA_MODE=aws",
                allow_retries=False,
            )
        run_id = context.run.run_id
        asset_name = context.asset_key.to_python_identifier()
        job_name = training_job_name(run_id, asset_name, prefix=self.name_prefix)
        client = self.sagemaker_client()
        job = self.describe(client, job_name)
        if job is not None:
            context.log.info(
                f"re-attaching to SageMaker training job {job_name} ({job['TrainingJobStatus']})"
            )
        else:
            request = self.training_job_request(
                job_name=job_name,
                image=self.resolve_image(),
                train_uri=train_ref["uri"],
                test_uri=test_ref["uri"],
                output_uri=artifact_store.uri("training-jobs"),
                checkpoint_uri=artifact_store.uri(f"checkpoints/{job_name}"),
                hyperparameters=hyperparameters,
                tags={"gata:group": group, "dagster:run-id": run_id, "dagster:asset": asset_name},
            )
            client.create_training_job(**request)
            context.log.info(
                f"started SageMaker training job {job_name} on {self.instance_type}"
                f"{' (spot)' if self.use_spot else ''}"
            )
        try:
            job = self.wait(context, client, job_name)
        except (KeyboardInterrupt, dg.DagsterExecutionInterruptedError):
            context.log.warning(f"run interrupted: stopping SageMaker training job {job_name}")
            client.stop_training_job(TrainingJobName=job_name)
            raise

        metadata = job_metadata(job, self.region_name)
        if job["TrainingJobStatus"] != "Completed":
            reason = job.get("FailureReason") or f"job {job['TrainingJobStatus'].lower()}"
            raise dg.Failure(
                description=f"SageMaker training job {job_name} {job['TrainingJobStatus']}: "
                f"{reason}",
                metadata=metadata,
                allow_retries=False,
            )
        archive = artifact_store.get_file(
            job["ModelArtifacts"]["S3ModelArtifacts"], Path(work_dir) / "model.tar.gz"
        )
        model_dir = Path(work_dir) / "model"
        model_dir.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(model_dir, filter="data")  # refuses absolute paths and links out
        archive.unlink()
        return TrainingResult(
            model_dir=model_dir,
            metrics=read_metrics(model_dir),
            metadata=metadata,
            job_name=job_name,
        )
