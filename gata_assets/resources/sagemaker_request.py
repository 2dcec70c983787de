"""The SageMaker requests gata builds, as pure functions of the trainer's settings.

Kept apart from the resource that calls boto3 and waits, so every field of a request can be
checked without AWS. What the request asks SageMaker for:

- the image, read from an SSM parameter at run time (`image_tags.resolve_image`: updating
  the parameter rolls a new image out);
- the train/test Parquet files as channels straight from the S3 artifact store;
- managed spot (`EnableManagedSpotTraining`, `MaxWaitTimeInSeconds` > `MaxRuntimeInSeconds`)
  with `CheckpointConfig` under `<artifact prefix>/checkpoints/<job>`: a reclaimed job restarts
  and gata-train resumes from the newest checkpoint;
- KMS encryption of the training volume and the output, optional VPC, network isolation;
- with a Pipes session (sagemaker_pipes.py), its context file as the `pipes` channel and its
  two small params in `Environment` (SageMaker allows 512 characters a value).
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg

CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints"
ENVIRONMENT_VALUE_LIMIT = 512


def channel(name: str, uri: str, content_type: str = "application/x-parquet") -> dict[str, Any]:
    """One file from S3 (Parquet unless said otherwise) as a training channel."""
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "ContentType": content_type,
        "CompressionType": "None",
        "InputMode": "File",
    }


def stopping_condition(config: Any) -> dict[str, int]:
    """Run limit; with spot also the wait limit, which SageMaker wants above the run limit."""
    stopping: dict[str, int] = {"MaxRuntimeInSeconds": config.max_runtime_seconds}
    if config.use_spot:
        if config.max_wait() <= config.max_runtime_seconds:
            raise dg.Failure(
                description=f"max_wait_seconds ({config.max_wait()}) must exceed "
                f"max_runtime_seconds ({config.max_runtime_seconds}) for spot training",
                allow_retries=False,
            )
        stopping["MaxWaitTimeInSeconds"] = config.max_wait()
    return stopping


def resources_and_output(config: Any, output_uri: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """`ResourceConfig` and `OutputDataConfig`, both KMS-encrypted when a key is configured."""
    resource: dict[str, Any] = {
        "InstanceType": config.instance_type,
        "InstanceCount": config.instance_count,
        "VolumeSizeInGB": config.volume_size_gb,
    }
    output: dict[str, Any] = {"S3OutputPath": output_uri}
    if config.kms_key_id:
        resource["VolumeKmsKeyId"] = config.kms_key_id
        output["KmsKeyId"] = config.kms_key_id
    return resource, output


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
    pipes_context_uri: str = "",
    pipes_env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`CreateTrainingJob` arguments; `config` is the `SageMakerTrainer` (its fields)."""
    resource, output = resources_and_output(config, output_uri)
    channels = [channel("train", train_uri), channel("test", test_uri)]
    if pipes_context_uri:
        channels.append(channel("pipes", pipes_context_uri, "application/json"))
    request: dict[str, Any] = {
        "TrainingJobName": job_name,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": config.role_arn,
        "InputDataConfig": channels,
        "OutputDataConfig": output,
        "ResourceConfig": resource,
        "StoppingCondition": stopping_condition(config),
        "EnableManagedSpotTraining": config.use_spot,
        "CheckpointConfig": {"S3Uri": checkpoint_uri, "LocalPath": CHECKPOINT_LOCAL_PATH},
        "EnableNetworkIsolation": config.network_isolation,
        # SageMaker passes hyperparameters as strings; gata-train coerces them back.
        "HyperParameters": {k: _as_string(v) for k, v in hyperparameters.items()},
        "Environment": environment(pipes_env or {}),
        "Tags": [{"Key": k, "Value": v[:256]} for k, v in tags.items()],
    }
    if config.subnet_ids:
        request["VpcConfig"] = {
            "Subnets": list(config.subnet_ids),
            "SecurityGroupIds": list(config.security_group_ids),
        }
    return request


def environment(pipes_env: Mapping[str, str]) -> dict[str, str]:
    """The container's environment: offline model loading, plus the Pipes params if any."""
    env = {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", **pipes_env}
    for name, value in env.items():
        if len(value) > ENVIRONMENT_VALUE_LIMIT:
            raise dg.Failure(
                description=f"SageMaker allows {ENVIRONMENT_VALUE_LIMIT} characters per "
                f"Environment value; {name} has {len(value)}",
                allow_retries=False,
            )
    return env


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
