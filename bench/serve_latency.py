"""Benchmark: gata-serve vs a naive per-request transformers `pipeline` server.

One run, this machine: p50/p99 latency and requests/s at concurrency 1, 8 and 32 with
single-ticket requests (tickets of at most 64 tokens), against
  - gata-serve (micro-batching, inference off the event loop) at its default precision
    (auto: bfloat16 on CPUs with native bf16), and forced to float32 and to int8,
  - a naive FastAPI server calling a `pipeline` once per request (float32, and "naive-bf16"
    in bfloat16, to separate what precision buys from what the serving design buys).
Targets (serving issue): p50 at concurrency 1 <= 20 ms; req/s at 32 >= 3x the naive server.

The model is the offline MiniLM base (6 layers) with a classifier head fitted on gata's
sample tickets, so reduced precisions are checked against float32 accuracy (a precision is
acceptable within 0.5 points).

    python bench/serve_latency.py --seconds 10
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from serve_model import build_model_dir, precision_accuracy  # bench/ is on sys.path when run

# gata-serve's default is "auto": bfloat16 where the CPU computes it natively, else float32.
PRECISION = {"gata": "auto", "gata-fp32": "float32", "gata-int8": "int8"}


def naive_server(model_dir: str, port: int, dtype: str) -> None:
    """What one writes first: a pipeline call per request, FastAPI's thread pool for the rest.

    It gets gata-serve's OpenMP setting (passive waiting) so the comparison measures the
    serving design (micro-batching, one inference thread), not a thread-spinning quirk.
    """
    import uvicorn
    from fastapi import FastAPI
    from transformers import pipeline

    classify = pipeline("text-classification", model=model_dir, device=-1, dtype=dtype)
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict:
        return {"status": "ok"}

    @app.post("/invocations")
    def invocations(body: dict) -> dict:
        texts = [i["text"] for i in body["instances"]]
        return {"predictions": classify(texts, truncation=True, top_k=3)}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def start(kind: str, model_dir: Path, port: int, log: Path) -> subprocess.Popen:
    if kind.startswith("naive"):
        dtype = "bfloat16" if kind == "naive-bf16" else "float32"
        args = [__file__, "--naive-server", str(model_dir), str(port), dtype]
    else:
        args = [
            "-m",
            "gata_assets.ml.serve.entrypoint",
            "--model-dir",
            str(model_dir),
            "--port",
            str(port),
            "--precision",
            PRECISION[kind],
        ]
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "PASSIVE"},
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text()[-2000:]) from None
        time.sleep(0.3)
    raise TimeoutError(f"{kind} did not start")


async def post_loop(port: int, bodies: list[bytes], stop_at: float, latencies: list) -> None:
    """One keep-alive connection posting tickets back to back.

    Hand-written HTTP/1.1 on asyncio streams: a load generator sharing two cores with the
    server must cost next to nothing per request, or it measures itself (httpx's client
    took a visible share of the CPU at ~100 req/s).
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while time.monotonic() < stop_at:
            body = bodies[i % len(bodies)]
            head = (
                f"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            started = time.perf_counter()
            writer.write(head.encode() + body)
            status = (await reader.readline()).split(b" ", 2)[1]
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if status != b"200":
                raise RuntimeError(f"HTTP {status.decode()}")
            latencies.append(time.perf_counter() - started)
            i += 1
    finally:
        writer.close()


async def load(port: int, texts: list[str], concurrency: int, seconds: float) -> dict:
    bodies = [json.dumps({"instances": [{"text": t}]}).encode() for t in texts]
    # Each client starts at a different ticket, so concurrent requests differ.
    shares = [
        bodies[w * 97 % len(bodies) :] + bodies[: w * 97 % len(bodies)] for w in range(concurrency)
    ]
    warm_until = time.monotonic() + 1.0
    await asyncio.gather(*(post_loop(port, b, warm_until, []) for b in shares))
    latencies: list[float] = []
    began = time.monotonic()
    await asyncio.gather(*(post_loop(port, b, began + seconds, latencies) for b in shares))
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000,
        "rps": len(ordered) / elapsed,
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--servers", default="gata,gata-fp32,gata-int8,naive")
    parser.add_argument("--naive-server", nargs=3, metavar=("MODEL_DIR", "PORT", "DTYPE"))
    args = parser.parse_args()
    if args.naive_server:
        model_dir, port, dtype = args.naive_server
        return naive_server(model_dir, int(port), dtype)
    work = Path(tempfile.mkdtemp(prefix="gata-bench-"))
    model_dir, texts, test = build_model_dir(work / "model")
    for precision, (accuracy, agreement) in precision_accuracy(model_dir, test).items():
        print(
            f"{precision:9s} accuracy {accuracy:.4f} on {len(test)} held-out tickets, "
            f"label agreement with float32 {agreement:.4f}"
        )
    levels = [int(c) for c in args.levels.split(",")]
    results: dict[str, dict[int, dict]] = {}
    for port, kind in enumerate(args.servers.split(","), start=18700):
        proc = start(kind, model_dir, port, work / f"{kind}.log")
        try:
            url = f"http://127.0.0.1:{port}"
            results[kind] = {c: measure(kind, url, texts, c, args.seconds) for c in levels}
        finally:
            proc.terminate()
            proc.wait(30)
    header = ("server", "conc", "p50 ms", "p99 ms", "req/s", "n", "per batch")
    print("\n{:10s} {:>4s} {:>8s} {:>8s} {:>8s} {:>6s} {:>9s}".format(*header))
    for kind, by_level in results.items():
        for c, r in by_level.items():
            cells = (kind, c, r["p50"], r["p99"], r["rps"], r["n"], r.get("per_batch", 0.0))
            print("{:10s} {:4d} {:8.1f} {:8.1f} {:8.1f} {:6d} {:9.1f}".format(*cells))
    if "naive" in results and 32 in levels:
        for kind in (k for k in results if not k.startswith("naive")):
            ratio = results[kind][32]["rps"] / results["naive"][32]["rps"]
            print(f"{kind} req/s at 32 vs naive: {ratio:.2f}x (target >= 3x)")


def measure(kind: str, url: str, texts: list[str], concurrency: int, seconds: float) -> dict:
    """One load level; for gata-serve also the mean tickets per forward pass during it."""
    before = None if kind.startswith("naive") else httpx.get(f"{url}/info").json()["batching"]
    result = asyncio.run(load(int(url.rsplit(":", 1)[1]), texts, concurrency, seconds))
    if before is not None:
        after = httpx.get(f"{url}/info").json()["batching"]
        batches = max(1, after["batches"] - before["batches"])
        result["per_batch"] = (after["tickets"] - before["tickets"]) / batches
    return result


if __name__ == "__main__":
    main()
