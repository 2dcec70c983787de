"""Health under load, graceful SIGTERM, and the micro-batcher on its own."""

import asyncio
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gata_assets.ml.serve import cpu
from gata_assets.ml.serve.batcher import MicroBatcher
from gata_assets_tests.serving_fixtures import serve, session_models

LONG = "my printer shows error 49 after the toner change and the queue is stuck " * 6


def test_batcher_groups_concurrent_items_and_keeps_order():
    sizes: list[int] = []

    def double(items: list[int]) -> list[int]:
        sizes.append(len(items))
        time.sleep(0.01)
        return [2 * i for i in items]

    async def scenario() -> list[list[int]]:
        batcher = MicroBatcher(double, max_batch=8, max_wait_ms=2)
        batcher.start()
        try:
            return await asyncio.gather(*(batcher.submit([i, i + 100]) for i in range(20)))
        finally:
            await batcher.stop()

    results = asyncio.run(scenario())
    assert results == [[2 * i, 2 * (i + 100)] for i in range(20)]
    assert max(sizes) == 8 and len(sizes) < 40  # batched, never above the bound


def test_batcher_failure_reaches_callers_and_next_batch_works():
    def flaky(items: list[str]) -> list[str]:
        if "boom" in items:
            raise RuntimeError("boom")
        return items

    async def scenario() -> list:
        batcher = MicroBatcher(flaky, max_batch=8)
        batcher.start()
        try:
            calls = [batcher.submit(["a"]), batcher.submit(["boom"]), batcher.submit(["b"])]
            together = await asyncio.gather(*calls, return_exceptions=True)
            return [*together, await batcher.submit(["later"])]
        finally:
            await batcher.stop()

    first, failed, second, later = asyncio.run(scenario())
    assert (first, second, later) == (["a"], ["b"], ["later"])  # the bad item fails alone
    assert isinstance(failed, RuntimeError)


def test_auto_precision_is_bf16_only_with_native_support(monkeypatch):
    monkeypatch.setattr(cpu, "native_bf16", lambda: True)
    assert cpu.resolve_precision("auto") == "bfloat16"
    monkeypatch.setattr(cpu, "native_bf16", lambda: False)
    assert cpu.resolve_precision("auto") == "float32"
    assert cpu.resolve_precision("int8") == "int8"
    with pytest.raises(ValueError, match="precision must be one of"):
        cpu.resolve_precision("fp8")


@pytest.fixture
def server(tmp_path_factory):
    # Room for one 256-ticket request of long texts: these tests need work that takes a while.
    roomy = ["--max-request-tokens", "65536", "--max-queued-tokens", "65536"]
    model = str(session_models(tmp_path_factory).random_general)
    with serve("--model-dir", model, *roomy) as server:
        yield server


@pytest.mark.slow
def test_ping_stays_fast_under_load(server):
    stop_at = time.monotonic() + 6
    body = {"instances": [{"text": LONG}] * 8}

    def client(_: int) -> list[int]:
        statuses = []
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < stop_at and len(statuses) < 200:
                statuses.append(http.post(f"{server.url}/invocations", json=body).status_code)
        return statuses

    with ThreadPoolExecutor(32) as pool:
        loads = pool.map(client, range(32))
        pings = []
        time.sleep(0.5)
        while time.monotonic() < stop_at:
            started = time.monotonic()
            assert httpx.get(f"{server.url}/ping", timeout=5).status_code == 200
            pings.append(time.monotonic() - started)
            time.sleep(0.2)
        statuses = [s for batch in loads for s in batch]
    assert max(pings) < 2.0, f"slowest /ping {max(pings):.2f} s"
    assert statuses and set(statuses) == {200}


@pytest.mark.slow
def test_sigterm_finishes_in_flight_requests_then_exits(server):
    body = {"instances": [{"text": LONG * 2, "id": i} for i in range(256)]}
    result: dict = {}

    def call() -> None:
        result["reply"] = httpx.post(f"{server.url}/invocations", json=body, timeout=60)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.5)
    assert caller.is_alive(), "request finished before SIGTERM; make it bigger"
    server.proc.send_signal(signal.SIGTERM)
    caller.join(60)
    assert result["reply"].status_code == 200
    assert [p["id"] for p in result["reply"].json()["predictions"]] == list(range(256))
    # uvicorn re-raises the signal once shut down cleanly, so the exit reads as SIGTERM.
    assert server.proc.wait(timeout=30) in (0, -signal.SIGTERM)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/ping", timeout=2)
