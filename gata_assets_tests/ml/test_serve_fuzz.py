"""Property-based fuzzing of /invocations against the server's own OpenAPI document.

Hypothesis throws arbitrary JSON, shaped-but-wrong requests, valid requests and raw bytes at
a real server. Whatever arrives, the answer is 200 (validated against the documented
response schema) or a documented 4xx with a reason, and the server stays healthy.
"""

import json

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gata_assets_tests.serving_fixtures import serve, session_models

pytestmark = pytest.mark.slow

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
texts = st.text(min_size=1, max_size=400).filter(str.strip)
ids = st.none() | st.text(max_size=12) | st.integers(-(2**53), 2**53)
valid_instance = st.fixed_dictionaries({"text": texts}, optional={"id": ids})
valid_request = st.fixed_dictionaries(
    {"instances": st.lists(valid_instance, min_size=1, max_size=12)},
    optional={"top_k": st.integers(1, 10)},
)
wrong_instance = st.fixed_dictionaries({}, optional={"text": json_values, "id": json_values})
wrong_request = st.fixed_dictionaries(
    {"instances": st.lists(wrong_instance | json_values, max_size=12) | json_values},
    optional={"top_k": json_values},
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    models = session_models(tmp_path_factory)
    with serve("--model-dir", str(models.random_general), "--max-instances", "10") as server:
        server.openapi = httpx.get(f"{server.url}/openapi.json").json()
        yield server


def check(server, reply: httpx.Response) -> dict:
    assert reply.status_code in (200, 400, 413, 415), reply.text
    body = reply.json()
    if reply.status_code == 200:
        schema = {"$ref": "#/components/schemas/InvocationResponse", **server.openapi}
        jsonschema.validate(body, schema)
    else:
        assert body["reason"]
    return body


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(payload=valid_request | valid_instance)
def test_valid_requests_get_one_prediction_each(server, payload):
    reply = httpx.post(f"{server.url}/invocations", json=payload, timeout=30)
    instances = payload.get("instances", [payload])
    if len(instances) > 10:
        assert reply.status_code == 413
        return
    body = check(server, reply)
    assert reply.status_code == 200
    assert [p["id"] for p in body["predictions"]] == [i.get("id") for i in instances]
    assert all(len(p["top_k"]) == min(payload.get("top_k", 3), 4) for p in body["predictions"])


@FUZZ
@given(payload=json_values | wrong_request | wrong_instance)
def test_arbitrary_json_never_breaks_the_server(server, payload):
    reply = httpx.post(
        f"{server.url}/invocations",
        content=json.dumps(payload),
        timeout=30,
        headers={"content-type": "application/json"},
    )
    check(server, reply)
    assert httpx.get(f"{server.url}/ping").status_code == 200


@FUZZ
@given(
    raw=st.binary(max_size=2000),
    content_type=st.sampled_from(
        ["application/json", "application/json; charset=utf-8", "text/plain", ""]
    ),
)
def test_arbitrary_bytes_never_break_the_server(server, raw, content_type):
    headers = {"content-type": content_type} if content_type else {}
    check(server, httpx.post(f"{server.url}/invocations", content=raw, headers=headers))
    assert httpx.get(f"{server.url}/ping").status_code == 200
