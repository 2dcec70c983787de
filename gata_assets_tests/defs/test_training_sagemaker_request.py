"""The SageMaker trainer's request and settings: on-demand vs spot limits, the S3 store it
needs, and how AWS mode builds it from the infra environment (SageMaker stubbed, moto for the
rest).
"""

from __future__ import annotations

import dagster as dg
import pytest

from gata_assets.core.references import SplitRef
from gata_assets.definitions import build_resources
from gata_assets.resources.sagemaker_trainer import SageMakerTrainer
from gata_assets.resources.trainer import identity_job_name
from gata_assets.settings import GataSettings
from gata_assets_tests.defs.sagemaker_training_helpers import (
    BUCKET,
    JOB,
    KMS,
    PARAMETER,
    REGION,
    REPOSITORY,
    ROLE,
    context,
    make_world,
    trainer,
)


@pytest.fixture
def world(tmp_path, monkeypatch):
    yield from make_world(tmp_path, monkeypatch)


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
    local_ref = SplitRef(
        uri=f"file://{tmp_path}/train.parquet", size_bytes=0, sha256="", batch_id="b1"
    )
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
    assert identity_job_name("general_model", "ab" * 32, built.name_prefix).startswith("acme-gata-")
