"""The stable address of a local endpoint: a tiny reverse proxy in front of gata-serve.

Blue/green needs one address that outlives any server process. The proxy reads the current
backend from the endpoint's state file (re-read whenever the file changes, which the
deployer replaces atomically), counts in-flight requests per backend so the deployer knows
when the old one is drained, and retries a request once the connection fails: inference is
idempotent, and a retry is what turns "old server just closed its keep-alive socket" into
zero failed requests during a switch.

The proxy refuses what the server would refuse before holding anything (see `limits`): a
malformed path, a declared body over the limit, a body too slow to arrive; it bounds the
bodies it holds (see `forwarding`). Started with `--revive` it also restarts a backend that
died (see resources/endpoint_revival.py).

Run as `python -m gata_assets.ml.serve.proxy --state FILE --port P`.
"""

import argparse
import asyncio
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gata_assets.ml.serve.connection_timeouts import protocol_with_head_timeout
from gata_assets.ml.serve.forwarding import BackendFile, Forwarder
from gata_assets.ml.serve.limits import BodyLimits, RefuseMalformedPaths

log = logging.getLogger("gata.proxy")


def create_proxy(
    state_path: Path,
    limits: BodyLimits | None = None,
    max_buffered_bytes: int = 64 << 20,
    watch: Callable[[], str | None] | None = None,
) -> Starlette:
    """The proxy app; `watch` (if given) runs every second off the event loop and may
    repair the backend (see resources/endpoint_revival.py); what it says is logged."""
    backend = BackendFile(state_path)
    forward = Forwarder(backend, limits or BodyLimits(), max_buffered_bytes)

    async def status(_: Request) -> JSONResponse:
        return JSONResponse({"backend": backend.url(), "inflight": dict(+forward.inflight)})

    async def watching() -> None:
        while True:
            await asyncio.sleep(1)
            try:
                said = await asyncio.to_thread(watch)  # type: ignore[arg-type]
            except Exception as error:  # a watcher bug must not take the proxy down
                log.warning("backend watch failed: %s: %s", type(error).__name__, error)
            else:
                if said:
                    log.warning("%s", said)

    @asynccontextmanager
    async def lifespan(_: Starlette):
        task = asyncio.create_task(watching()) if watch else None
        yield
        if task:
            task.cancel()
        await forward.client.aclose()

    methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
    app = Starlette(
        routes=[Route("/-/proxy", status), Route("/{path:path}", forward.handle, methods=methods)],
        lifespan=lifespan,
    )
    app.add_middleware(RefuseMalformedPaths)
    return app


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="gata-proxy", description=__doc__.split("\n")[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-body-bytes", type=int, default=BodyLimits().max_bytes)
    parser.add_argument("--head-timeout-s", type=float, default=10.0)
    parser.add_argument("--body-timeout-s", type=float, default=30.0)
    parser.add_argument("--revive", action="store_true", help="restart a backend that died")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    limits = BodyLimits(args.max_body_bytes, total_timeout_s=args.body_timeout_s)
    watch = None
    if args.revive:
        from gata_assets.resources.endpoint_revival import revive_if_dead

        watch = partial(revive_if_dead, args.state)
    uvicorn.run(
        create_proxy(args.state, limits, watch=watch),
        host=args.host,
        port=args.port,
        http=protocol_with_head_timeout(args.head_timeout_s),
        timeout_keep_alive=5,
        access_log=False,
        timeout_graceful_shutdown=10,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
