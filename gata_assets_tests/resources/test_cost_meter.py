"""The cost meter: a serverless endpoint's day from moto's CloudWatch (ModelLatency sums per
EndpointName/VariantName), a training job from a stubbed DescribeTrainingJob, Batch
Transform from the table, nothing billed locally, and AWS errors that never raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gata_assets.resources.cost_meter import AwsCostMeter, LocalCostMeter, cost_metadata

REGION = "eu-west-1"
DAY = datetime(2026, 5, 2, tzinfo=UTC)
ROUTER = [
    {"Name": "EndpointName", "Value": "gata-router"},
    {"Name": "VariantName", "Value": "AllTraffic"},
]


@pytest.fixture
def cloudwatch(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION)


def latency(dimensions, when: datetime, count: int, total_us: float) -> dict:
    """One aggregated ModelLatency datum, as SageMaker publishes them (microseconds)."""
    return {
        "MetricName": "ModelLatency",
        "Dimensions": dimensions,
        "Timestamp": when,
        "StatisticValues": {"SampleCount": count, "Sum": total_us, "Minimum": 1, "Maximum": 1e6},
        "Unit": "Microseconds",
    }


def test_a_days_invocations_cost_memory_times_their_model_latency(cloudwatch):
    other_variant = [ROUTER[0], {"Name": "VariantName", "Value": "Shadow"}]
    other_endpoint = [{"Name": "EndpointName", "Value": "gata-prod"}, ROUTER[1]]
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            latency(ROUTER, DAY + timedelta(hours=9), 1200, 90e6),  # 90 s over 1,200 calls
            latency(ROUTER, DAY + timedelta(hours=17, minutes=5), 800, 30e6),
            latency(ROUTER, DAY + timedelta(days=1, hours=1), 999, 999e6),  # the next day
            latency(other_variant, DAY + timedelta(hours=9), 5, 5e9),
            latency(other_endpoint, DAY + timedelta(hours=9), 5, 5e9),
        ],
    )
    meter = AwsCostMeter(region_name=REGION)
    estimate = meter.endpoint_cost("gata-router", 3072, DAY, DAY + timedelta(days=1))
    price = meter.prices().serverless(REGION).usd
    assert estimate.basis["processing_seconds"] == pytest.approx(120.0)
    assert estimate.basis["invocations"] == 2000
    assert estimate.usd == pytest.approx(round(3 * 120.0 * price, 6))
    assert estimate.basis["estimate"] is True  # eu-west-1 serverless is not confirmed
    quiet = meter.endpoint_cost("gata-router", 3072, DAY - timedelta(days=3), DAY)
    assert quiet.usd == 0.0 and quiet.basis["invocations"] == 0


def test_more_than_cloudwatch_can_answer_in_one_call_is_refused(cloudwatch):
    with pytest.raises(ValueError, match="at most 60 days"):
        AwsCostMeter(region_name=REGION).endpoint_cost("e", 1024, DAY, DAY + timedelta(days=61))


def test_a_training_job_is_priced_from_its_description():
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    client = boto3.client("sagemaker", region_name=REGION, **keys)
    job = {
        "TrainingJobName": "gata-general-model-1a2b",
        "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:123456789012:training-job/gata-general",
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "ModelArtifacts": {"S3ModelArtifacts": "s3://b/m.tar.gz"},
        "AlgorithmSpecification": {"TrainingInputMode": "File"},
        "ResourceConfig": {
            "InstanceType": "ml.g6.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 7200},
        "CreationTime": DAY,
        "EnableManagedSpotTraining": True,
        "TrainingTimeInSeconds": 1500,
        "BillableTimeInSeconds": 500,
    }
    with Stubber(client) as stub:
        stub.add_response("describe_training_job", job, {"TrainingJobName": job["TrainingJobName"]})
        stub.add_client_error("describe_training_job", "AccessDeniedException", "not allowed")
        meter = AwsCostMeter(region_name=REGION).with_clients(sagemaker=client)
        estimate = meter.training_cost(job["TrainingJobName"])
        denied = meter.training_cost("gata-other")
    hourly = meter.prices().hourly("training", REGION, "ml.g6.xlarge").usd
    assert estimate.usd == pytest.approx(round(hourly * 500 / 3600, 6))
    assert estimate.basis["billable_seconds"] == 500 and estimate.basis["spot"] is True
    assert denied.usd is None
    assert "DescribeTrainingJob gata-other failed: AccessDeniedException" in denied.basis["missing"]
    assert meter.training_cost("").usd == 0.0  # a fallback model: no job ran


def test_transform_cost_uses_the_meters_region():
    estimate = AwsCostMeter(region_name="eu-central-1").transform_cost("ml.m5.xlarge", 2, 1800)
    assert estimate.usd == pytest.approx(2 * 0.276 * 0.5)
    assert estimate.basis["region"] == "eu-central-1"


def test_locally_nothing_is_billed_and_the_metadata_says_so():
    meter = LocalCostMeter()
    for estimate in (
        meter.training_cost("local-job"),
        meter.endpoint_cost("gata-router", 3072, DAY, DAY + timedelta(days=1)),
        meter.transform_cost("ml.m5.xlarge", 1, 60),
    ):
        assert estimate.usd == 0.0 and estimate.basis["basis"] == "local"
    metadata = cost_metadata(meter.training_cost("local-job"))
    assert metadata["cost_usd"].value == 0.0
    assert metadata["cost_basis"].value == {"kind": "training", "basis": "local"}


def test_a_role_without_cloudwatch_access_gets_an_unpriced_estimate_not_an_error():
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    client = boto3.client("cloudwatch", region_name=REGION, **keys)
    with Stubber(client) as stub:
        stub.add_client_error("get_metric_statistics", "AccessDenied", "no GetMetricStatistics")
        meter = AwsCostMeter(region_name=REGION).with_clients(cloudwatch=client)
        estimate = meter.endpoint_cost("gata-router", 3072, DAY, DAY + timedelta(days=1))
    assert estimate.usd is None
    assert estimate.basis["missing"].startswith("CloudWatch ModelLatency of gata-router failed")
    assert "AccessDenied" in estimate.basis["missing"]
