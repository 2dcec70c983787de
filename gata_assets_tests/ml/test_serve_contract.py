"""The SageMaker container contract over real HTTP against a real `gata-serve` process."""

import json

import boto3
import httpx
import pytest

from gata_assets_tests.serving_fixtures import serve, session_models

pytestmark = pytest.mark.slow

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    models = session_models(tmp_path_factory)
    with serve(
        "--general",
        str(models.random_general),
        "--low-volume",
        str(models.low_volume),
        "--max-instances",
        "16",
        "--max-body-bytes",
        "200000",
    ) as server:
        yield server


def invoke(server, body, path="/invocations", headers=JSON) -> httpx.Response:
    if isinstance(body, bytes | str):
        return httpx.post(server.url + path, content=body, headers=headers, timeout=30)
    return httpx.post(server.url + path, json=body, headers=headers, timeout=30)


def test_ping_and_info(server):
    assert httpx.get(server.url + "/ping").status_code == 200
    info = httpx.get(server.url + "/info").json()
    assert info["mode"] == "router"
    assert info["models"]["general"]["model_version"] == "r1"
    assert info["models"]["low_volume"]["model_version"] == "lv1"
    assert info["models"]["general"]["precision"] in ("float32", "bfloat16")  # auto


def test_single_instance(server):
    reply = invoke(server, {"text": "my invoice is wrong", "id": "t-1"})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    [prediction] = reply.json()["predictions"]
    assert prediction["id"] == "t-1"
    assert prediction["route"] in ("general", "low_volume")
    assert 0.0 <= prediction["confidence"] <= 1.0
    assert prediction["top_k"][0]["category"] == prediction["category"]
    assert len(prediction["top_k"]) == 2 if prediction["route"] == "low_volume" else 3


def test_batch_keeps_order_and_echoes_ids(server):
    texts = [f"ticket number {i} about printer toner {'x' * i}" for i in range(12)]
    instances = [{"id": i * 7, "text": t} for i, t in enumerate(texts)]
    instances[3].pop("id")
    reply = invoke(server, {"instances": instances, "top_k": 1})
    assert reply.status_code == 200
    predictions = reply.json()["predictions"]
    assert [p["id"] for p in predictions] == [i * 7 if i != 3 else None for i in range(12)]
    assert all(len(p["top_k"]) == 1 for p in predictions)
    # Batched answers equal one-by-one answers: batching changes speed, never results.
    alone = invoke(server, {"instances": [{"text": texts[5]}]}).json()["predictions"][0]
    assert alone["category"] == predictions[5]["category"]
    assert alone["confidence"] == pytest.approx(predictions[5]["confidence"], abs=1e-4)


def test_long_text_is_truncated_not_rejected(server):
    head = "printer jam again " * 60  # well past 128 tokens on its own
    long_text = head + "legal counsel subpoena " * 40_000  # about 1 MB: over our 200 kB limit
    reply = invoke(server, {"text": head + "legal counsel subpoena " * 5_000})
    assert reply.status_code == 200
    short = invoke(server, {"text": head}).json()["predictions"][0]
    long = reply.json()["predictions"][0]
    assert (long["category"], long["confidence"]) == (short["category"], short["confidence"])
    assert invoke(server, {"text": long_text}).status_code == 413


@pytest.mark.parametrize(
    ("body", "headers", "status", "reason"),
    [
        (b'{"instances": [', JSON, 400, "not valid JSON"),
        (b"\xff\xfe\x00", JSON, 400, "not valid JSON"),
        (b"[" * 100_000, JSON, 400, "not valid JSON"),
        ({"texts": ["a"]}, JSON, 400, "missing 'instances'"),
        ({"instances": []}, JSON, 400, "is empty"),
        ({"instances": "abc"}, JSON, 400, "must be a list"),
        ({"instances": [{"text": "ok"}, {"text": "   "}]}, JSON, 400, "instances[1].text is empty"),
        ({"instances": [{"text": 42}]}, JSON, 400, "must be a string, got int"),
        ({"instances": [{"text": None}]}, JSON, 400, "must be a string"),
        ({"instances": ["just text"]}, JSON, 400, "instances[0] must be an object"),
        ({"instances": [{"id": 1}]}, JSON, 400, "has no 'text'"),
        ({"instances": [{"text": "a", "id": [1]}]}, JSON, 400, "id must be"),
        ({"instances": [{"text": "a"}], "top_k": 0}, JSON, 400, "'top_k'"),
        ([1, 2], JSON, 400, "must be a JSON object"),
        (b"text=hello", {"content-type": "text/csv"}, 415, "application/json"),
        (b'{"text": "a"}', {}, 415, "application/json"),
        ({"instances": [{"text": "a"}] * 17}, JSON, 413, "at most 16"),
        (b'{"text": "' + b"a" * 300_000 + b'"}', JSON, 413, "byte limit"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(server, body, headers, status, reason):
    reply = invoke(server, body, headers=headers)
    assert reply.status_code == status, reply.text
    assert reply.json()["reason"] and reason in reply.json()["reason"]
    assert httpx.get(server.url + "/ping").status_code == 200


def test_unknown_route_is_json_404(server):
    reply = httpx.get(server.url + "/nope")
    assert reply.status_code == 404 and reply.json()["error"] == "http_error"


def test_openapi_documents_the_contract(server):
    document = httpx.get(server.url + "/openapi.json").json()
    post = document["paths"]["/invocations"]["post"]
    assert {"200", "400", "413", "415"} <= set(post["responses"])
    assert "InvocationRequest" in document["components"]["schemas"]
    assert "/endpoints/{name}/invocations" in document["paths"]


def test_boto3_invoke_endpoint_against_local_server(server):
    runtime = boto3.client(
        "sagemaker-runtime",
        endpoint_url=server.url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    reply = runtime.invoke_endpoint(
        EndpointName="gata-router",
        ContentType="application/json",
        Accept="application/json",
        Body=b'{"instances": [{"id": "b1", "text": "vpn token expired"}]}',
    )
    body = json.loads(reply["Body"].read())
    assert body["predictions"][0]["id"] == "b1"
    assert reply["ContentType"] == "application/json"
