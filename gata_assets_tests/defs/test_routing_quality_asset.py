"""`routing_quality` materialized through Dagster: stored predictions of two days against the
latest extract, where an agent has re-routed one ticket."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from gata_assets.defs.inference import routing_quality
from gata_assets.resources.refs_io_manager import ref_key


def test_routing_quality_judges_every_stored_day_against_the_extract(offline_resources):
    store = offline_resources["artifact_store"]
    store.write_parquet(
        pd.DataFrame({"ticket_id": [1, 2], "label": [10, 10], "route": ["general"] * 2}),
        "predictions/2026-05-01.parquet",
    )
    store.write_parquet(
        pd.DataFrame({"ticket_id": [3, 4], "label": [20, 10], "route": ["general", "fallback"]}),
        "predictions/2026-05-02.parquet",
    )
    # Ticket 2 was routed to billing (10); an agent moved it to vpn (20).
    names = ["billing", "vpn", "vpn", "vpn"]
    snapshot = pd.DataFrame(
        {"ticket_id": [1, 2, 3, 4], "label": [10, 20, 20, 20], "category": names}
    )
    stored = store.write_parquet(snapshot, "batches/b1/tickets.parquet")
    store.write_json({"uri": stored.uri, "batch_id": "b1"}, ref_key(dg.AssetKey("ticket_extract")))

    result = dg.materialize([routing_quality], resources=offline_resources)
    assert result.success
    meta = result.asset_materializations_for_node("routing_quality")[0].metadata
    assert meta["tickets_judged"].value == 4 and meta["prediction_days"].value == 2
    assert meta["triage_rate"].value == pytest.approx(0.25)
    assert meta["rerouting_rate"].value == pytest.approx(1 / 3)
    assert meta["live_accuracy"].value == pytest.approx(0.5)
    assert "| vpn | 3 | 1 | 1.000 | 0.333 | 0.667 |" in meta["per_queue"].value


def test_routing_quality_without_predictions_fails_with_a_reason(offline_resources):
    result = dg.materialize([routing_quality], resources=offline_resources, raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "nothing to judge yet" in failure.step_failure_data.error.message


def test_the_window_and_the_model_test_accuracy_are_recorded(offline_resources):
    from gata_assets.resources.lifecycle_config import LifecycleConfig

    store = offline_resources["artifact_store"]
    # Oldest first: the last two judged tickets are both wrong.
    store.write_parquet(
        pd.DataFrame({"ticket_id": [1, 2, 3], "label": [10, 10, 10], "route": ["general"] * 3}),
        "predictions/2026-05-01.parquet",
    )
    names = ["billing", "vpn", "vpn"]
    final = pd.DataFrame({"ticket_id": [1, 2, 3], "label": [10, 20, 20], "category": names})
    stored = store.write_parquet(final, "batches/b1/tickets.parquet")
    store.write_json({"uri": stored.uri, "batch_id": "b1"}, ref_key(dg.AssetKey("ticket_extract")))
    model = {"uri": "file:///m", "batch_id": "b1", "model_version": "general-7", "group": "general",
             "metrics": {"accuracy": 0.9}}  # fmt: skip
    store.write_json(model, ref_key(dg.AssetKey("general_model")))
    resources = {**offline_resources, "lifecycle": LifecycleConfig(quality_window_tickets=2)}
    result = dg.materialize([routing_quality], resources=resources)
    meta = result.asset_materializations_for_node("routing_quality")[0].metadata
    assert (meta["recent_tickets"].value, meta["recent_accuracy"].value) == (2, 0.0)
    assert meta["model_test_accuracy"].value == 0.9
    assert meta["model_version"].value == "general-7"
