"""The SageMaker trainer: SageMaker stubbed (botocore Stubber validates every request against
the real API model), SSM and S3 mocked by moto.

Pins the conversation: describe by the deterministic job name (re-attach if it exists), image
tag from SSM, CreateTrainingJob with spot + checkpoint + max runtime + KMS + VPC, waiting,
FailureReason surfaced as the Dagster failure, model.tar.gz pulled back and unpacked.
"""

from __future__ import annotations

import io
import json
import logging
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import boto3
import dagster as dg
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gata_assets.definitions import build_resources
from gata_assets.ml.model_card import LabelEntry, ModelCard, write_card
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_trainer import SageMakerTrainer
from gata_assets.resources.trainer import training_job_name
from gata_assets.settings import GataSettings

REGION, BUCKET = "eu-west-1", "gata-artifacts"
RUN_ID = "5f0c2a9e-1b2c-4d3e-8f90-123456789abc"
ROLE = "arn:aws:iam::123456789012:role/gata-sagemaker-training"
REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gata/finetune"
KMS = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PARAMETER = "/gata/images/finetune/tag"
JOB = training_job_name(RUN_ID, "general_model")
NOW = datetime(2026, 11, 24, tzinfo=UTC)
HPS = {"epochs": 3, "learning_rate": 1e-4, "freeze_embeddings": True, "group": "general"}


def context() -> SimpleNamespace:
    return SimpleNamespace(
        run=SimpleNamespace(run_id=RUN_ID),
        asset_key=dg.AssetKey("general_model"),
        log=logging.getLogger("test-training-sagemaker"),
    )


@pytest.fixture
def world(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        boto3.client("ssm", region_name=REGION).put_parameter(
            Name=PARAMETER, Value="3f2c1ab", Type="String"
        )
        store = S3ArtifactStore(bucket=BUCKET, region_name=REGION)
        (tmp_path / "train.parquet").write_bytes(b"train")
        (tmp_path / "test.parquet").write_bytes(b"test")
        refs = {
            side: {**store.put_file(tmp_path / f"{side}.parquet", f"b1/{side}.parquet").as_dict()}
            for side in ("train", "test")
        }
        client = boto3.client("sagemaker", region_name=REGION)
        monkeypatch.setattr(SageMakerTrainer, "sagemaker_client", lambda self: client)
        with Stubber(client) as stub:
            yield SimpleNamespace(store=store, refs=refs, stub=stub, tmp=tmp_path)
            stub.assert_no_pending_responses()


def trainer(**overrides) -> SageMakerTrainer:
    settings = {
        "role_arn": ROLE,
        "image_tag_parameter": PARAMETER,
        "image_repository": REPOSITORY,
        "region_name": REGION,
        "kms_key_id": KMS,
        "subnet_ids": ["subnet-0a1b2c3d"],
        "security_group_ids": ["sg-0a1b2c3d"],
        "poll_initial_seconds": 0.0,
        "poll_max_seconds": 0.0,
    }
    return SageMakerTrainer(**{**settings, **overrides})


def described(status: str, secondary: str, **extra) -> dict:
    return {
        "TrainingJobName": JOB,
        "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:123456789012:training-job/{JOB}",
        "ModelArtifacts": {
            "S3ModelArtifacts": f"s3://{BUCKET}/gata/training-jobs/{JOB}/output/model.tar.gz"
        },
        "TrainingJobStatus": status,
        "SecondaryStatus": secondary,
        "StoppingCondition": {"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 14400},
        "CreationTime": NOW,
        "EnableManagedSpotTraining": True,
        "ResourceConfig": {
            "InstanceType": "ml.g6.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
        },
        **extra,
    }


def not_found(stub: Stubber) -> None:
    stub.add_client_error(
        "describe_training_job",
        service_error_code="ValidationException",
        service_message="Requested resource not found.",
        http_status_code=400,
        expected_params={"TrainingJobName": JOB},
    )


def upload_model(tmp_path: Path) -> None:
    model = tmp_path / "built-model"
    write_card(
        model,
        ModelCard(kind="classifier", group="general", model_version="general-b1-abc"),
        [LabelEntry(0, 1, "billing"), LabelEntry(1, 2, "vpn")],
    )
    (model / "metrics.json").write_text(json.dumps({"accuracy": 0.97, "macro_f1": 0.96}))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(model.iterdir()):
            tar.add(path, arcname=path.name)
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=BUCKET, Key=f"gata/training-jobs/{JOB}/output/model.tar.gz", Body=buffer.getvalue()
    )


def expected_request(world) -> dict:
    def channel(name: str) -> dict:
        return {
            "ChannelName": name,
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": world.refs[name]["uri"],
                    "S3DataDistributionType": "FullyReplicated",
                }
            },
            "ContentType": "application/x-parquet",
            "CompressionType": "None",
            "InputMode": "File",
        }

    return {
        "TrainingJobName": JOB,
        "AlgorithmSpecification": {
            "TrainingImage": f"{REPOSITORY}:3f2c1ab",  # tag from SSM
            "TrainingInputMode": "File",
        },
        "RoleArn": ROLE,
        "InputDataConfig": [channel("train"), channel("test")],
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/gata/training-jobs", "KmsKeyId": KMS},
        "ResourceConfig": {
            "InstanceType": "ml.g6.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
            "VolumeKmsKeyId": KMS,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 14400},
        "EnableManagedSpotTraining": True,
        "CheckpointConfig": {
            "S3Uri": f"s3://{BUCKET}/gata/checkpoints/{JOB}",
            "LocalPath": "/opt/ml/checkpoints",
        },
        "EnableNetworkIsolation": True,
        "HyperParameters": {
            "epochs": "3",
            "learning_rate": "0.0001",
            "freeze_embeddings": "true",
            "group": "general",
        },
        "Environment": {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        "Tags": [
            {"Key": "gata:group", "Value": "general"},
            {"Key": "dagster:run-id", "Value": RUN_ID},
            {"Key": "dagster:asset", "Value": "general_model"},
        ],
        "VpcConfig": {"Subnets": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]},
    }


