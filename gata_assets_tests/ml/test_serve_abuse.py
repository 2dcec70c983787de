"""gata-serve against careless and hostile clients: each gets a quick, reasoned refusal.

A real server process on loopback, with limits turned down so the tests run in seconds.
"""

import json
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from gata_assets_tests.serving_fixtures import make_fallback_dir, serve, session_models

LONG = "my printer shows error 49 after the toner change and the queue is stuck " * 6
JSON = {"content-type": "application/json"}
TIGHT = ["--head-timeout-s", "1", "--body-timeout-s", "2"]
BOUNDED = [
    "--threads",
    "1",
    "--max-batch",
    "1",
    "--max-request-tokens",
    "4000",
    "--max-queued-tokens",
    "5000",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    model = str(session_models(tmp_path_factory).random_general)
    with serve("--model-dir", model, *TIGHT, *BOUNDED) as server:
        yield server


def raw_exchange(server, data: bytes, wait_s: float = 6) -> tuple[bytes, float]:
    """What the server sends back on a raw socket, and how long until it closed."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(wait_s)
        started = time.monotonic()
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
        return received, time.monotonic() - started


@pytest.mark.parametrize(
    "body, needle",
    [
        (b'{"text": "abc\xed\xa0\x80"}', "not UTF-8 at byte 13"),
        (b'{"text": "caf\xe9"}', "not UTF-8"),
        (b'{"text": "abc\\ud800"}', "lone surrogate"),
    ],
)
def test_text_that_is_not_valid_unicode_is_refused_not_replaced(server, body, needle):
    reply = httpx.post(f"{server.url}/invocations", content=body, headers=JSON)
    assert reply.status_code == 400 and needle in reply.json()["reason"]


@pytest.mark.parametrize(
    "path", ["/endpoints/a%00b/invocations", "/endpoints/a%01b/invocations", "/x%7F", "/ping%00"]
)
def test_control_characters_in_the_path_are_a_400_with_a_reason(server, path):
    reply, _ = raw_exchange(server, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 3)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), reply[:200]
    assert "control character" in json.loads(body)["reason"]
    assert "Traceback" not in server.logs()


def test_an_invalid_endpoint_name_is_refused(server):
    reply = httpx.post(f"{server.url}/endpoints/-bad-/invocations", json={"text": "x"})
    assert reply.status_code == 400 and "endpoint name" in reply.json()["reason"]


def test_a_request_costing_more_than_the_cap_is_a_413_that_says_split_it(server):
    body = {"instances": [{"text": LONG}] * 40}  # about 40 x 110 tokens, over 4,000
    reply = httpx.post(f"{server.url}/invocations", json=body)
    assert reply.status_code == 413 and "split it" in reply.json()["reason"]


def test_an_idle_or_slow_client_is_cut_off_by_the_timeouts(server):
    silent, took = raw_exchange(server, b"")
    assert silent == b"" and took < 3  # said nothing: closed after the head timeout
    dripped, took = raw_exchange(server, b"POST /invocations HTTP/1.1\r\nHost: x\r\n")
    assert dripped.startswith(b"HTTP/1.1 408") and took < 3
    head = b"POST /invocations HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
    stalled, took = raw_exchange(server, head + b"Content-Length: 100\r\n\r\n{")
    assert stalled.startswith(b"HTTP/1.1 408") and b"stopped arriving" in stalled
    assert took < 5
    assert httpx.get(f"{server.url}/ping").status_code == 200


def test_past_the_queue_bound_a_503_with_retry_after_and_ping_says_overloaded(server):
    replies: dict[str, httpx.Response] = {}
    big = {"instances": [{"text": LONG, "id": i} for i in range(32)]}  # ~3,500 tokens

    def send_big() -> None:
        replies["big"] = httpx.post(f"{server.url}/invocations", json=big, timeout=120)

    caller = threading.Thread(target=send_big)
    caller.start()
    deadline = time.monotonic() + 30
    while httpx.get(f"{server.url}/info").json()["load"]["queued_tokens"] == 0:
        assert time.monotonic() < deadline and caller.is_alive(), "big request never queued"
        time.sleep(0.005)
    refused = httpx.post(f"{server.url}/invocations", json={"instances": big["instances"][:16]})
    ping = httpx.get(f"{server.url}/ping")
    small = httpx.post(f"{server.url}/invocations", json={"text": "printer jam"}, timeout=60)
    still_running = "big" not in replies
    caller.join(120)
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"] == "overloaded"
    assert ping.status_code == 503 and ping.json()["error"] == "overloaded"
    assert small.status_code == 200 and still_running  # overtook the big request
    assert replies["big"].status_code == 200
    time.sleep(1.1)
    assert httpx.get(f"{server.url}/ping").status_code == 200


def test_a_model_card_with_an_impossible_value_stops_the_server_in_one_line(tmp_path):
    model = make_fallback_dir(tmp_path / "bad")
    card = json.loads((model / "gata_model.json").read_text())
    (model / "gata_model.json").write_text(json.dumps({**card, "max_length": -5}))
    done = subprocess.run(
        [sys.executable, "-m", "gata_assets.ml.serve.entrypoint", "--model-dir", str(model)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "max_length -5" in lines[0], done.stderr
