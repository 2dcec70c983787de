"""gata-serve's JSON Lines face, as SageMaker Batch Transform uses it.

A transform job (ContentType=application/jsonlines, SplitType=Line, BatchStrategy=MultiRecord)
posts several ticket lines per request and wants one prediction per line back, in order
(Accept=application/jsonlines). Checked on the real app in this process (no server, a
fallback model: no torch), with the JSON path's limits and one-sentence reasons.
"""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from gata_assets.ml.serve.app import ServeOptions, create_app
from gata_assets.ml.serve.jsonlines import parse_jsonlines, wants_jsonlines
from gata_assets.ml.serve.limits import BodyLimits
from gata_assets.ml.serve.protocol import RequestError
from gata_assets.ml.serve.service import ModelPaths, RoutingService
from gata_assets_tests.serving_fixtures import make_fallback_dir

LINES = {"content-type": "application/jsonlines"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    model = make_fallback_dir(tmp_path_factory.mktemp("jsonl") / "general", group="general")
    service = RoutingService(ModelPaths(model))
    service.load()
    options = ServeOptions(body=BodyLimits(max_bytes=4000), max_instances=4, max_request_tokens=60)
    with TestClient(create_app(service, options)) as client:
        yield client


def test_lines_in_give_one_prediction_per_line_out_in_order(client):
    body = b'{"id": 7, "text": "printer jam"}\n{"text": "vpn down", "id": "T-2"}\n{"text": "x"}\n'
    reply = client.post("/invocations", content=body, headers=LINES)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/jsonlines"
    lines = reply.content.split(b"\n")
    predictions = [json.loads(line) for line in lines]
    assert [p["id"] for p in predictions] == [7, "T-2", None]
    assert all(p["category"] == "triage" and p["route"] == "fallback" for p in predictions)
    assert set(predictions[0]) == {"id", "label", "category", "confidence", "top_k", "route"}


def test_accept_chooses_the_answer_and_json_callers_see_no_change(client):
    body = b'{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}'
    as_json = client.post(
        "/invocations", content=body, headers={**LINES, "accept": "application/json"}
    )
    assert [p["id"] for p in as_json.json()["predictions"]] == [1, 2]
    plain = client.post("/invocations", json={"instances": [{"id": 1, "text": "a"}]})
    assert plain.headers["content-type"] == "application/json"
    assert [p["id"] for p in plain.json()["predictions"]] == [1]
    lines = client.post(
        "/invocations", json={"text": "a"}, headers={"accept": "application/jsonlines"}
    )
    assert lines.headers["content-type"] == "application/jsonlines"
    assert json.loads(lines.content)["category"] == "triage"


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b'{"text": "a"}\n\n{"text": "b"}', 400, "line 2 is empty"),
        (b'{"text": "a"}\n{"text": ', 400, "line 2 is not valid JSON"),
        (b'["just text"]', 400, "line 1 must be an object"),
        (b'{"id": 1}', 400, "line 1 has no 'text'"),
        (b'{"text": "   "}', 400, "line 1: text is empty"),
        (b'{"text": 5}', 400, "line 1: text must be a string, got int"),
        (b'{"text": "a", "id": [1]}', 400, "line 1: id must be a string or an integer"),
        (b'{"text": "\\ud800"}', 400, "line 1: text has a lone surrogate"),
        (b'{"text": "caf\xe9"}', 400, "not valid UTF-8 at byte 13"),
        (b"", 400, "no lines"),
        (b'{"text": "a"}\n' * 5, 413, "5 lines in one request; at most 4"),
        (b'{"text": "' + b"a" * 5000 + b'"}', 413, "byte limit"),
        (b'{"text": "' + b"word " * 120 + b'"}', 413, "at most 60 per request"),
    ],
)
def test_bad_lines_are_refused_like_bad_json(client, body, status, reason):
    reply = client.post("/invocations", content=body, headers=LINES)
    assert reply.status_code == status, reply.text
    assert reason in reply.json()["reason"]


def test_other_content_types_are_refused_naming_both(client):
    reply = client.post("/invocations", content=b"a,b", headers={"content-type": "text/csv"})
    assert reply.status_code == 415
    assert "application/json or application/jsonlines" in reply.json()["reason"]


def test_only_newline_ends_a_record():
    # U+2028 is a line break to str.splitlines but may stand raw inside a JSON string.
    body = '{"text": "one\u2028two", "id": 1}\r\n{"text": "three"}'.encode()
    tickets = parse_jsonlines(body, max_instances=10)
    assert [t.text for t in tickets] == ["one\u2028two", "three"] and tickets[0].id == 1
    with pytest.raises(RequestError, match="line 2 is empty"):
        parse_jsonlines(b'{"text": "a"}\n\n', max_instances=10)


@pytest.mark.parametrize(
    ("content_type", "accept", "jsonl"),
    [
        ("application/json", "", False),
        ("application/json", "*/*", False),
        ("application/json", "application/jsonlines", True),
        ("application/jsonlines", "", True),
        ("application/jsonlines", "application/json", False),
        ("application/jsonlines", "application/json, application/jsonlines", True),
        ("application/json", "application/jsonlines; q=0.9, text/plain", True),
    ],
)
def test_the_answer_follows_accept_then_the_request(content_type, accept, jsonl):
    assert wants_jsonlines(content_type, accept) is jsonl
