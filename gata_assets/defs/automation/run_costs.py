"""The cost of one finished run, for its completion event: what its assets recorded, summed.

Every asset that spends records `cost_usd` and `cost_basis` in its materialization (the
models: their training job; a daily unit: its day's endpoint cost). This module reads them
back from the run's own event log through the instance, the same way `run_events.py` reads
the run's references, and adds them up. A batch run covers a day of endpoint traffic that no
asset of it prices yet, so for that day the endpoints' cost is asked of the cost meter here,
unless an asset of the run already recorded it (`endpoint_day_metadata`: its basis names the
`endpoints`), so no day is counted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from gata_assets.core.cost_estimates import CostEstimate, total
from gata_assets.defs.inference.endpoint_cost import endpoint_day_cost
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.cost_meter import CostMeter

MATERIALIZED = dg.DagsterEventType.ASSET_MATERIALIZATION


def _metadata_value(metadata: Mapping[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def recorded_costs(instance: dg.DagsterInstance, run_id: str) -> list[dict[str, Any]]:
    """One item per materialization of the run that recorded a cost."""
    items = []
    for entry in instance.all_logs(run_id, of_type=MATERIALIZED):
        materialization = entry.asset_materialization
        if materialization is None or "cost_basis" not in materialization.metadata:
            continue
        usd = _metadata_value(materialization.metadata, "cost_usd")
        items.append(
            {
                "item": materialization.asset_key.to_user_string(),
                "partition": materialization.partition,
                "usd": None if usd is None else float(usd),
                "basis": dict(_metadata_value(materialization.metadata, "cost_basis") or {}),
            }
        )
    return items


def _prediction_day(refs: Mapping[str, Mapping[str, Any]]) -> str | None:
    return next((str(r["day"]) for r in refs.values() if "day" in r and "fallback_rate" in r), None)


def run_cost(
    instance: dg.DagsterInstance,
    run_id: str,
    refs: Mapping[str, Mapping[str, Any]],
    meter: CostMeter,
    store: ArtifactStore,
) -> dict[str, Any]:
    """`{"currency", "total_usd", "complete", "items"}`; `complete` is False when an item
    could not be priced (its basis says what is missing) and the total leaves it out."""
    items = recorded_costs(instance, run_id)
    day = _prediction_day(refs)
    if day and not any("endpoints" in i["basis"] for i in items):
        day_cost = endpoint_day_cost(meter, store, day)
        items.append({"item": "endpoints", "partition": day, **_as_item(day_cost)})
    estimates = [CostEstimate(i["usd"], i["basis"]) for i in items]
    complete = all(i["usd"] is not None and not i["basis"].get("unpriced") for i in items)
    return {"currency": "USD", "total_usd": total(estimates), "complete": complete, "items": items}


def _as_item(estimate: CostEstimate) -> dict[str, Any]:
    return {"usd": estimate.usd, "basis": estimate.basis}
