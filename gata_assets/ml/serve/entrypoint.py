"""`gata-serve`: what the inference container (and a local endpoint) runs.

SageMaker starts the image as `docker run IMAGE serve`, mounts the model at `/opt/ml/model`
and talks to port 8080 (or `SAGEMAKER_BIND_TO_PORT`), so those are the defaults. Locally we
bind 127.0.0.1 unless told otherwise: a laptop endpoint should not be open to the network.

One uvicorn worker per container on purpose: micro-batching only works if concurrent
requests meet in one process, and torch already uses every core for one batch.
"""

import argparse
import logging
import os
import sys
from pathlib import Path

from gata_assets.ml.model_card import InvalidModelCard, read_card, read_labels
from gata_assets.ml.serve.app import ServeOptions, create_app
from gata_assets.ml.serve.connection_timeouts import protocol_with_head_timeout
from gata_assets.ml.serve.cpu import PRECISIONS
from gata_assets.ml.serve.limits import DEFAULT_MAX_BODY_BYTES, BodyLimits
from gata_assets.ml.serve.service import ModelPaths, RoutingService

# SIGTERM → stop accepting, finish in-flight requests; SageMaker sends SIGKILL after 30 s.
GRACEFUL_SHUTDOWN_S = 25


# Limits and tuning: flag, environment variable, type, default, help.
TUNING = [
    ("--min-confidence", "GATA_SERVE_MIN_CONFIDENCE", float, 0.0, "below it: fallback label"),
    ("--max-instances", "GATA_SERVE_MAX_INSTANCES", int, 256, "instances per request"),
    ("--max-body-bytes", "GATA_SERVE_MAX_BODY_BYTES", int, DEFAULT_MAX_BODY_BYTES, "per request"),
    ("--max-batch", "GATA_SERVE_MAX_BATCH", int, 32, "tickets per forward pass"),
    ("--max-wait-ms", "GATA_SERVE_MAX_WAIT_MS", float, 3.0, "micro-batch wait"),
    ("--max-batch-tokens", "GATA_SERVE_MAX_BATCH_TOKENS", int, 2048, "padded tokens per pass"),
    ("--max-request-tokens", "GATA_SERVE_MAX_REQUEST_TOKENS", int, 16384, "per request"),
    ("--max-queued-tokens", "GATA_SERVE_MAX_QUEUED_TOKENS", int, 32768, "then 503"),
    ("--head-timeout-s", "GATA_SERVE_HEAD_TIMEOUT_S", float, 10.0, "request head must arrive"),
    ("--body-timeout-s", "GATA_SERVE_BODY_TIMEOUT_S", float, 30.0, "whole body must arrive"),
    ("--threads", "GATA_SERVE_THREADS", int, 0, "torch threads; 0 = the usable CPUs"),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(prog="gata-serve", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", choices=["serve"], help="SageMaker's argument")
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=Path(env.get("SM_MODEL_DIR", "/opt/ml/model")),
        help="a model dir, or one with general/ and low_volume/ (router)",
    )
    parser.add_argument("--general", type=Path, help="router mode: the general model dir")
    parser.add_argument("--low-volume", type=Path, help="router mode: the low-volume model dir")
    parser.add_argument("--host", default=env.get("GATA_SERVE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("SAGEMAKER_BIND_TO_PORT", 8080)))
    for flag, variable, kind, default, text in TUNING:
        parser.add_argument(flag, type=kind, default=kind(env.get(variable, default)), help=text)
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=env.get("GATA_SERVE_PRECISION", "auto"),
        help="auto: bfloat16 where the CPU has native bf16 (AMX/AVX-512), else float32",
    )
    args = parser.parse_args(argv)
    if (args.general is None) != (args.low_volume is None):
        parser.error("router mode needs both --general and --low-volume")
    return args


def check_models(paths: ModelPaths) -> None:
    """Refuse to start, in one line, on a model directory no request could be served from."""
    for path in (paths.general, paths.low_volume):
        if path is None:
            continue
        try:
            read_card(path)
            read_labels(path)
        except (InvalidModelCard, FileNotFoundError) as error:
            sys.exit(f"gata-serve: refusing to start: {error}")


def serve_options(args: argparse.Namespace) -> ServeOptions:
    body = BodyLimits(args.max_body_bytes, total_timeout_s=args.body_timeout_s)
    return ServeOptions(
        body=body,
        max_instances=args.max_instances,
        max_batch=args.max_batch,
        max_wait_ms=args.max_wait_ms,
        max_batch_tokens=args.max_batch_tokens,
        max_request_tokens=args.max_request_tokens,
        max_queued_tokens=args.max_queued_tokens,
    )


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a model dir is complete; never fetch
    # Before torch loads: idle OpenMP threads sleep instead of spinning. On a CPU shared with
    # other work, spinning threads made one 2-thread forward pass ~50x slower (598 vs 12 ms).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if args.general is not None:
        paths = ModelPaths(args.general, args.low_volume)
    else:
        paths = ModelPaths.from_dir(args.model_dir)
    check_models(paths)
    service = RoutingService(
        paths,
        min_confidence=args.min_confidence,
        threads=args.threads or None,
        precision=args.precision,
    )
    config = uvicorn.Config(
        create_app(service, serve_options(args)),
        host=args.host,
        port=args.port,
        workers=1,
        http=protocol_with_head_timeout(args.head_timeout_s),
        timeout_keep_alive=5,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        access_log=False,
        log_level="info",
    )
    server = uvicorn.Server(config)
    failed: list[str] = []

    def on_failure(reason: str) -> None:
        failed.append(reason)
        server.should_exit = True

    service.load_in_background(on_failure)
    server.run()
    if failed:
        sys.exit(f"gata-serve: could not load the model: {failed[0]}")


if __name__ == "__main__":
    main()
