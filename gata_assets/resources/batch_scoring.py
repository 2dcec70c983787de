"""Batch scoring: where a day of tickets is routed by the served models.

`batch_predictions` only asks "route these tickets with these models"; whether that happens
in the Dagster run worker or on SageMaker is the implementation's business, chosen once in
`build.py`. Both route with the online router's rule (`ml.routing.route_tickets`: general →
low-volume → fallback, each model's card threshold), so the same tickets get the same
answers whichever way a day went. `details` says how the day was scored, for the metadata.
"""

from __future__ import annotations

import tempfile
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.core.model_groups import GENERAL, LOW_VOLUME
from gata_assets.core.references import ServingModel
from gata_assets.ml.routing import Ticket
from gata_assets.resources.artifact_store import ArtifactStore

# Tickets per routing call in process: bounds the memory of one call, not the result.
CHUNK = 256


class BatchScoringError(RuntimeError):
    """A day could not be scored; the message says why (a transform job's FailureReason)."""


@dataclass(frozen=True)
class DayRouting:
    """What routing a day needs besides its tickets: the models and the router's settings."""

    day: str
    models: Mapping[str, ServingModel]
    min_confidence: float
    fallback_label: str
    redact_pii: bool = False
    """GATA_REDACT_PII: texts that leave the process (a transform job's input) are masked."""


@dataclass(frozen=True)
class ScoredTickets:
    answers: list[dict[str, Any]]
    """One per ticket, in ticket order: label, category, confidence, top_k, route."""
    details: dict[str, Any] = field(default_factory=dict)
    """How the day was scored: `{"scoring": "in_process"}`, or the transform job's record."""


class BatchScoring(dg.ConfigurableResource, ABC):
    @abstractmethod
    def score(
        self, tickets: list[Ticket], routing: DayRouting, store: ArtifactStore, log: Any
    ) -> ScoredTickets:
        """Route `tickets` (text and id each) with `routing.models`, or raise
        BatchScoringError."""


def route_in_process(
    tickets: list[Ticket], routing: DayRouting, store: ArtifactStore
) -> list[dict[str, Any]]:
    """Load the models here and route the tickets with the online router's rule."""
    from gata_assets.ml.routing import RoutingPolicy, route_tickets
    from gata_assets.ml.serve.predictor import load_predictor

    if not tickets:
        return []
    with tempfile.TemporaryDirectory(prefix="gata-batch-") as scratch:
        predictors = {
            role: load_predictor(store.get_dir(model.uri, Path(scratch) / role))
            for role, model in routing.models.items()
        }
        cards = {role: getattr(p, "card", None) for role, p in predictors.items()}
        policy = RoutingPolicy.from_cards(
            cards, min_confidence=routing.min_confidence, fallback_label=routing.fallback_label
        )
        general, low_volume = predictors[GENERAL.name], predictors.get(LOW_VOLUME.name)
        answers: list[dict[str, Any]] = []
        for at in range(0, len(tickets), CHUNK):
            answers += route_tickets(tickets[at : at + CHUNK], general, low_volume, policy)
        return answers


class InProcessBatchScoring(BatchScoring):
    """Every day in the run worker: the embedded default, and small days on AWS."""

    def score(
        self, tickets: list[Ticket], routing: DayRouting, store: ArtifactStore, log: Any
    ) -> ScoredTickets:
        return ScoredTickets(route_in_process(tickets, routing, store), {"scoring": "in_process"})
