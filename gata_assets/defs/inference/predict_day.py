"""One day of batch inference, kept out of the asset for readability.

Tickets created in the day's UTC window are routed by the `batch_scoring` resource, which
uses the same rule as the online router (general → low-volume → fallback) whether it runs
here or as a SageMaker Batch Transform job, so a nightly batch and the endpoint can never
disagree about a ticket. A ticket with no text at all goes to the fallback (triage) queue
without asking a model: there is nothing to route on, and gata-serve refuses empty texts.
Models come from the artifact store: the versions prod serves (newest approved) when there
are any, else the newest servable ones, each recorded; the reference carries the general
model's batch id and data hash as its lineage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from gata_assets.core.model_groups import GENERAL, GROUP_NAMES
from gata_assets.core.references import PredictionsRef, ServingModel
from gata_assets.core.schema import compose_text
from gata_assets.core.ticket_reader import TicketReader
from gata_assets.ml.routing import Ticket
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.batch_scoring import BatchScoring, DayRouting, InProcessBatchScoring

COLUMNS = (
    "ticket_id",
    "created_at",
    "category",
    "label",
    "confidence",
    "route",
    "actual_label",
    *(f"{group}_version" for group in GROUP_NAMES),
)


@dataclass(frozen=True)
class ScoredDay:
    ref: PredictionsRef
    scoring: dict[str, Any]
    """How the day was scored (`BatchScoring` details), for the asset's metadata."""


def _answers(
    tickets: list[Ticket], routing: DayRouting, scoring: BatchScoring, store: ArtifactStore, log
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every ticket's answer, in order: the blank ones to triage, the rest from `scoring`."""
    routable = [i for i, ticket in enumerate(tickets) if ticket.text.strip()]
    scored = scoring.score([tickets[i] for i in routable], routing, store, log)
    blank = {"label": None, "category": routing.fallback_label, "confidence": 0.0}
    answers: list[dict[str, Any]] = [{**blank, "route": "fallback"} for _ in tickets]
    for index, answer in zip(routable, scored.answers, strict=True):
        answers[index] = answer
    return answers, scored.details


def score_day(
    reader: TicketReader,
    store: ArtifactStore,
    models: Mapping[str, ServingModel],
    day: str,
    start: datetime,
    end: datetime,
    min_confidence: float,
    fallback_label: str,
    scoring: BatchScoring | None = None,
    log: Any = None,
    redact_pii: bool = False,
) -> ScoredDay:
    tickets = reader.created_between(start, end)
    ids = tickets["ticket_id"].astype("str" if reader.text_ids else "int64")
    texts = [compose_text(s, b) for s, b in zip(tickets["subject"], tickets["body"], strict=True)]
    routing = DayRouting(day, models, min_confidence, fallback_label, redact_pii)
    answers, details = _answers(
        [Ticket(text, ticket_id) for text, ticket_id in zip(texts, ids.tolist(), strict=True)],
        routing,
        scoring or InProcessBatchScoring(),
        store,
        log,
    )
    versions = {role: m.model_version for role, m in models.items()}
    frame = pd.DataFrame(
        {
            "ticket_id": ids,
            "created_at": pd.to_datetime(tickets["created_at"], utc=True),
            "category": [a["category"] for a in answers],
            "label": pd.array([a["label"] for a in answers], dtype="Int64"),
            "confidence": [float(a["confidence"]) for a in answers],
            "route": [a["route"] for a in answers],
            "actual_label": pd.array(tickets["label"], dtype="Int64"),
            **{f"{group}_version": versions.get(group, "") for group in GROUP_NAMES},
        },
        columns=list(COLUMNS),
    )
    stored = store.write_parquet(frame, f"predictions/{day}.parquet")
    routes = Counter(frame["route"])
    general = models[GENERAL.name]
    ref = PredictionsRef(
        **stored.as_dict(),
        day=day,
        batch_id=general.batch_id,
        data_sha256=general.data_sha256,
        rows=len(frame),
        model_versions=versions,
        model_sources={role: m.source for role, m in models.items()},
        category_counts=dict(Counter(frame["category"]).most_common()),
        route_counts=dict(routes),
        fallback_rate=round(routes.get("fallback", 0) / len(frame), 6) if len(frame) else 0.0,
    )
    return ScoredDay(ref, details)


def predict_day(*args: Any, **kwargs: Any) -> PredictionsRef:
    """`score_day`'s reference alone."""
    return score_day(*args, **kwargs).ref
