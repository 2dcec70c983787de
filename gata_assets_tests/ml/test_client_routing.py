"""Routing across one endpoint per model answers exactly as the router endpoint does.

Each single-model endpoint is simulated with the very function gata-serve runs
(`route_tickets` with its one model and its card's threshold), so the test compares the
client-side chain with the router on the same fake models: hand-offs, thresholds, fallback
models, the order of answers, and which endpoint is asked at all.
"""

from __future__ import annotations

import pytest

from gata_assets.core.schema import HANDOFF_CATEGORY, HANDOFF_LABEL
from gata_assets.ml.client_routing import route_across
from gata_assets.ml.routing import RoutingPolicy, Scored, Ticket, route_tickets

# text -> the general model's scores, best first
GENERAL = {
    "charged twice": [Scored(11, "billing", 0.91), Scored(12, "password", 0.05)],
    "unsure printer": [Scored(13, "printer", 0.40), Scored(11, "billing", 0.35)],
    "gdpr request": [Scored(HANDOFF_LABEL, HANDOFF_CATEGORY, 0.80), Scored(11, "billing", 0.1)],
    "weak handoff": [Scored(HANDOFF_LABEL, HANDOFF_CATEGORY, 0.30), Scored(13, "printer", 0.2)],
    "legal letter": [Scored(HANDOFF_LABEL, HANDOFF_CATEGORY, 0.95), Scored(12, "password", 0.0)],
}
LOW_VOLUME = {
    "gdpr request": [Scored(21, "gdpr", 0.88), Scored(22, "legal", 0.12)],
    "weak handoff": [Scored(22, "legal", 0.55), Scored(21, "gdpr", 0.45)],
    "legal letter": [Scored(22, "legal", 0.97), Scored(21, "gdpr", 0.03)],
}
THRESHOLDS = {"general": 0.5, "low_volume": 0.6}
FALLBACK = "triage"


def general_model(texts):
    return [GENERAL[t] for t in texts]


def low_volume_model(texts):
    return [LOW_VOLUME[t] for t in texts]


def fallback_model(texts):
    return [[Scored(None, FALLBACK, 1.0)] for _ in texts]


def single_endpoint(model, threshold: float, asked: list):
    """What gata-serve answers serving `model` alone (its card's threshold is `general`'s)."""
    policy = RoutingPolicy(fallback_label=FALLBACK, model_thresholds={"general": threshold})

    def ask(instances):
        asked.append([i["id"] for i in instances])
        tickets = [Ticket(i["text"], i["id"]) for i in instances]
        return {"predictions": route_tickets(tickets, model, None, policy)}

    return ask


def router(low_volume) -> list[dict]:
    policy = RoutingPolicy(fallback_label=FALLBACK, model_thresholds=THRESHOLDS)
    tickets = [Ticket(text, str(i)) for i, text in enumerate(GENERAL)]
    return route_tickets(tickets, general_model, low_volume, policy)


INSTANCES = [{"id": str(i), "text": text} for i, text in enumerate(GENERAL)]


def test_two_endpoints_answer_every_ticket_as_the_router_does():
    asked_general, asked_low_volume = [], []
    general = single_endpoint(general_model, THRESHOLDS["general"], asked_general)
    low_volume = single_endpoint(low_volume_model, THRESHOLDS["low_volume"], asked_low_volume)
    answers = route_across(INSTANCES, general, low_volume)["predictions"]
    assert answers == router(low_volume_model)
    routes = [a["route"] for a in answers]
    assert routes == ["general", "fallback", "low_volume", "fallback", "low_volume"]
    assert answers[3]["category"] == FALLBACK  # legal at 0.55, under its model's 0.6
    # One request each; only the three hand-offs went to the low-volume endpoint.
    assert asked_general == [["0", "1", "2", "3", "4"]] and asked_low_volume == [["2", "3", "4"]]


def test_without_a_low_volume_endpoint_hand_offs_get_the_fallback_model_answer():
    asked = []
    general = single_endpoint(general_model, THRESHOLDS["general"], asked)
    answers = route_across(INSTANCES, general, lambda instances: None)["predictions"]
    assert answers == router(fallback_model)
    assert [a["confidence"] for a in answers if a["route"] == "fallback"][-3:] == [1.0] * 3


def test_no_hand_off_means_the_low_volume_endpoint_is_never_asked():
    general = single_endpoint(general_model, 0.5, [])

    def must_not_be_asked(instances):
        raise AssertionError("asked the low-volume endpoint without a hand-off")

    answers = route_across(INSTANCES[:2], general, must_not_be_asked)["predictions"]
    assert [a["id"] for a in answers] == ["0", "1"]


def test_an_endpoint_answering_the_wrong_number_of_tickets_is_an_error():
    def short(instances):
        return {"predictions": []}

    with pytest.raises(ValueError, match="general endpoint answered 1 tickets"):
        route_across(INSTANCES[:1], short, short)
