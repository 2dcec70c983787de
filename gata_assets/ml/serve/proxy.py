"""The stable address of a local endpoint: a tiny reverse proxy in front of gata-serve.

Blue/green needs one address that outlives any server process. The proxy reads the current
backend from the endpoint's state file (re-read whenever the file changes, which the
deployer replaces atomically), counts in-flight requests per backend so the deployer knows
when the old one is drained, and retries a request once the connection fails: inference is
idempotent, and a retry is what turns "old server just closed its keep-alive socket" into
zero failed requests during a switch.

The proxy refuses what the server would refuse before holding anything (see `limits`): a
malformed path, a declared body over the limit, a body too slow to arrive. It must keep the
body of a request it may retry, so bodies are held whole, but never more than the limit
each and `max_buffered_bytes` in all (past that: 503); replies are streamed through.

Run as `python -m gata_assets.ml.serve.proxy --state FILE --port P`.
"""

import argparse
import asyncio
import json
import logging
import os
from collections import Counter
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gata_assets.ml.serve.connection_timeouts import protocol_with_head_timeout
from gata_assets.ml.serve.limits import (
    BodyLimits,
    RefuseMalformedPaths,
    closing,
    declared_length,
    read_body,
)
from gata_assets.ml.serve.protocol import RequestError

ATTEMPTS = 4
# Hop-by-hop headers and ones httpx recomputes: never forwarded.
DROP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade"}
log = logging.getLogger("gata.proxy")


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


def refusal(status: int, code: str, reason: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": code, "reason": reason}, status_code=status, headers=headers)


class Forwarder:
    """Forward one request to the current backend, retrying while the connection fails."""

    def __init__(self, backend: BackendFile, limits: BodyLimits, max_buffered_bytes: int):
        self.backend, self.limits = backend, limits
        self.max_buffered = max_buffered_bytes
        self.buffered = 0
        self.inflight: Counter[str] = Counter()
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(60, connect=5),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )

    async def handle(self, request: Request) -> Response:
        try:
            declared = declared_length(request, self.limits)
            # A body of unknown length may grow to the limit: reserve that much for it.
            reserved = self.limits.max_bytes if declared is None else declared
            if self.buffered + reserved > self.max_buffered:
                reason = "the proxy is holding too many request bodies"
                return refusal(503, "overloaded", reason, **{"Retry-After": "1"})
            self.buffered += reserved
            try:
                body = await read_body(request, self.limits)
                return await self._forward(request, body)
            finally:
                self.buffered -= reserved
        except RequestError as exc:
            code = {408: "request_timeout", 413: "payload_too_large"}.get(exc.status)
            return refusal(exc.status, code or "bad_request", exc.reason, **closing(exc.status))

    async def _forward(self, request: Request, body: bytes) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in DROP}
        last_error = ""
        for attempt in range(ATTEMPTS):
            url = self.backend.url()
            self.inflight[url] += 1
            try:
                outgoing = self.client.build_request(
                    request.method,
                    f"{url}{request.url.path}",
                    params=request.query_params,
                    content=body,
                    headers=headers,
                )
                reply = await self.client.send(outgoing, stream=True)
            except (httpx.TransportError, OSError) as error:
                self.inflight[url] -= 1
                last_error = f"{type(error).__name__}: {error}"
                await asyncio.sleep(0.05 * (attempt + 1))
                continue
            except httpx.HTTPError as error:  # e.g. a URL httpx cannot build: the caller's fault
                self.inflight[url] -= 1
                return refusal(400, "bad_request", f"cannot forward this request: {error}")
            return self._relay(reply, url)
        return refusal(502, "bad_gateway", last_error)

    def _relay(self, reply: httpx.Response, url: str) -> StreamingResponse:
        kept = {k: v for k, v in reply.headers.items() if k.lower() not in DROP}
        kept.pop("content-encoding", None)  # httpx decodes the body it streams

        async def chunks():
            try:
                async for chunk in reply.aiter_bytes():
                    yield chunk
            finally:  # counted until the last byte left, so a drain waits for it
                await reply.aclose()
                self.inflight[url] -= 1

        return StreamingResponse(chunks(), reply.status_code, kept)


def create_proxy(
    state_path: Path, limits: BodyLimits | None = None, max_buffered_bytes: int = 64 << 20
) -> Starlette:
    backend = BackendFile(state_path)
    forward = Forwarder(backend, limits or BodyLimits(), max_buffered_bytes)

    async def status(_: Request) -> JSONResponse:
        return JSONResponse({"backend": backend.url(), "inflight": dict(+forward.inflight)})

    @asynccontextmanager
    async def lifespan(_: Starlette):
        yield
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
    args = parser.parse_args(argv)
    limits = BodyLimits(args.max_body_bytes, total_timeout_s=args.body_timeout_s)
    uvicorn.run(
        create_proxy(args.state, limits),
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
