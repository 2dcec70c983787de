"""Forwarding for the endpoint proxy: the current backend, bounded bodies, retries.

The proxy must keep the body of a request it may retry (a retry is what hides a blue/green
switch), so bodies are held whole, but never more than the limit each and
`max_buffered_bytes` in all (past that: 503 with Retry-After); replies are streamed through.
A body of unknown length reserves the whole limit while it arrives.
"""

import asyncio
import json
import os
from collections import Counter
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from gata_assets.ml.serve.limits import BodyLimits, closing, declared_length, read_body
from gata_assets.ml.serve.protocol import RequestError

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
