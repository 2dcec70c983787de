"""The model assets record what their training cost: in AWS the SageMaker job's billable
seconds at its region's on-demand price (the job lives in moto's SageMaker), locally 0.0
with basis "local"; either way the keys the run's completion event sums."""

from __future__ import annotations

import dataclasses
import json

import boto3
import dagster as dg
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sagemaker.models import sagemaker_backends

from gata_assets.ml.train.metrics import classification_metrics
from gata_assets.resources.cost_meter import AwsCostMeter
from gata_assets.resources.sagemaker_request import job_metadata
from gata_assets_tests.defs.training_asset_helpers import (
    ASSETS,
    CannedTrainer,
    materialization,
    only,
)

REGION = "eu-west-1"
JOB = "gata-general-model-0123456789abcdef0123"
METRICS = json.dumps(classification_metrics([0, 0, 1, 1], [0, 0, 1, 1], ["billing", "vpn"]))
GENERAL = [a for a in only("general_split", "general_model") if a in ASSETS]


class SageMakerJobTrainer(CannedTrainer):
    """What SageMakerTrainer hands the asset for the job moto holds (its name and
    `job_metadata`), with the model directory gata-train would have written."""

    origin: str = "created"

    def train(self, context, **kwargs):
        result = super().train(context, **kwargs)
        job = boto3.client("sagemaker", region_name=REGION).describe_training_job(
            TrainingJobName=JOB
        )
        metadata = {**job_metadata(job, REGION), "job_origin": dg.MetadataValue.text(self.origin)}
        return dataclasses.replace(result, job_name=JOB, metadata=metadata)


@pytest.fixture
def sagemaker_job(monkeypatch):
    """A completed spot job on ml.g6.xlarge: 1,800 s trained, 600 s billed."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        boto3.client("sagemaker", region_name=REGION).create_training_job(
            TrainingJobName=JOB,
            AlgorithmSpecification={"TrainingImage": "img:1", "TrainingInputMode": "File"},
            RoleArn="arn:aws:iam::123456789012:role/gata-sagemaker-training",
            OutputDataConfig={"S3OutputPath": "s3://gata-artifacts/gata/training-jobs"},
            ResourceConfig={
                "InstanceType": "ml.g6.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
            StoppingCondition={"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 14400},
            EnableManagedSpotTraining=True,
        )
        # moto reports no times; SageMaker would, once the job ended.
        job = sagemaker_backends[DEFAULT_ACCOUNT_ID][REGION].training_jobs[JOB]
        job.billable_time_in_seconds, job.training_time_in_seconds = 600, 1800
        yield


def test_the_model_asset_records_its_sagemaker_jobs_cost(
    small_ticket_db, offline_resources, sagemaker_job
):
    meter = AwsCostMeter(region_name=REGION)
    resources = {
        **offline_resources,
        "trainer": SageMakerJobTrainer(metrics_json=METRICS),
        "cost_meter": meter,
    }
    result = dg.materialize(GENERAL, resources=resources)
    assert result.success
    metadata = materialization(result, "general_model").metadata
    hourly = meter.prices().hourly("training", REGION, "ml.g6.xlarge").usd
    assert metadata["billable_seconds"].value == 600  # the trainer's own metadata, kept
    assert metadata["cost_usd"].value == round(hourly * 600 / 3600, 6)
    basis = metadata["cost_basis"].value
    assert (basis["job_name"], basis["region"], basis["spot"]) == (JOB, REGION, True)
    assert (basis["billable_seconds"], basis["usd_per_hour"]) == (600, hourly)
    assert basis["price_taken"] == "2026-12-04" and basis["estimate"] is True


def test_a_reused_completed_job_is_not_priced_again(
    small_ticket_db, offline_resources, sagemaker_job
):
    """A retried or re-executed run that reuses a completed job's output paid nothing."""
    resources = {
        **offline_resources,
        "trainer": SageMakerJobTrainer(metrics_json=METRICS, origin="reused"),
        "cost_meter": AwsCostMeter(region_name=REGION),
    }
    result = dg.materialize(GENERAL, resources=resources)
    metadata = materialization(result, "general_model").metadata
    assert metadata["cost_usd"].value == 0.0
    assert metadata["cost_basis"].value == {"kind": "training", "basis": "reused", "job_name": JOB}


def test_locally_the_model_asset_records_that_nothing_was_billed(
    small_ticket_db, offline_resources
):
    resources = {**offline_resources, "trainer": CannedTrainer(metrics_json=METRICS)}
    result = dg.materialize(GENERAL, resources=resources)
    metadata = materialization(result, "general_model").metadata
    assert metadata["cost_usd"].value == 0.0
    assert metadata["cost_basis"].value == {"kind": "training", "basis": "local"}
