"""The stable address of a local endpoint: a tiny reverse proxy in front of gata-serve.

Blue/green needs one address that outlives any server process. The proxy reads the current
backend from the endpoint's state file (re-read whenever the file changes, which the
deployer replaces atomically), counts in-flight requests per backend so the deployer knows
when the old one is drained, and retries a request once the connection fails: inference is
idempotent, and a retry is what turns "old server just closed its keep-alive socket" into
zero failed requests during a switch.

Run as `python -m gata_assets.ml.serve.proxy --state FILE --port P`.
"""

import argparse
import asyncio
import json
import os
from collections import Counter
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ATTEMPTS = 4
# Hop-by-hop headers and ones httpx recomputes: never forwarded.
DROP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade"}


class BackendFile:
    """The backend URL in the state file, cached until the file changes."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._url = ""

    def url(self) -> str:
        stat = os.stat(self.path)
        stamp = (stat.st_mtime_ns, stat.st_ino)
        if stamp != self._stamp:
            self._url = json.loads(self.path.read_text())["backend"]["url"].rstrip("/")
            self._stamp = stamp
        return self._url


def create_proxy(state_path: Path) -> Starlette:
    backend = BackendFile(state_path)
    inflight: Counter[str] = Counter()
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(60, connect=5),
        limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
    )

    async def status(_: Request) -> JSONResponse:
        return JSONResponse({"backend": backend.url(), "inflight": dict(+inflight)})

    async def forward(request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in DROP}
        last_error = ""
        for attempt in range(ATTEMPTS):
            url = backend.url()
            inflight[url] += 1
            try:
                reply = await client.request(
                    request.method,
                    f"{url}{request.url.path}",
                    params=request.query_params,
                    content=body,
                    headers=headers,
                )
            except (httpx.TransportError, OSError) as error:
                last_error = f"{type(error).__name__}: {error}"
                await asyncio.sleep(0.05 * (attempt + 1))
                continue
            finally:
                inflight[url] -= 1
            kept = {k: v for k, v in reply.headers.items() if k.lower() not in DROP}
            kept.pop("content-encoding", None)  # httpx already decoded the body
            return Response(reply.content, status_code=reply.status_code, headers=kept)
        return JSONResponse({"error": "bad_gateway", "reason": last_error}, status_code=502)

    @asynccontextmanager
    async def lifespan(_: Starlette):
        yield
        await client.aclose()

    methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
    return Starlette(
        routes=[Route("/-/proxy", status), Route("/{path:path}", forward, methods=methods)],
        lifespan=lifespan,
    )


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="gata-proxy", description=__doc__.split("\n")[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    uvicorn.run(
        create_proxy(args.state),
        host=args.host,
        port=args.port,
        access_log=False,
        timeout_graceful_shutdown=10,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
