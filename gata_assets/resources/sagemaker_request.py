"""The SageMaker requests gata builds, as pure functions of the trainer's settings.

Kept apart from the resource that calls boto3 and waits, so every field of a request can be
checked without AWS. What the request asks SageMaker for:

- the image: `<repository>:<tag>` with the tag read from an SSM parameter at run time
  (updating the parameter rolls a new image out; the parameter may also hold a full URI);
- the train/test Parquet files as channels straight from the S3 artifact store;
- managed spot (`EnableManagedSpotTraining`, `MaxWaitTimeInSeconds` > `MaxRuntimeInSeconds`)
  with `CheckpointConfig` under `<artifact prefix>/checkpoints/<job>`: a reclaimed job restarts
  and gata-train resumes from the newest checkpoint;
- KMS encryption of the training volume and the output, optional VPC, network isolation.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg

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


def fields_from_options(options: Mapping[str, str]) -> dict[str, Any]:
    """Trainer fields from `GataSettings.options` (the GATA_* environment)."""
    values: dict[str, Any] = {}
    for option, name in OPTION_FIELDS.items():
        if option in options:
            raw = options[option]
            values[name] = (
                [x.strip() for x in raw.split(",") if x.strip()] if name in LIST_FIELDS else raw
            )
    return values


def image_uri(tag: str, parameter: str, repository: str) -> str:
    """The image for an SSM parameter's value: a full URI as is, a bare tag on `repository`."""
    if "/" in tag:  # a full image URI
        return tag
    if not repository:
        raise dg.Failure(
            description=f"SSM parameter {parameter} holds the bare tag "
            f"{tag!r} but no image_repository is configured (GATA_FINETUNE_IMAGE_REPOSITORY)",
            allow_retries=False,
        )
    return f"{repository}:{tag}"


def training_job_request(
    config: Any,
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
    """`CreateTrainingJob` arguments; `config` is the `SageMakerTrainer` (its fields)."""

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

    stopping: dict[str, int] = {"MaxRuntimeInSeconds": config.max_runtime_seconds}
    if config.use_spot:
        if config.max_wait() <= config.max_runtime_seconds:
            raise dg.Failure(
                description=f"max_wait_seconds ({config.max_wait()}) must exceed "
                f"max_runtime_seconds ({config.max_runtime_seconds}) for spot training",
                allow_retries=False,
            )
        stopping["MaxWaitTimeInSeconds"] = config.max_wait()
    resource: dict[str, Any] = {
        "InstanceType": config.instance_type,
        "InstanceCount": config.instance_count,
        "VolumeSizeInGB": config.volume_size_gb,
    }
    output: dict[str, Any] = {"S3OutputPath": output_uri}
    if config.kms_key_id:
        resource["VolumeKmsKeyId"] = config.kms_key_id
        output["KmsKeyId"] = config.kms_key_id
    request: dict[str, Any] = {
        "TrainingJobName": job_name,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": config.role_arn,
        "InputDataConfig": [channel("train", train_uri), channel("test", test_uri)],
        "OutputDataConfig": output,
        "ResourceConfig": resource,
        "StoppingCondition": stopping,
        "EnableManagedSpotTraining": config.use_spot,
        "CheckpointConfig": {"S3Uri": checkpoint_uri, "LocalPath": CHECKPOINT_LOCAL_PATH},
        "EnableNetworkIsolation": config.network_isolation,
        # SageMaker passes hyperparameters as strings; gata-train coerces them back.
        "HyperParameters": {k: _as_string(v) for k, v in hyperparameters.items()},
        "Environment": {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        "Tags": [{"Key": k, "Value": v[:256]} for k, v in tags.items()],
    }
    if config.subnet_ids:
        request["VpcConfig"] = {
            "Subnets": list(config.subnet_ids),
            "SecurityGroupIds": list(config.security_group_ids),
        }
    return request


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
