"""Routing across one endpoint per model: the router's answer, put together by the caller.

With the per-model layout the general and the low-volume model each serve alone, and the
router's chain (general → low-volume → fallback, `routing.py`) has to run on gata's client
side. Each single-model endpoint already applies the policy's thresholds (its model card's,
which only the endpoint reads) and answers `route: "general"` or `"fallback"`; what is left
to the caller is the hand-off: a ticket whose general answer is the hand-off class goes to
the low-volume endpoint, whose accepted answers are the router's `low_volume` route. With no
low-volume endpoint (a fallback model) a hand-off gets the fallback model's answer:
the fallback label, confidence 1.0. So both layouts answer every ticket alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gata_assets.ml.routing import Scored, is_handoff

Ask = Callable[[list[dict[str, Any]]], dict[str, Any]]
# None: there is no low-volume endpoint to ask.
AskMaybe = Callable[[list[dict[str, Any]]], dict[str, Any] | None]


def _predictions(reply: dict[str, Any], expected: int, endpoint: str) -> list[dict[str, Any]]:
    predictions = reply.get("predictions")
    if not isinstance(predictions, list) or len(predictions) != expected:
        raise ValueError(f"the {endpoint} endpoint answered {expected} tickets with {reply!r:.300}")
    return predictions


def handed_off(prediction: dict[str, Any]) -> bool:
    """The general model's best class was the low-volume hand-off class."""
    top = (prediction.get("top_k") or [{}])[0]
    best = Scored(top.get("label"), str(top.get("category", "")), float(top.get("confidence", 0)))
    return prediction.get("route") == "fallback" and is_handoff(best)


def fallback_answer(prediction: dict[str, Any]) -> dict[str, Any]:
    """What a fallback low-volume model answers; the general endpoint's fallback answer
    already carries the fallback label."""
    label = prediction["category"]
    entry = {"label": None, "category": label, "confidence": 1.0}
    return {**prediction, **entry, "top_k": [entry], "route": "fallback"}


def low_volume_answer(prediction: dict[str, Any]) -> dict[str, Any]:
    # A single-model endpoint names its own accepted answers `general`.
    route = "low_volume" if prediction.get("route") == "general" else "fallback"
    return {**prediction, "route": route}


def route_across(instances: list[dict[str, Any]], general: Ask, low_volume: AskMaybe) -> dict:
    """{"predictions": [...]} for `instances`, in order, as a router endpoint would answer.

    The general endpoint gets every ticket in one request; only the hand-offs go to the
    low-volume endpoint, also in one request, and only then is it asked for at all.
    """
    answers = _predictions(general(instances), len(instances), "general")
    handoffs = [i for i, answer in enumerate(answers) if handed_off(answer)]
    if not handoffs:
        return {"predictions": answers}
    reply = low_volume([instances[i] for i in handoffs])
    if reply is None:
        second = [fallback_answer(answers[i]) for i in handoffs]
    else:
        second = [low_volume_answer(p) for p in _predictions(reply, len(handoffs), "low-volume")]
    for index, answer in zip(handoffs, second, strict=True):
        answers[index] = answer
    return {"predictions": answers}
