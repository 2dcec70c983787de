"""The local endpoint proxy against oversized, slow and malformed requests.

A real proxy process in front of a real gata-serve (a fallback model: no torch, starts at
once), both on loopback, limits turned down so each case takes a second or two.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from gata_assets_tests.serving_fixtures import free_port, make_fallback_dir, serve

LIMITS = ["--max-body-bytes", "65536", "--head-timeout-s", "1", "--body-timeout-s", "2"]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    root = tmp_path_factory.mktemp("proxy")
    model = make_fallback_dir(root / "model")
    with serve("--model-dir", str(model), *LIMITS) as backend:
        state = root / "state.json"
        state.write_text(json.dumps({"backend": {"url": backend.url}}))
        port, log = free_port(), root / "proxy.log"
        command = ["-m", "gata_assets.ml.serve.proxy", "--state", str(state), "--port", str(port)]
        proc = subprocess.Popen(
            [sys.executable, *command, *LIMITS],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, proc)
        proc.url, proc.log, proc.port = url, log, port  # type: ignore[attr-defined]
        yield proc
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_until_up(url: str, proc: subprocess.Popen) -> None:
    for _ in range(300):
        assert proc.poll() is None, "the proxy exited"
        try:
            if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


def exchange(port: int, data: bytes, more=(), wait_s: float = 6) -> tuple[bytes, float]:
    """Send raw bytes (then `more` chunks while the socket takes them); read to the end."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(wait_s)
        started = time.monotonic()
        sock.sendall(data)
        for chunk in more:
            try:
                sock.sendall(chunk)
            except OSError:  # the proxy answered and closed: stop sending
                break
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        return received, time.monotonic() - started


POST = b"POST /invocations HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"


def test_a_declared_body_over_the_limit_is_refused_at_once(proxy):
    reply, took = exchange(proxy.port, POST + b"Content-Length: 1000000000\r\n\r\n0123456789")
    assert reply.startswith(b"HTTP/1.1 413") and took < 1
    assert b"65536-byte limit" in reply


def test_a_huge_chunked_body_is_cut_off_without_the_proxy_growing(proxy):
    before = psutil.Process(proxy.pid).memory_info().rss
    chunk = b"%x\r\n%s\r\n" % (1 << 20, b"a" * (1 << 20))
    reply, _ = exchange(
        proxy.port, POST + b"Transfer-Encoding: chunked\r\n\r\n", more=[chunk] * 200
    )
    grown = psutil.Process(proxy.pid).memory_info().rss - before
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert grown < 30 << 20, f"proxy grew by {grown >> 20} MB"


@pytest.mark.parametrize(
    "path", ["/endpoints/a%00b/invocations", "/endpoints/a%01b/invocations", "/x%7F", "/ping%00"]
)
def test_control_characters_in_the_path_are_a_400_without_a_traceback(proxy, path):
    reply, _ = exchange(proxy.port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), wait_s=3)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), reply[:200]
    assert "control character" in json.loads(body)["reason"]
    assert "Traceback" not in proxy.log.read_text()


def test_slow_heads_slow_bodies_and_idle_sockets_are_timed_out(proxy):
    idle, took = exchange(proxy.port, b"")
    assert idle == b"" and took < 3
    head, took = exchange(proxy.port, b"POST /invocations HTTP/1.1\r\nHost: x\r\n")
    assert head.startswith(b"HTTP/1.1 408") and took < 3
    body, took = exchange(proxy.port, POST + b"Content-Length: 100\r\n\r\n{")
    assert body.startswith(b"HTTP/1.1 408") and took < 5


def test_well_formed_requests_still_pass_through(proxy):
    reply = httpx.post(f"{proxy.url}/invocations", json={"text": "my printer is jammed"})
    assert reply.status_code == 200 and reply.json()["predictions"][0]["route"] == "fallback"
    bad = httpx.post(f"{proxy.url}/invocations", content=b'{"text": "\xed\xa0\x80"}')
    assert bad.status_code in (400, 415) and bad.json()["reason"]
