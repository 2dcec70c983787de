"""SageMaker trainer: gata-train as a SageMaker training job (GPU, managed spot, checkpoints).

The job runs the fine-tune image (`containers/finetune`), whose `train` command is gata-train,
so the code and the contract are the ones the local trainer runs. What SageMaker adds:

- the image: `<repository>:<tag>` with the tag read from an SSM parameter at run time
  (updating the parameter rolls a new image out; the parameter may also hold a full URI);
- the train/test Parquet files as channels straight from the S3 artifact store;
- managed spot (`EnableManagedSpotTraining`, `MaxWaitTimeInSeconds` > `MaxRuntimeInSeconds`)
  with `CheckpointConfig` under `<artifact prefix>/checkpoints/<job>`: a reclaimed job restarts
  and gata-train resumes from the newest checkpoint;
- KMS encryption of the training volume and the output, optional VPC, network isolation;
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
from gata_assets.resources.trainer import Trainer, TrainingResult, training_job_name

TERMINAL = ("Completed", "Failed", "Stopped")
CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints"

# GATA_* environment (lower-cased, prefix dropped: settings.options) -> field. The names are
# the ones infra/ exports (see infra/README.md, "What gata reads").
OPTION_FIELDS = {
    "sagemaker_training_role_arn": "role_arn",
    "finetune_image_tag_parameter": "image_tag_parameter",
    "finetune_image_repository": "image_repository",
    "sagemaker_name_prefix": "name_prefix",
    "finetune_instance_type": "instance_type",
    "finetune_volume_size_gb": "volume_size_gb",
    "train_on_spot": "use_spot",
    "finetune_max_exec": "max_runtime_seconds",
    "finetune_max_wait": "max_wait_seconds",
    "sagemaker_subnet_ids": "subnet_ids",
    "sagemaker_security_group_ids": "security_group_ids",
}
LIST_FIELDS = ("subnet_ids", "security_group_ids")


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
        values: dict[str, Any] = {}
        for option, name in OPTION_FIELDS.items():
            if option in options:
                raw = options[option]
                values[name] = (
                    [x.strip() for x in raw.split(",") if x.strip()] if name in LIST_FIELDS else raw
                )
        return cls(region_name=region_name, kms_key_id=kms_key_id, **values)

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
        tag = value["Value"].strip()
        if "/" in tag:  # a full image URI
            return tag
        if not self.image_repository:
            raise dg.Failure(
                description=f"SSM parameter {self.image_tag_parameter} holds the bare tag "
                f"{tag!r} but no image_repository is configured (GATA_FINETUNE_IMAGE_REPOSITORY)",
                allow_retries=False,
            )
        return f"{self.image_repository}:{tag}"

    def max_wait(self) -> int:
        return self.max_wait_seconds or 2 * self.max_runtime_seconds

    def training_job_request(
        self,
        *,
        job_name: str,
        image: str,
        train_uri: str,
        test_uri: str,
        output_uri: str,
        checkpoint_uri: str,
        hyperparameters: dict[str, Any],
        tags: dict[str, str],
    ) -> dict[str, Any]:
        def channel(name: str, uri: str) -> dict[str, Any]:
            return {
                "ChannelName": name,
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": uri,
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
                "ContentType": "application/x-parquet",
                "CompressionType": "None",
                "InputMode": "File",
            }

        stopping: dict[str, int] = {"MaxRuntimeInSeconds": self.max_runtime_seconds}
        if self.use_spot:
            if self.max_wait() <= self.max_runtime_seconds:
                raise dg.Failure(
                    description=f"max_wait_seconds ({self.max_wait()}) must exceed "
                    f"max_runtime_seconds ({self.max_runtime_seconds}) for spot training",
                    allow_retries=False,
                )
            stopping["MaxWaitTimeInSeconds"] = self.max_wait()
        resource: dict[str, Any] = {
            "InstanceType": self.instance_type,
            "InstanceCount": self.instance_count,
            "VolumeSizeInGB": self.volume_size_gb,
        }
        output: dict[str, Any] = {"S3OutputPath": output_uri}
        if self.kms_key_id:
            resource["VolumeKmsKeyId"] = self.kms_key_id
            output["KmsKeyId"] = self.kms_key_id
        request: dict[str, Any] = {
            "TrainingJobName": job_name,
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
            "RoleArn": self.role_arn,
            "InputDataConfig": [channel("train", train_uri), channel("test", test_uri)],
            "OutputDataConfig": output,
            "ResourceConfig": resource,
            "StoppingCondition": stopping,
            "EnableManagedSpotTraining": self.use_spot,
            "CheckpointConfig": {"S3Uri": checkpoint_uri, "LocalPath": CHECKPOINT_LOCAL_PATH},
            "EnableNetworkIsolation": self.network_isolation,
            # SageMaker passes hyperparameters as strings; gata-train coerces them back.
            "HyperParameters": {k: _as_string(v) for k, v in hyperparameters.items()},
            "Environment": {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
            "Tags": [{"Key": k, "Value": v[:256]} for k, v in tags.items()],
        }
        if self.subnet_ids:
            request["VpcConfig"] = {
                "Subnets": list(self.subnet_ids),
                "SecurityGroupIds": list(self.security_group_ids),
            }
        return request

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


def job_metadata(job: dict[str, Any], region: str | None) -> dict[str, Any]:
    """Billable time and what spot saved, as Dagster metadata."""
    billable = int(job.get("BillableTimeInSeconds") or 0)
    training = int(job.get("TrainingTimeInSeconds") or 0)
    name = job["TrainingJobName"]
    metadata: dict[str, Any] = {
        "job_name": dg.MetadataValue.text(name),
        "job_status": dg.MetadataValue.text(job["TrainingJobStatus"]),
        "billable_seconds": dg.MetadataValue.int(billable),
        "training_seconds": dg.MetadataValue.int(training),
        "spot": dg.MetadataValue.bool(bool(job.get("EnableManagedSpotTraining"))),
        "instance_type": dg.MetadataValue.text(
            job.get("ResourceConfig", {}).get("InstanceType", "")
        ),
    }
    if job.get("EnableManagedSpotTraining") and training:
        metadata["spot_savings_percent"] = dg.MetadataValue.float(
            round(100.0 * (1 - billable / training), 1)
        )
    if region:
        metadata["console"] = dg.MetadataValue.url(
            f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/jobs/{name}"
        )
    if job.get("FailureReason"):
        metadata["failure_reason"] = dg.MetadataValue.text(job["FailureReason"])
    return metadata


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
