"""Benchmark: normal traffic on a local endpoint while abusive clients hit the same address.

Loopback only, bounded in time. Starts gata-serve (the offline MiniLM with a fitted head,
see serve_model.py) behind the local endpoint proxy, then measures single-ticket requests at
concurrency 16 twice: alone, and while another process runs
  - 2 clients posting 128 tickets x 15 KB (allowed, the costliest request there is) and
    256 x 15 KB (refused by the per-request cost cap), back to back;
  - 50 slowloris connections dripping a header byte a second, reconnecting when cut off;
  - 10 connections dripping a declared body a byte a second;
  - 2 clients declaring a 1 GB body, and 2 streaming chunked megabytes until cut off.
Clients answered 503 wait the Retry-After second before trying again (`--ignore-retry-after`:
they do not, which floods two cores with megabytes of requests nobody will serve).
Target (hardening issue): normal p99 with abuse within 3x of p99 alone, and 0 errors.

    python bench/serve_abuse.py --seconds 20
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from serve_model import build_model_dir  # bench/ is on sys.path when run

IGNORE_RETRY_AFTER = "--ignore-retry-after" in sys.argv
# Each abusive client sends at most ~10 requests a second: abusive in kind, not a flood of
# connections (which no per-request limit can answer; that is a firewall's job).
PAUSE_S = 0.0 if "--flood" in sys.argv else 0.1
LONG = ("my laptop will not join the office wifi after the update, " * 300)[:15000]


async def request(port: int, head: bytes, body: bytes) -> tuple[int, float]:
    """One request on its own connection: (status or 0 on a transport error, seconds)."""
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        with contextlib.suppress(OSError):  # answered and closed before the body was sent
            await send(writer, head, body)
        line = await asyncio.wait_for(reader.readline(), 60)
        writer.close()
        return int(line.split(b" ", 2)[1]), time.perf_counter() - started
    except (OSError, ValueError, IndexError, TimeoutError):
        return 0, time.perf_counter() - started


async def send(writer: asyncio.StreamWriter, head: bytes, body: bytes) -> None:
    """Stream the body a megabyte at a time, as an HTTP client does: the load generator
    then neither copies 64 MB per request nor keeps sending once the server hung up."""
    writer.write(head)
    view = memoryview(body)
    for start in range(0, len(body), 1 << 20):
        writer.write(view[start : start + (1 << 20)])
        await writer.drain()


def post_head(length: int | None, extra: str = "") -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else ""
    return (
        "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{size}{extra}\r\n"
    ).encode()


async def normal_client(port: int, bodies: list[bytes], stop_at: float, seen: list) -> None:
    i = 0
    while time.monotonic() < stop_at:
        body = bodies[i % len(bodies)]
        seen.append(await request(port, post_head(len(body)), body))
        i += 1


async def normal_traffic(port: int, texts: list[str], seconds: float) -> list[tuple[int, float]]:
    """(status, seconds) of every single-ticket request of 16 clients over `seconds`."""
    bodies = [json.dumps({"instances": [{"text": t}]}).encode() for t in texts]
    seen: list[tuple[int, float]] = []
    await asyncio.gather(
        *(normal_client(port, bodies[w::16], time.monotonic() + 1, []) for w in range(16))
    )
    began = time.monotonic()
    await asyncio.gather(
        *(normal_client(port, bodies[w::16], began + seconds, seen) for w in range(16))
    )
    return seen


def summary(seen: list[tuple[int, float]], seconds: float) -> dict:
    ok = sorted(t for status, t in seen if status == 200)
    return {
        "p50_ms": round(statistics.median(ok) * 1000, 1),
        "p99_ms": round(ok[min(len(ok) - 1, int(0.99 * len(ok)))] * 1000, 1),
        "rps": round(len(seen) / seconds, 1),
        "errors": sum(status != 200 for status, _ in seen),
        "statuses": dict(Counter(status for status, _ in seen)),
    }


async def drip(port: int, first: bytes, stop_at: float, counts: Counter, kind: str) -> None:
    """Send `first`, then a byte a second until the server hangs up; then start over."""
    while time.monotonic() < stop_at:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(first)
            while time.monotonic() < stop_at and not reader.at_eof():
                writer.write(b"X")
                await writer.drain()
                try:
                    line = await asyncio.wait_for(reader.readline(), 1.0)
                    if line:
                        counts[f"{kind}: {line.split(b' ', 2)[1].decode()}"] += 1
                        break
                except TimeoutError:
                    continue
            writer.close()
        except OSError:
            counts[f"{kind}: cut off"] += 1
            await asyncio.sleep(0.2)


async def repeat(port: int, head: bytes, body: bytes, stop_at: float, counts: Counter, kind: str):
    while time.monotonic() < stop_at:
        status, _ = await request(port, head, body)
        counts[f"{kind}: {status or 'cut off'}"] += 1
        if status == 503 and not IGNORE_RETRY_AFTER:
            await asyncio.sleep(1)  # greedy, not malicious: it honours Retry-After
        await asyncio.sleep(PAUSE_S)


async def abuse(port: int, seconds: float, kinds: set[str] | None = None) -> Counter:
    stop_at, counts = time.monotonic() + seconds, Counter()
    allowed = json.dumps({"instances": [{"text": LONG}] * 128}).encode()
    refused = json.dumps({"instances": [{"text": LONG}] * 256}).encode()
    chunk = (b"%x\r\n" % (1 << 20)) + b"a" * (1 << 20) + b"\r\n"
    chunked = post_head(None, "Transfer-Encoding: chunked\r\n")
    clients = {  # kind: (how many, what each runs)
        "128x15KB": (
            2,
            lambda k: repeat(port, post_head(len(allowed)), allowed, stop_at, counts, k),
        ),
        "256x15KB": (
            2,
            lambda k: repeat(port, post_head(len(refused)), refused, stop_at, counts, k),
        ),
        "slowloris": (
            50,
            lambda k: drip(port, b"POST /invocations HTTP/1.1\r\n", stop_at, counts, k),
        ),
        "slow body": (10, lambda k: drip(port, post_head(1000), stop_at, counts, k)),
        "1GB declared": (
            2,
            lambda k: repeat(port, post_head(10**9), b"0123456789", stop_at, counts, k),
        ),
        "chunked 64MB": (2, lambda k: repeat(port, chunked, chunk * 64, stop_at, counts, k)),
    }
    chosen = [(k, n, run) for k, (n, run) in clients.items() if not kinds or k in kinds]
    await asyncio.gather(*(run(k) for k, n, run in chosen for _ in range(n)))
    return counts


def start(args: list[str], log: Path, url: str) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen(
        [sys.executable, "-m", *args],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    for _ in range(600):
        try:
            if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text()[-2000:]) from None
        time.sleep(0.3)
    raise TimeoutError(url)


def abuse_process(args: argparse.Namespace, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--abuse-port",
            str(port),
            "--seconds",
            str(args.seconds + 3),
            *[arg for kind in args.only or [] for arg in ("--only", kind)],
            *(["--ignore-retry-after"] if args.ignore_retry_after else []),
            *(["--flood"] if args.flood else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def measure(args: argparse.Namespace, port: int, serve_url: str, texts: list[str]) -> dict:
    """Alternate `--rounds` times between normal traffic alone and under abuse, pooling
    each condition's requests: one round's p99 moves by a third from run to run here."""
    alone: list = []
    loaded: list = []
    outcomes: Counter = Counter()
    for _ in range(args.rounds):
        alone += asyncio.run(normal_traffic(port, texts, args.seconds))
        abusers = abuse_process(args, port)
        time.sleep(2)  # the abuse is in full swing before we measure
        loaded += asyncio.run(normal_traffic(port, texts, args.seconds))
        outcomes.update(json.loads(abusers.communicate(timeout=120)[0]))
    seconds = args.seconds * args.rounds
    alone_stats, loaded_stats = summary(alone, seconds), summary(loaded, seconds)
    info = httpx.get(f"{serve_url}/info").json()
    return {
        "rounds": args.rounds,
        "alone": alone_stats,
        "with_abuse": loaded_stats,
        "p99_ratio": round(loaded_stats["p99_ms"] / alone_stats["p99_ms"], 2),
        "abuse_outcomes": dict(outcomes),
        "server_load": info["load"],
        "server_batching": info["batching"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=3, help="alone/abused pairs, pooled")
    parser.add_argument("--abuse-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ignore-retry-after", action="store_true", help="abusers retry at once")
    parser.add_argument("--flood", action="store_true", help="abusers send back to back")
    parser.add_argument("--direct", action="store_true", help="hit gata-serve, not the proxy")
    parser.add_argument("--only", action="append", help="only this kind of abuse (diagnosis)")
    args = parser.parse_args()
    if args.abuse_port:  # the abusive clients, in their own process and event loop
        kinds = set(args.only or [])
        print(json.dumps(dict(asyncio.run(abuse(args.abuse_port, args.seconds, kinds)))))
        return
    work = Path(tempfile.mkdtemp(prefix="gata-abuse-"))
    model_dir, texts, _ = build_model_dir(work / "model")
    serve_port, proxy_port = 18791, 18792
    serve_url = f"http://127.0.0.1:{serve_port}"
    state = work / "state.json"
    state.write_text(json.dumps({"backend": {"url": serve_url}}))
    serve = start(
        [
            "gata_assets.ml.serve.entrypoint",
            "--model-dir",
            str(model_dir),
            "--port",
            str(serve_port),
        ],
        work / "serve.log",
        serve_url,
    )
    proxy = start(
        ["gata_assets.ml.serve.proxy", "--state", str(state), "--port", str(proxy_port)],
        work / "proxy.log",
        f"http://127.0.0.1:{proxy_port}",
    )
    if args.direct:
        proxy_port = serve_port
    try:
        report = measure(args, proxy_port, serve_url, texts)
    finally:
        for proc in (proxy, serve):
            os.killpg(proc.pid, 9)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