def run_train(world, the_trainer: SageMakerTrainer | None = None):
    return (the_trainer or trainer()).train(
        context(),
        group="general",
        train_ref=world.refs["train"],
        test_ref=world.refs["test"],
        hyperparameters=HPS,
        artifact_store=world.store,
        work_dir=world.tmp / "work",
    )


def test_new_job_spot_checkpoint_kms_vpc_then_model_pulled_back(world):
    upload_model(world.tmp)
    not_found(world.stub)
    world.stub.add_response(
        "create_training_job",
        {"TrainingJobArn": described("InProgress", "Starting")["TrainingJobArn"]},
        expected_params=expected_request(world),
    )
    for status, secondary in (("InProgress", "Downloading"), ("InProgress", "Training")):
        world.stub.add_response(
            "describe_training_job", described(status, secondary), {"TrainingJobName": JOB}
        )
    world.stub.add_response(
        "describe_training_job",
        described("Completed", "Completed", BillableTimeInSeconds=600, TrainingTimeInSeconds=1800),
        {"TrainingJobName": JOB},
    )
    result = run_train(world)
    assert result.job_name == JOB and JOB.startswith("gata-general-model-")
    assert result.metrics == {"accuracy": 0.97, "macro_f1": 0.96}
    assert (result.model_dir / "gata_model.json").is_file()
    assert sorted(p.name for p in result.model_dir.iterdir()) == [
        "gata_model.json",
        "labels.json",
        "metrics.json",
    ]
    assert result.metadata["billable_seconds"].value == 600
    assert result.metadata["spot_savings_percent"].value == pytest.approx(66.7)
    assert result.metadata["spot"].value is True


def test_restarted_step_reattaches_to_its_job_instead_of_creating_another(world):
    upload_model(world.tmp)
    # The job exists (same run, same asset -> same name): no SSM read, no CreateTrainingJob.
    world.stub.add_response(
        "describe_training_job", described("InProgress", "Training"), {"TrainingJobName": JOB}
    )
    world.stub.add_response(
        "describe_training_job", described("InProgress", "Training"), {"TrainingJobName": JOB}
    )
    world.stub.add_response(
        "describe_training_job",
        described("Completed", "Completed", BillableTimeInSeconds=900, TrainingTimeInSeconds=900),
        {"TrainingJobName": JOB},
    )
    result = run_train(world, trainer(image_tag_parameter="/does/not/exist"))
    assert result.metrics["macro_f1"] == 0.96
    assert result.metadata["spot_savings_percent"].value == 0.0


