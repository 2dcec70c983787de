"""The one routing rule, shared by the online server and by batch inference.

Production traffic sees one answer per ticket, but two models stand behind it: the general
model knows every high-volume queue plus a single hand-off class for all low-volume queues;
the low-volume model only separates those rare queues. Keeping the rule in one pure function
means an endpoint and a nightly batch job can never disagree about where a ticket goes.

Predictors are plain callables (texts -> scored labels, best first), so this module needs
neither torch nor HTTP and is tested with fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from gata_assets.core.schema import HANDOFF_CATEGORY, HANDOFF_LABEL

Route = Literal["general", "low_volume", "fallback"]


@dataclass(frozen=True)
class Scored:
    """One class and its probability. `label` is None for the fallback (triage) answer."""

    label: int | None
    category: str
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "category": self.category, "confidence": self.confidence}


# A predictor scores a batch of texts: one list per text, sorted by confidence, best first.
Predict = Callable[[list[str]], list[list[Scored]]]


@dataclass(frozen=True)
class RoutingPolicy:
    # Below this confidence a human should look: the ticket goes to the fallback queue.
    min_confidence: float = 0.0
    fallback_label: str = "triage"
    top_k: int = 3
    model_thresholds: Mapping[str, float] = field(default_factory=dict)
    """Per route ("general", "low_volume"): the threshold its model's card chose for a target
    precision on held-out data; it takes the place of `min_confidence` for that model."""

    def threshold(self, route: str) -> float:
        return self.model_thresholds.get(route, self.min_confidence)

    @classmethod
    def from_cards(cls, cards: Mapping[str, Any], **settings: Any) -> RoutingPolicy:
        """The deployment's settings, with each model card's own threshold where it has one:
        serving and batch inference build their policy here, so both route alike."""
        chosen = {
            route: card.min_confidence
            for route, card in cards.items()
            if card is not None and card.min_confidence is not None
        }
        return cls(**settings, model_thresholds=chosen)


@dataclass(frozen=True)
class Ticket:
    text: str
    id: Any = None


def is_handoff(scored: Scored) -> bool:
    return scored.label == HANDOFF_LABEL or scored.category == HANDOFF_CATEGORY


def _is_fallback(scored: Scored, policy: RoutingPolicy) -> bool:
    return scored.label is None and scored.category == policy.fallback_label


def _answer(ticket: Ticket, scores: list[Scored], route: Route, policy: RoutingPolicy) -> dict:
    best = scores[0]
    if route != "fallback" and (
        _is_fallback(best, policy) or best.confidence < policy.threshold(route) or is_handoff(best)
    ):
        # Keep the deciding model's confidence and top-k: triage staff see how unsure it was.
        route, best = "fallback", Scored(None, policy.fallback_label, best.confidence)
    return {
        "id": ticket.id,
        "label": best.label,
        "category": best.category,
        "confidence": best.confidence,
        "top_k": [s.as_dict() for s in scores[: policy.top_k]],
        "route": route,
    }


def route_tickets(
    tickets: Sequence[Ticket],
    general: Predict,
    low_volume: Predict | None,
    policy: RoutingPolicy,
) -> list[dict]:
    """Answer every ticket, in input order, with the model that decided it.

    The general model scores all tickets in one batch; only the hand-offs go to the
    low-volume model, also in one batch. Without a low-volume model a hand-off is triage.
    """
    if not tickets:
        return []
    first = general([t.text for t in tickets])
    handoffs = [i for i, scores in enumerate(first) if is_handoff(scores[0])]
    second: dict[int, list[Scored]] = {}
    if handoffs and low_volume is not None:
        rescored = low_volume([tickets[i].text for i in handoffs])
        second = dict(zip(handoffs, rescored, strict=True))
    answers = []
    for i, ticket in enumerate(tickets):
        if i in second:
            answers.append(_answer(ticket, second[i], "low_volume", policy))
        else:
            answers.append(_answer(ticket, first[i], "general", policy))
    return answers
