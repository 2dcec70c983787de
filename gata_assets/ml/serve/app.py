"""The HTTP face of gata-serve: the SageMaker inference-container contract on FastAPI.

Routes: `GET /ping`, `POST /invocations`, and the SageMaker Runtime path
`POST /endpoints/{name}/invocations`, so boto3's `invoke_endpoint` works against a local
server unchanged. Limits are checked before any parsing (content type, then body size and
pace while reading, then the request's cost in tokens), so a hostile body costs little more
than its bytes. Past the queue's bound a request is answered 503 with Retry-After at once,
and /ping says "overloaded" meanwhile, so a health check sees what callers see. Bodies are
JSON, or JSON Lines for SageMaker Batch Transform (`jsonlines.py`).
"""

import re
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from gata_assets.ml.serve import jsonlines
from gata_assets.ml.serve.batcher import MicroBatcher, Overloaded
from gata_assets.ml.serve.limits import (
    BodyLimits,
    RefuseMalformedPaths,
    closing,
    declared_length,
    parse_json,
    read_body,
)
from gata_assets.ml.serve.openapi import add_request_schemas, describe_invocations
from gata_assets.ml.serve.protocol import InvocationResponse, RequestError, parse_request
from gata_assets.ml.serve.service import RoutingService

# SageMaker's endpoint-name rule; the name in the runtime path is checked, then ignored.
ENDPOINT_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
RETRY_AFTER_S = 1


@dataclass(frozen=True)
class ServeOptions:
    body: BodyLimits = field(default_factory=BodyLimits)
    max_instances: int = 256
    max_batch: int = 32
    max_wait_ms: float = 3.0
    default_top_k: int = 3
    # Tokens (estimated from length): one forward pass, one request, all queued work.
    max_batch_tokens: int = 2048
    max_request_tokens: int = 16384
    max_queued_tokens: int = 32768


def error(status: int, code: str, reason: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "reason": reason}, status_code=status, headers=headers)


def _error_code(status: int) -> str:
    return {408: "request_timeout", 413: "payload_too_large"}.get(status, "bad_request")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error(400, "bad_request", str(exc.errors()[:3]))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        return error(500, "internal_error", f"{type(exc).__name__}: {exc}")

    app.add_middleware(RefuseMalformedPaths)


class Invocations:
    """POST /invocations: refuse early and cheaply, then queue the tickets fairly."""

    def __init__(self, service: RoutingService, options: ServeOptions):
        self.service, self.options = service, options

    async def __call__(self, request: Request) -> Response:
        if not self.service.ready.is_set():
            return error(503, "loading", self.service.error or "models are still loading")
        content_type = jsonlines.media_type(request.headers.get("content-type", ""))
        if content_type not in jsonlines.TYPES:
            shown = request.headers.get("content-type") or "none"
            reason = f"content type {shown!r} is not supported; use {' or '.join(jsonlines.TYPES)}"
            return error(415, "unsupported_media_type", reason)
        try:
            if self._shed(request):
                raise Overloaded("the queue has no room for a request this size")
            body = await read_body(request, self.options.body)
            if content_type == jsonlines.JSONLINES:  # SageMaker Batch Transform
                tickets, top_k = jsonlines.parse_jsonlines(body, self.options.max_instances), None
            else:
                tickets, top_k = parse_request(
                    parse_json(body), self.options.max_instances, self.service.max_top_k
                )
            self._check_cost(tickets)
            answers = await request.app.state.batcher.submit(tickets)
        except RequestError as exc:
            return error(exc.status, _error_code(exc.status), exc.reason, closing(exc.status))
        except Overloaded as exc:
            headers = {"Retry-After": str(RETRY_AFTER_S)}
            return error(503, "overloaded", f"{exc}; retry shortly", headers)
        k = top_k or self.options.default_top_k
        predictions = [{**a, "top_k": a["top_k"][:k]} for a in answers]
        if jsonlines.wants_jsonlines(content_type, request.headers.get("accept", "")):
            return jsonlines.jsonlines_response(predictions)
        return JSONResponse({"predictions": predictions})

    def _shed(self, request: Request) -> bool:
        """Under load, refuse a body that may be big before reading it: reading and parsing
        megabytes only to answer 503 would slow every other request down. The bound is
        what the body could cost at most (a ticket costs at most its length in bytes / 4
        plus 2, and takes at least 12 bytes), capped by what one request may cost."""
        declared = declared_length(request, self.options.body)
        if declared is None or declared < 4096:
            return False
        at_most = min(declared // 4 + 2 * (declared // 12), self.options.max_request_tokens)
        return request.app.state.batcher.shed(at_most)

    def _check_cost(self, tickets: list) -> None:
        cost = sum(self.service.cost(ticket) for ticket in tickets)
        if cost > self.options.max_request_tokens:
            raise RequestError(
                413,
                f"{len(tickets)} instances come to about {cost} tokens; at most "
                f"{self.options.max_request_tokens} per request: split it into smaller requests",
            )


def create_app(service: RoutingService, options: ServeOptions | None = None) -> FastAPI:
    options = options or ServeOptions()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        batcher = MicroBatcher(
            service.predict,
            options.max_batch,
            options.max_wait_ms,
            cost=service.cost,
            max_batch_cost=options.max_batch_tokens,
            max_queued=options.max_queued_tokens,
        )
        batcher.start()
        app.state.batcher = batcher
        yield
        # uvicorn gets here only after in-flight requests finished (graceful SIGTERM).
        await batcher.stop()

    app = FastAPI(
        title="gata-serve",
        version="1",
        lifespan=lifespan,
        description="Routes help-desk tickets to queues (SageMaker container API).",
    )
    _add_error_handlers(app)

    @app.get("/ping", summary="200 once the models are loaded; 503 while loading or overloaded")
    async def ping(request: Request) -> JSONResponse:
        if not service.ready.is_set():
            return error(503, "loading", service.error or "models are still loading")
        if request.app.state.batcher.overloaded:
            return error(503, "overloaded", "the work queue is at its bound")
        return JSONResponse({"status": "ok"})

    @app.get("/info", summary="Mode, model versions, readiness and batching")
    async def info(request: Request) -> JSONResponse:
        batcher = request.app.state.batcher
        # Tickets per forward pass: how much micro-batching is actually happening.
        batching = {"batches": batcher.batches, "tickets": batcher.items}
        load = {"queued_tokens": batcher.queued, "rejected_requests": batcher.rejected}
        return JSONResponse({**service.info(), "batching": batching, "load": load})

    invoke, responses = Invocations(service, options), describe_invocations()

    @app.post("/invocations", response_model=InvocationResponse, **responses)
    async def invocations(request: Request) -> Response:
        return await invoke(request)

    @app.post("/endpoints/{name}/invocations", response_model=InvocationResponse, **responses)
    async def runtime_invocations(name: str, request: Request) -> Response:
        """The SageMaker Runtime path; `name` is checked, then ignored (one model per server)."""
        if not ENDPOINT_NAME.fullmatch(name):
            return error(400, "bad_request", f"{name[:64]!r} is not a valid endpoint name")
        return await invoke(request)

    generate = app.openapi
    app.openapi = lambda: add_request_schemas(generate())  # type: ignore[method-assign]
    return app
