"""Live routing quality from stored predictions and the queue each ticket ended in."""

from __future__ import annotations

import pandas as pd
import pytest

from gata_assets.core.routing_quality import routing_quality


def test_precision_recall_coverage_triage_and_rerouting_by_hand():
    # 1, 2 routed to billing (2 re-routed by an agent to vpn); 3 routed to vpn and stayed;
    # 4 went to triage and ended in vpn; 5 was predicted twice, the newer answer counts;
    # 6 was never extracted (still open): not judged.
    predictions = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T5", "T6"],
            "label": [1, 1, 2, 1, 2, 1, 1],
            "route": ["general", "general", "general", "fallback", "general", "general", "general"],
        }
    )
    final = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T4", "T5"],
            "label": [1, 2, 2, 2, 1],
            "category": ["billing", "vpn", "vpn", "vpn", "billing"],
        }
    )
    quality = routing_quality(predictions, final)
    assert quality.tickets == 5
    assert quality.triage_rate == pytest.approx(1 / 5)
    assert quality.rerouting_rate == pytest.approx(1 / 4)  # T2 of T1, T2, T3, T5
    assert quality.live_accuracy == pytest.approx(3 / 5)
    rows = quality.per_queue.set_index("category")
    assert rows.loc["billing"].to_dict() == {
        "tickets": 2, "routed_here": 3, "precision": pytest.approx(2 / 3),
        "recall": 1.0, "coverage": 1.0,
    }  # fmt: skip
    assert rows.loc["vpn"].to_dict() == {
        "tickets": 3, "routed_here": 1, "precision": 1.0,
        "recall": pytest.approx(1 / 3), "coverage": pytest.approx(2 / 3),
    }  # fmt: skip


def test_integer_ids_in_predictions_match_the_extract_and_nothing_joined_is_zero():
    predictions = pd.DataFrame({"ticket_id": [7], "label": [3], "route": ["general"]})
    final = pd.DataFrame({"ticket_id": [7], "label": [3], "category": ["legal"]})
    assert routing_quality(predictions, final).live_accuracy == 1.0
    empty = routing_quality(predictions, final.iloc[:0])
    assert (empty.tickets, empty.live_accuracy) == (0, 0.0) and empty.per_queue.empty
