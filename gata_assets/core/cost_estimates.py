"""What a SageMaker job or endpoint cost, from what AWS reports and the dated price table.

Each estimate carries its basis (quantities, the price used, its date and whether it is an
estimate), so a figure in the Dagster UI or a run event can be checked by hand. A missing
price is not a failure: the estimate has no amount and its basis says which price to add.

- Training: `BillableTimeInSeconds` x `InstanceCount` x on-demand hourly price / 3600. For
  managed spot, SageMaker reports the discount as fewer billable seconds than training
  seconds (it documents the saving as `1 - BillableTimeInSeconds / TrainingTimeInSeconds`),
  so billable seconds at the on-demand price already are the spot cost.
- Batch Transform: instances x seconds x hourly price / 3600.
- Serverless inference: configured memory (GB) x processing seconds x price per GB-second.
  Assumed: AWS bills the time each request is processed, per millisecond, and CloudWatch's
  `ModelLatency` (microseconds, summed over the day) is that time; rounding each request up
  to the millisecond (at most 1 ms per invocation), cold starts (`ModelSetupTime`) and the
  per-GB data processing charge are not included. Pure: no Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gata_assets.core.prices import Price, PriceTable


@dataclass(frozen=True)
class CostEstimate:
    usd: float | None
    """None: no price for it in the table (the basis says which one to add)."""
    basis: dict[str, Any] = field(default_factory=dict)


def local_estimate(kind: str) -> CostEstimate:
    """Nothing billed: it ran on this machine."""
    return CostEstimate(0.0, {"kind": kind, "basis": "local"})


def reused_estimate(job_name: str) -> CostEstimate:
    """A completed job whose output this run reused: billed once, in the run that ran it."""
    return CostEstimate(0.0, {"kind": "training", "basis": "reused", "job_name": job_name})


def _priced(kind: str, quantity: float, price: Price | None, basis: dict[str, Any]) -> CostEstimate:
    if price is None:
        missing = f"no {kind} price for {basis.get('instance_type', 'serverless')} in "
        missing += f"{basis['region']}: add it with GATA_PRICE_TABLE"
        return CostEstimate(None, {"kind": kind, **basis, "missing": missing})
    priced = {
        f"usd_per_{price.unit.replace('-', '_').lower()}": price.usd,
        "price_taken": price.taken,
        "price_source": price.source,
        "estimate": price.estimate,
    }
    return CostEstimate(round(quantity * price.usd, 6), {"kind": kind, **basis, **priced})


def region_of(arn: str) -> str | None:
    """The region an ARN names (`arn:aws:sagemaker:<region>:...`)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None


def training_estimate(job: dict[str, Any], table: PriceTable, region: str) -> CostEstimate:
    """From a DescribeTrainingJob reply; its ARN's region wins over `region`."""
    resource = job.get("ResourceConfig") or {}
    instance_type = str(resource.get("InstanceType", ""))
    count = int(resource.get("InstanceCount") or 1)
    billable = int(job.get("BillableTimeInSeconds") or 0)
    region = region_of(str(job.get("TrainingJobArn", ""))) or region
    basis = {
        "job_name": job.get("TrainingJobName", ""),
        "region": region,
        "instance_type": instance_type,
        "instance_count": count,
        "billable_seconds": billable,
        "spot": bool(job.get("EnableManagedSpotTraining")),
    }
    price = table.hourly("training", region, instance_type)
    return _priced("training", count * billable / 3600, price, basis)


def transform_estimate(
    table: PriceTable, region: str, instance_type: str, instance_count: int, seconds: float
) -> CostEstimate:
    """A Batch Transform job: `instance_count` instances of `instance_type` for `seconds`."""
    basis = {
        "region": region,
        "instance_type": instance_type,
        "instance_count": instance_count,
        "billable_seconds": seconds,
    }
    price = table.hourly("transform", region, instance_type)
    return _priced("transform", instance_count * seconds / 3600, price, basis)


def serverless_estimate(
    table: PriceTable,
    region: str,
    endpoint_name: str,
    memory_mb: int,
    processing_seconds: float,
    invocations: int,
) -> CostEstimate:
    """A serverless endpoint's compute over a window (see the module docstring)."""
    basis = {
        "endpoint_name": endpoint_name,
        "region": region,
        "memory_mb": memory_mb,
        "processing_seconds": round(processing_seconds, 6),
        "invocations": invocations,
    }
    gb_seconds = memory_mb / 1024 * processing_seconds
    return _priced("serverless", gb_seconds, table.serverless(region), basis)


def total(estimates: list[CostEstimate]) -> float:
    """The priced part of several estimates, summed."""
    return round(sum((e.usd for e in estimates if e.usd is not None), 0.0), 6)
