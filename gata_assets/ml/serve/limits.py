"""What a request may cost before gata-serve or the endpoint proxy does any work for it.

Shared by both, so the proxy refuses exactly what the server would, before holding a body:
a path with control characters, a declared body over the limit (413 at once, nothing read),
a body that arrives too slowly (408), bytes that are not UTF-8 (400). Every refusal is a
`RequestError` with one sentence a caller can act on.
"""

import asyncio
import json
import time
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gata_assets.ml.serve.protocol import RequestError

DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024  # SageMaker serverless refuses payloads over 4 MB


@dataclass(frozen=True)
class BodyLimits:
    max_bytes: int = DEFAULT_MAX_BODY_BYTES
    idle_timeout_s: float = 10.0  # longest pause between two chunks
    total_timeout_s: float = 30.0  # a 4 MB body needs ~1 Mbit/s to arrive in time


def closing(status: int) -> dict[str, str]:
    """Headers for a refusal: after a 408 or 413 the unread rest of the body is never read,
    so the connection must close rather than wait for it."""
    return {"Connection": "close"} if status in (408, 413) else {}


def path_problem(raw_path: str) -> str | None:
    """Why a request path is malformed (control characters, raw or %-encoded), or None."""
    try:
        decoded = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return "the path is not valid UTF-8 once %-decoded"
    for text in (raw_path, decoded):
        for char in text:
            if unicodedata.category(char) == "Cc":
                return f"the path contains the control character U+{ord(char):04X}"
    return None


class RefuseMalformedPaths:
    """ASGI middleware: a malformed path is a 400 with a reason, never a 500 or a traceback."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = path_problem(scope.get("raw_path", b"").decode("latin-1"))
            if problem:
                reply = JSONResponse({"error": "bad_request", "reason": problem}, 400)
                await reply(scope, receive, send)
                return
        await self.app(scope, receive, send)


def declared_length(request: Request, limits: BodyLimits) -> int | None:
    """Content-Length as a number, refusing a malformed or oversized one before reading."""
    declared = request.headers.get("content-length")
    if declared is None:
        return None
    if not declared.isdigit():
        raise RequestError(400, f"Content-Length {declared[:40]!r} is not a number")
    if int(declared) > limits.max_bytes:
        raise RequestError(
            413, f"body of {declared} bytes exceeds the {limits.max_bytes}-byte limit"
        )
    return int(declared)


async def read_body(request: Request, limits: BodyLimits) -> bytes:
    """The whole body, at most `max_bytes`, arriving within the timeouts; else RequestError."""
    declared_length(request, limits)
    chunks, size = [], 0
    deadline = time.monotonic() + limits.total_timeout_s
    stream = request.stream().__aiter__()
    while True:
        wait = min(limits.idle_timeout_s, deadline - time.monotonic())
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), max(wait, 0.001))
        except StopAsyncIteration:
            return b"".join(chunks)
        except TimeoutError:
            raise RequestError(408, _too_slow(size, limits)) from None
        size += len(chunk)
        if size > limits.max_bytes:
            raise RequestError(413, f"body exceeds the {limits.max_bytes}-byte limit")
        chunks.append(chunk)


def _too_slow(size: int, limits: BodyLimits) -> str:
    return (
        f"the body stopped arriving after {size} bytes (at most {limits.idle_timeout_s:g} s "
        f"between chunks, {limits.total_timeout_s:g} s in all)"
    )


def parse_json(body: bytes) -> object:
    """The JSON value of a UTF-8 body; invalid bytes are an error, never silently replaced."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(
            400, f"body is not valid JSON: not UTF-8 at byte {exc.start} ({body[exc.start]:#04x})"
        ) from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise RequestError(400, f"body is not valid JSON: {exc}") from None
