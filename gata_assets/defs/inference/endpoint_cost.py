"""What the endpoints gata serves cost on one UTC day, for the daily unit that reports it.

Serverless endpoints bill per invocation, and live traffic has no asset of its own, so the
day a `batch_predictions` partition covers is the day whose endpoint cost is reported: by
the run-completion event of that day's batch run (`defs/automation/run_costs.py`), or by
`batch_predictions` itself if it records `endpoint_day_metadata` (the event then reads it
instead). The endpoints are the ones the endpoint assets last deployed (preprod router and
prod), each with the serverless memory it was deployed with.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from gata_assets.core.cost_estimates import CostEstimate, total
from gata_assets.core.references import EndpointRef
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.cost_meter import CostMeter, cost_metadata
from gata_assets.resources.refs_io_manager import latest_ref

ENDPOINT_ASSETS = (dg.AssetKey("routing_endpoint"), dg.AssetKey("prod_endpoint"))


def served_endpoints(store: ArtifactStore) -> dict[str, int]:
    """Endpoint name -> serverless memory (MB; 0 when not serverless, as locally)."""
    served: dict[str, int] = {}
    for key in ENDPOINT_ASSETS:
        ref = latest_ref(store, key, EndpointRef)
        if ref is not None and ref.endpoint:
            serverless = ref.deployment.get("serverless") or {}
            memory = int(serverless.get("MemorySizeInMB") or 0)
            # The per-model layout bills each model's endpoint; the router is one endpoint.
            names = [e["name"] for e in ref.model_endpoints.values()] or [ref.endpoint]
            served.update(dict.fromkeys(names, memory))
    return served


def day_window(day: str) -> tuple[datetime, datetime]:
    """`2026-05-02` -> [2026-05-02T00:00Z, 2026-05-03T00:00Z)."""
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return start, start + timedelta(days=1)


def endpoint_day_cost(meter: CostMeter, store: ArtifactStore, day: str) -> CostEstimate:
    """Every served endpoint's compute on `day`, summed; each one's basis is kept."""
    start, end = day_window(day)
    parts = {
        name: meter.endpoint_cost(name, memory, start, end)
        for name, memory in served_endpoints(store).items()
    }
    basis: dict[str, Any] = {
        "kind": "serverless",
        "day": day,
        "endpoints": {name: {"usd": e.usd, **e.basis} for name, e in parts.items()},
    }
    unpriced = [name for name, e in parts.items() if e.usd is None]
    if unpriced:
        basis["unpriced"] = unpriced
    return CostEstimate(total(list(parts.values())), basis)


def endpoint_day_metadata(
    meter: CostMeter, store: ArtifactStore, day: str, transform: CostEstimate | None = None
) -> dict[str, Any]:
    """`cost_usd` / `cost_basis` for a daily asset: its day's endpoint cost, plus the Batch
    Transform job it scored through, if any (one asset records one cost)."""
    endpoints = endpoint_day_cost(meter, store, day)
    if transform is None:
        return cost_metadata(endpoints)
    basis = {**endpoints.basis, "kind": "batch_day", "transform": transform.basis}
    if transform.usd is None:
        basis["unpriced"] = [*basis.get("unpriced", []), "transform"]
    return cost_metadata(CostEstimate(total([endpoints, transform]), basis))