def test_failure_reason_becomes_the_dagster_failure(world):
    not_found(world.stub)
    world.stub.add_response("create_training_job", {"TrainingJobArn": "arn:x"}, None)
    reason = "AlgorithmError: test channel has label(s) not in train: 99"
    world.stub.add_response(
        "describe_training_job",
        described("Failed", "Failed", FailureReason=reason, BillableTimeInSeconds=60),
        {"TrainingJobName": JOB},
    )
    with pytest.raises(dg.Failure) as failure:
        run_train(world)
    assert reason in failure.value.description and JOB in failure.value.description
    assert failure.value.metadata["failure_reason"].value == reason


def test_on_demand_request_has_no_max_wait_and_no_vpc(world):
    request = trainer(use_spot=False, subnet_ids=[], kms_key_id=None).training_job_request(
        job_name=JOB,
        image="img",
        train_uri="s3://b/train.parquet",
        test_uri="s3://b/test.parquet",
        output_uri="s3://b/out",
        checkpoint_uri="s3://b/ckpt",
        hyperparameters={},
        tags={},
    )
    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 7200}
    assert request["EnableManagedSpotTraining"] is False
    assert "VpcConfig" not in request and "KmsKeyId" not in request["OutputDataConfig"]
    assert request["CheckpointConfig"]["S3Uri"] == "s3://b/ckpt"
    with pytest.raises(dg.Failure, match="must exceed"):
        trainer(max_wait_seconds=3600).training_job_request(**{**_args(), "job_name": JOB})


def _args() -> dict:
    return {
        "job_name": JOB,
        "image": "img",
        "train_uri": "s3://b/t",
        "test_uri": "s3://b/e",
        "output_uri": "s3://b/o",
        "checkpoint_uri": "s3://b/c",
        "hyperparameters": {},
        "tags": {},
    }


def test_local_artifact_store_is_refused(world, tmp_path):
    local_ref = {"uri": f"file://{tmp_path}/train.parquet"}
    with pytest.raises(dg.Failure, match="needs the S3 artifact store"):
        trainer().train(
            context(),
            group="general",
            train_ref=local_ref,
            test_ref=local_ref,
            hyperparameters={},
            artifact_store=world.store,
            work_dir=tmp_path,
        )


def test_aws_mode_builds_the_sagemaker_trainer_from_the_infra_environment():
    settings = GataSettings.from_env(
        {
            "GATA_MODE": "aws",
            "GATA_ARTIFACT_BUCKET": BUCKET,
            "AWS_REGION": REGION,
            "GATA_KMS_KEY_ID": KMS,
            "GATA_SAGEMAKER_TRAINING_ROLE_ARN": ROLE,
            "GATA_FINETUNE_IMAGE_TAG_PARAMETER": PARAMETER,
            "GATA_FINETUNE_IMAGE_REPOSITORY": REPOSITORY,
            "GATA_SAGEMAKER_NAME_PREFIX": "acme-gata",
            "GATA_SAGEMAKER_SUBNET_IDS": "subnet-1, subnet-2",
            "GATA_SAGEMAKER_SECURITY_GROUP_IDS": "sg-1",
            "GATA_FINETUNE_INSTANCE_TYPE": "ml.g5.xlarge",
            "GATA_TRAIN_ON_SPOT": "false",
            "GATA_FINETUNE_MAX_EXEC": "3600",
            "GATA_FINETUNE_MAX_WAIT": "0",
            "GATA_FINETUNE_VOLUME_SIZE_GB": "50",
        }
    )
    built = build_resources(settings)["trainer"]
    assert isinstance(built, SageMakerTrainer)
    assert (built.role_arn, built.image_repository, built.name_prefix) == (
        ROLE,
        REPOSITORY,
        "acme-gata",
    )
    assert built.subnet_ids == ["subnet-1", "subnet-2"] and built.security_group_ids == ["sg-1"]
    assert (built.instance_type, built.use_spot, built.max_runtime_seconds) == (
        "ml.g5.xlarge",
        False,
        3600,
    )
    assert (built.volume_size_gb, built.kms_key_id, built.region_name) == (50, KMS, REGION)
    assert training_job_name(RUN_ID, "general_model", built.name_prefix).startswith("acme-gata-")
