"""Cost estimates from what AWS reports: training from a DescribeTrainingJob reply (spot's
billable seconds at the on-demand price), Batch Transform, serverless compute."""

from __future__ import annotations

from gata_assets.core.cost_estimates import (
    CostEstimate,
    serverless_estimate,
    total,
    training_estimate,
    transform_estimate,
)
from gata_assets.core.prices import load_price_table

TABLE = load_price_table()
ARN = "arn:aws:sagemaker:us-east-1:123456789012:training-job/gata-general-model-1a2b"


def described(**extra) -> dict:
    """The DescribeTrainingJob fields the estimate reads, as SageMaker returns them."""
    return {
        "TrainingJobName": "gata-general-model-1a2b",
        "TrainingJobArn": ARN,
        "TrainingJobStatus": "Completed",
        "EnableManagedSpotTraining": True,
        "TrainingTimeInSeconds": 1800,
        "BillableTimeInSeconds": 600,
        "ResourceConfig": {
            "InstanceType": "ml.g5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
        },
        **extra,
    }


def test_spot_training_costs_its_billable_seconds_at_the_on_demand_price():
    estimate = training_estimate(described(), TABLE, region="eu-west-1")
    assert estimate.usd == round(1.408 * 600 / 3600, 6)  # not 1800 training seconds
    assert estimate.basis == {
        "kind": "training",
        "job_name": "gata-general-model-1a2b",
        "region": "us-east-1",  # the job's ARN wins over the meter's region
        "instance_type": "ml.g5.xlarge",
        "instance_count": 1,
        "billable_seconds": 600,
        "spot": True,
        "usd_per_hour": 1.408,
        "price_taken": "2026-12-04",
        "price_source": TABLE.hourly("training", "us-east-1", "ml.g5.xlarge").source,
        "estimate": False,
    }


def test_every_instance_of_a_cluster_is_billed():
    job = described(ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 3})
    assert training_estimate(job, TABLE, "x").usd == round(3 * 0.23 * 600 / 3600, 6)


def test_without_an_arn_the_given_region_prices_it():
    job = described(TrainingJobArn="")
    estimate = training_estimate(job, TABLE, region="eu-central-1")
    assert estimate.basis["region"] == "eu-central-1" and estimate.basis["estimate"] is True
    assert estimate.usd == round(1.69 * 600 / 3600, 6)


def test_an_unpriced_instance_has_no_amount_and_says_what_to_add():
    job = described(ResourceConfig={"InstanceType": "ml.p5.48xlarge", "InstanceCount": 1})
    estimate = training_estimate(job, TABLE, "us-east-1")
    assert estimate.usd is None
    assert "no training price for ml.p5.48xlarge in us-east-1" in estimate.basis["missing"]
    assert "GATA_PRICE_TABLE" in estimate.basis["missing"]


def test_a_job_that_never_ran_costs_nothing():
    job = described(BillableTimeInSeconds=None, TrainingJobStatus="Failed")
    assert training_estimate(job, TABLE, "us-east-1").usd == 0.0


def test_transform_is_instances_times_seconds_at_the_transform_price():
    estimate = transform_estimate(TABLE, "us-east-1", "ml.m5.xlarge", 2, 900)
    assert estimate.usd == round(2 * 0.23 * 900 / 3600, 6)
    assert estimate.basis["kind"] == "transform" and estimate.basis["usd_per_hour"] == 0.23
    assert transform_estimate(TABLE, "us-east-1", "ml.nope", 1, 60).usd is None


def test_serverless_is_memory_times_processing_time():
    # 3 GB for 250 s of processing: 750 GB-seconds.
    estimate = serverless_estimate(TABLE, "us-east-1", "gata-router", 3072, 250.0, 5000)
    assert estimate.usd == round(750 * 0.00002, 6)
    assert estimate.basis["usd_per_gb_second"] == 0.00002
    assert estimate.basis["invocations"] == 5000 and estimate.basis["memory_mb"] == 3072


def test_total_leaves_unpriced_items_out():
    parts = [CostEstimate(0.5), CostEstimate(None, {"missing": "x"}), CostEstimate(0.25)]
    assert total(parts) == 0.75
