"""One day of batch inference hands its tickets to the `batch_scoring` resource.

What the resource gets (text and id of each ticket that has text), what the day's Parquet
makes of its answers, that a ticket without any text goes to triage without a model
(gata-serve refuses empty texts, so a transform job could not answer it either), and that
the asset records how the day was scored or fails with the resource's reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from gata_assets.core.references import ServingModel
from gata_assets.defs.inference import batch_predictions
from gata_assets.defs.inference.predict_day import score_day
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.batch_scoring import BatchScoring, BatchScoringError, ScoredTickets
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.resources.ticket_db import TicketDatabase
from gata_assets_tests.helpers import register_servable
from gata_assets_tests.serving_fixtures import make_fallback_dir

START = datetime(2026, 5, 2, tzinfo=UTC)


class ThreeTickets:
    text_ids = True

    def created_between(self, start, end) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "ticket_id": ["ZD-1", "ZD-2", "ZD-3"],
                "created_at": [START, START, START],
                "subject": ["Invoice", "", None],
                "body": ["charged twice", "  ", "printer jams"],
                "label": [11, 12, 13],
            }
        )


class Billing(BatchScoring):
    """Answers every ticket it is given "billing", and says which it was given."""

    def score(self, tickets, routing, store, log) -> ScoredTickets:
        answers = [
            {"id": t.id, "label": 11, "category": "billing", "confidence": 0.9, "route": "general"}
            for t in tickets
        ]
        seen = {"scoring": "billing", "seen": [(t.id, t.text) for t in tickets]}
        return ScoredTickets(answers, {**seen, "min_confidence": routing.min_confidence})


def test_the_resource_routes_what_has_text_and_a_blank_ticket_goes_to_triage(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path))
    models = {"general": ServingModel(uri="file:///g", model_version="g1", batch_id="b7")}
    scored = score_day(
        ThreeTickets(), store, models, "2026-05-02", START, START, 0.4, "triage", Billing()
    )
    assert scored.scoring == {
        "scoring": "billing",
        "seen": [("ZD-1", "Invoice\ncharged twice"), ("ZD-3", "printer jams")],
        "min_confidence": 0.4,
    }
    frame = store.read_parquet(scored.ref.uri)
    assert frame["ticket_id"].tolist() == ["ZD-1", "ZD-2", "ZD-3"]
    assert frame["category"].tolist() == ["billing", "triage", "billing"]
    assert frame["route"].tolist() == ["general", "fallback", "general"]
    assert frame["confidence"].tolist() == [0.9, 0.0, 0.9]
    assert frame["label"].isna().tolist() == [False, True, False]
    assert scored.ref.fallback_rate == round(1 / 3, 6) and scored.ref.batch_id == "b7"


class FailedJob(BatchScoring):
    def score(self, tickets, routing, store, log) -> ScoredTickets:
        raise BatchScoringError("transform job gata-bt-x failed: AlgorithmError: out of memory")


def _asset_run(small_ticket_db, offline_resources, gata_home, tmp_path, scoring):
    """`batch_predictions` for 2026-05-02 with fallback models approved (no torch)."""
    store = offline_resources["artifact_store"]
    registry = SqlModelRegistry(url=f"sqlite:///{gata_home / 'gata.db'}")
    for group in ("general", "low_volume"):
        uri = store.put_dir(make_fallback_dir(tmp_path / group, group), f"models/{group}/f").uri
        register_servable(registry, f"{group}-f", group, uri, metrics={})
    resources = {
        **offline_resources,
        "ticket_db": TicketDatabase(url=small_ticket_db),
        "registry": registry,
        "batch_scoring": scoring,
    }
    return dg.materialize(
        [batch_predictions], partition_key="2026-05-02", resources=resources, raise_on_error=False
    )


def test_the_asset_records_how_the_day_was_scored(
    small_ticket_db, offline_resources, gata_home, tmp_path
):
    result = _asset_run(small_ticket_db, offline_resources, gata_home, tmp_path, Billing())
    (event,) = result.asset_materializations_for_node("batch_predictions")
    assert event.metadata["scoring"].value == "billing"
    assert event.metadata["dagster/row_count"].value == 24


def test_a_failed_transform_job_fails_the_run_with_its_reason(
    small_ticket_db, offline_resources, gata_home, tmp_path
):
    result = _asset_run(small_ticket_db, offline_resources, gata_home, tmp_path, FailedJob())
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    described = failure.step_failure_data.user_failure_data.description
    assert described == "transform job gata-bt-x failed: AlgorithmError: out of memory"
