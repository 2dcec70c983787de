"""The routing rule with fake predictors, then the same rule inside a router-mode server."""

import httpx
import pytest

from gata_assets.ml.routing import RoutingPolicy, Scored, Ticket, route_tickets
from gata_assets_tests.serving_fixtures import serve, session_models

HANDOFF = Scored(-1, "__low_volume__", 0.9)


def fixed(*answers: list[Scored]):
    calls: list[list[str]] = []

    def predict(texts: list[str]) -> list[list[Scored]]:
        calls.append(texts)
        return [list(answers[i % len(answers)]) for i in range(len(texts))]

    predict.calls = calls
    return predict


def test_general_decides_when_confident():
    general = fixed([Scored(11, "billing", 0.8), HANDOFF])
    [answer] = route_tickets([Ticket("refund", id=1)], general, fixed([]), RoutingPolicy())
    assert (answer["label"], answer["category"], answer["route"]) == (11, "billing", "general")
    assert answer["id"] == 1 and len(answer["top_k"]) == 2


def test_handoff_goes_to_low_volume_model_only_for_handoffs():
    general = fixed([Scored(11, "billing", 0.8)], [HANDOFF])
    low_volume = fixed([Scored(21, "gdpr", 0.7), Scored(22, "legal", 0.3)])
    tickets = [Ticket(f"t{i}", id=i) for i in range(4)]
    answers = route_tickets(tickets, general, low_volume, RoutingPolicy())
    assert [a["route"] for a in answers] == ["general", "low_volume"] * 2
    assert [a["category"] for a in answers] == ["billing", "gdpr"] * 2
    assert low_volume.calls == [["t1", "t3"]]  # one batch, hand-offs only


def test_low_confidence_goes_to_fallback_label():
    general = fixed([Scored(11, "billing", 0.4)], [HANDOFF])
    low_volume = fixed([Scored(22, "legal", 0.55)])
    policy = RoutingPolicy(min_confidence=0.6, fallback_label="triage")
    answers = route_tickets([Ticket("a"), Ticket("b")], general, low_volume, policy)
    assert [(a["label"], a["category"], a["route"]) for a in answers] == [
        (None, "triage", "fallback"),
        (None, "triage", "fallback"),
    ]
    assert answers[0]["confidence"] == 0.4  # how unsure the deciding model was
    assert answers[1]["top_k"][0]["category"] == "legal"


def test_handoff_without_low_volume_model_is_triage():
    [answer] = route_tickets([Ticket("a")], fixed([HANDOFF]), None, RoutingPolicy())
    assert (answer["category"], answer["route"]) == ("triage", "fallback")


def test_fallback_low_volume_model_answers_triage():
    fallback = fixed([Scored(None, "triage", 1.0)])
    [answer] = route_tickets([Ticket("a")], fixed([HANDOFF]), fallback, RoutingPolicy())
    assert (answer["label"], answer["category"], answer["confidence"]) == (None, "triage", 1.0)
    assert answer["route"] == "fallback"


def test_no_tickets_calls_no_model():
    general = fixed([HANDOFF])
    assert route_tickets([], general, None, RoutingPolicy()) == []
    assert general.calls == []


def post(url: str, texts: list[str]) -> list[dict]:
    body = {"instances": [{"text": t, "id": i} for i, t in enumerate(texts)]}
    reply = httpx.post(f"{url}/invocations", json=body, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()["predictions"]


@pytest.mark.slow
def test_router_layout_from_sm_model_dir(tmp_path_factory):
    """SageMaker's way: `serve` argument, model under SM_MODEL_DIR with general/ + low_volume/."""
    models = session_models(tmp_path_factory)
    with serve("serve", env={"SM_MODEL_DIR": str(models.router_root)}) as server:
        answers = post(server.url, ["gdpr export of my personal data", "erase me"])
        assert [(a["category"], a["label"], a["route"]) for a in answers] == [
            ("gdpr", 21, "low_volume")
        ] * 2
        assert httpx.get(f"{server.url}/info").json()["mode"] == "router"


@pytest.mark.slow
def test_router_with_fallback_low_volume_model(tmp_path_factory):
    models = session_models(tmp_path_factory)
    args = ("--general", str(models.handoff_general), "--low-volume", str(models.fallback))
    with serve(*args) as server:
        [answer] = post(server.url, ["subpoena from counsel"])
        assert (answer["category"], answer["confidence"], answer["route"]) == (
            "triage",
            1.0,
            "fallback",
        )


@pytest.mark.slow
def test_fallback_model_alone(tmp_path_factory):
    models = session_models(tmp_path_factory)
    with serve("--model-dir", str(models.fallback)) as server:
        answers = post(server.url, ["anything", "at all"])
        assert {(a["label"], a["category"], a["confidence"]) for a in answers} == {
            (None, "triage", 1.0)
        }


@pytest.mark.slow
def test_min_confidence_sends_unsure_tickets_to_triage(tmp_path_factory):
    models = session_models(tmp_path_factory)
    with serve("--model-dir", str(models.random_general), "--min-confidence", "0.99") as server:
        answers = post(server.url, ["printer", "billing question", "vpn"])
        assert {a["route"] for a in answers} == {"fallback"}
        assert all(a["confidence"] < 0.99 for a in answers)
