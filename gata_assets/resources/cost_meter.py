"""CostMeter: what a training job, a Batch Transform job or a day of an endpoint cost.

One interface, two worlds, like every gata capability. Locally nothing is billed: every
estimate is 0.0 with basis "local", so the same metadata keys appear in both worlds. In AWS
the meter reads what AWS recorded (DescribeTrainingJob for training, CloudWatch's
`AWS/SageMaker` `ModelLatency` for serverless endpoints) and prices it with the dated table
(`core/prices.py`, GATA_PRICE_TABLE merged over the built-in one; the formulas and their
assumptions are in `core/cost_estimates.py`). An estimate never fails the asset or the
sensor that asks for it: an AWS error or a missing price gives an estimate without an amount
whose basis says why.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

import dagster as dg

from gata_assets.core.cost_estimates import (
    CostEstimate,
    local_estimate,
    serverless_estimate,
    training_estimate,
    transform_estimate,
)
from gata_assets.core.prices import PriceTable, load_price_table
from gata_assets.resources.aws import AwsResource, error_code

NAMESPACE = "AWS/SageMaker"
VARIANT = "AllTraffic"  # the one variant SageMakerDeployer creates
HOUR = 3600


def cost_metadata(estimate: CostEstimate) -> dict[str, Any]:
    """`cost_usd` (when priced) and `cost_basis`: what the run-completion event sums."""
    metadata: dict[str, Any] = {"cost_basis": dg.MetadataValue.json(estimate.basis)}
    if estimate.usd is not None:
        metadata["cost_usd"] = dg.MetadataValue.float(estimate.usd)
    return metadata


class CostMeter(dg.ConfigurableResource, ABC):
    price_table: str = ""
    """JSON file merged over the built-in price table (GATA_PRICE_TABLE); empty: built-in."""

    def prices(self) -> PriceTable:
        return load_price_table(self.price_table)

    @abstractmethod
    def training_cost(self, job_name: str) -> CostEstimate:
        """The training job `job_name` (empty: none ran, as for a fallback model)."""

    @abstractmethod
    def endpoint_cost(
        self, endpoint_name: str, memory_mb: int, start: datetime, end: datetime
    ) -> CostEstimate:
        """A serverless endpoint's invocations between `start` and `end` (UTC)."""

    @abstractmethod
    def transform_cost(
        self, instance_type: str, instance_count: int, billable_seconds: float
    ) -> CostEstimate:
        """A Batch Transform job's instances for the seconds they ran."""


class LocalCostMeter(CostMeter):
    """The embedded world runs on this machine: nothing is billed."""

    def training_cost(self, job_name: str) -> CostEstimate:
        return local_estimate("training")

    def endpoint_cost(self, endpoint_name, memory_mb, start, end) -> CostEstimate:
        return local_estimate("serverless")

    def transform_cost(self, instance_type, instance_count, billable_seconds) -> CostEstimate:
        return local_estimate("transform")


class AwsCostMeter(CostMeter, AwsResource):
    """SageMaker's own records, priced for this resource's region."""

    def _region(self) -> str:
        return self.region_name or str(self.client("sagemaker").meta.region_name)

    def training_cost(self, job_name: str) -> CostEstimate:
        if not job_name:
            return CostEstimate(0.0, {"kind": "training", "basis": "no training job ran"})
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            job = self.client("sagemaker").describe_training_job(TrainingJobName=job_name)
        except (BotoCoreError, ClientError) as error:  # an estimate never fails the asset
            return _unknown("training", f"DescribeTrainingJob {job_name}", error)
        return training_estimate(job, self.prices(), self._region())

    def endpoint_cost(self, endpoint_name, memory_mb, start, end) -> CostEstimate:
        from botocore.exceptions import BotoCoreError, ClientError

        if (end - start).total_seconds() > 1440 * HOUR:
            raise ValueError("endpoint_cost covers at most 60 days (1,440 hourly datapoints)")
        try:
            reply = self.client("cloudwatch").get_metric_statistics(
                Namespace=NAMESPACE,
                MetricName="ModelLatency",
                Dimensions=[
                    {"Name": "EndpointName", "Value": endpoint_name},
                    {"Name": "VariantName", "Value": VARIANT},
                ],
                StartTime=start,
                EndTime=end,
                Period=HOUR,
                Statistics=["Sum", "SampleCount"],
            )
        except (BotoCoreError, ClientError) as error:
            return _unknown("serverless", f"CloudWatch ModelLatency of {endpoint_name}", error)
        points = reply.get("Datapoints", [])
        microseconds = sum(float(p.get("Sum", 0.0)) for p in points)
        invocations = int(sum(float(p.get("SampleCount", 0.0)) for p in points))
        return serverless_estimate(
            self.prices(), self._region(), endpoint_name, memory_mb, microseconds / 1e6, invocations
        )

    def transform_cost(self, instance_type, instance_count, billable_seconds) -> CostEstimate:
        return transform_estimate(
            self.prices(), self._region(), instance_type, instance_count, billable_seconds
        )


def _unknown(kind: str, doing: str, error: Exception) -> CostEstimate:
    code, message = error_code(error)
    return CostEstimate(None, {"kind": kind, "missing": f"{doing} failed: {code} {message}"})
