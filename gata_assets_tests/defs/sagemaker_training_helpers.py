"""Shared by the SageMaker trainer tests: the mocked AWS world and canned SageMaker replies.

SageMaker is stubbed (botocore Stubber validates every request against the real API model),
SSM, S3 and CloudWatch Logs are mocked by moto. Each test file wraps `make_world` in its own
`world` fixture. Training runs inside a real asset materialization (`run_train`), as the
trainer opens a Dagster Pipes session, which needs the asset's execution context.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import boto3
import dagster as dg
from botocore.stub import Stubber
from moto import mock_aws

from gata_assets.core.references import SplitRef
from gata_assets.ml.model_card import LabelEntry, ModelCard, write_card
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_trainer import SageMakerTrainer
from gata_assets.resources.trainer import identity_job_name, training_identity

REGION, BUCKET = "eu-west-1", "gata-artifacts"
RUN_ID = "5f0c2a9e-1b2c-4d3e-8f90-123456789abc"
ROLE = "arn:aws:iam::123456789012:role/gata-sagemaker-training"
REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gata/finetune"
KMS = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PARAMETER = "/gata/images/finetune/tag"
NOW = datetime(2026, 11, 24, tzinfo=UTC)
HPS = {"epochs": 3, "learning_rate": 1e-4, "freeze_embeddings": True, "group": "general"}
IMAGE = f"{REPOSITORY}:3f2c1ab"


def job_name(attempt: int = 0) -> str:
    """What the trainer names the job for the world's train/test bytes, HPS and image."""
    refs = {
        side: SplitRef(uri="", sha256=hashlib.sha256(side.encode()).hexdigest(), batch_id="b1")
        for side in ("train", "test")
    }
    identity = training_identity("general_model", refs["train"], refs["test"], HPS, IMAGE)
    return identity_job_name("general_model", identity, attempt=attempt)


JOB = job_name()


def context() -> SimpleNamespace:
    return SimpleNamespace(
        run=SimpleNamespace(run_id=RUN_ID),
        asset_key=dg.AssetKey("general_model"),
        log=logging.getLogger("test-training-sagemaker"),
    )


def make_world(tmp_path, monkeypatch):
    """The `world` fixture's body: moto S3 + SSM, a stubbed SageMaker client."""
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
            side: SplitRef(
                **store.put_file(tmp_path / f"{side}.parquet", f"b1/{side}.parquet").as_dict(),
                batch_id="b1",
            )
            for side in ("train", "test")
        }
        client = boto3.client("sagemaker", region_name=REGION)
        with Stubber(client) as stub:
            yield SimpleNamespace(store=store, refs=refs, stub=stub, tmp=tmp_path, client=client)
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
        "log_poll_seconds": 0.01,
        "log_poll_max_seconds": 0.02,
        "log_drain_seconds": 0.1,
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


def not_found(stub: Stubber, name: str = JOB) -> None:
    stub.add_client_error(
        "describe_training_job",
        service_error_code="ValidationException",
        service_message="Requested resource not found.",
        http_status_code=400,
        expected_params={"TrainingJobName": name},
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


def run_train(world, the_trainer: SageMakerTrainer | None = None, instance=None, **clients):
    """Train inside a materialization of `general_model` (run id RUN_ID, on `instance` if
    given) with the world's stubbed SageMaker client handed in (SSM, S3 and CloudWatch Logs
    are moto) unless `clients` hands in others; the trainer's result, or what it raised."""
    stubbed = (the_trainer or trainer()).with_clients(**{"sagemaker": world.client, **clients})
    results = []

    @dg.asset(name="general_model")
    def general_model(context) -> dg.MaterializeResult:
        results.append(
            stubbed.train(
                context,
                group="general",
                train_ref=world.refs["train"],
                test_ref=world.refs["test"],
                hyperparameters=HPS,
                artifact_store=world.store,
                work_dir=world.tmp / "work",
            )
        )
        return dg.MaterializeResult(metadata=results[0].metadata)

    job = dg.Definitions(assets=[general_model]).resolve_implicit_global_asset_job_def()
    job.execute_in_process(run_id=RUN_ID, instance=instance)
    return results[0]
