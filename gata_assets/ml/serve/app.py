"""The HTTP face of gata-serve: the SageMaker inference-container contract on FastAPI.

Routes: `GET /ping`, `POST /invocations`, and the SageMaker Runtime path
`POST /endpoints/{name}/invocations`, so boto3's `invoke_endpoint` works against a local
server unchanged. Limits are checked before any parsing (content type, then body size while
reading), so an oversized or hostile body costs nothing but its bytes.
"""

import json
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gata_assets.ml.serve.batcher import MicroBatcher
from gata_assets.ml.serve.openapi import add_request_schemas, describe_invocations
from gata_assets.ml.serve.protocol import InvocationResponse, RequestError, parse_request
from gata_assets.ml.serve.service import RoutingService

# SageMaker serverless refuses payloads over 4 MB; a local endpoint behaves the same.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ServeOptions:
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_instances: int = 256
    max_batch: int = 32
    max_wait_ms: float = 3.0
    default_top_k: int = 3


def error(status: int, code: str, reason: str) -> JSONResponse:
    return JSONResponse({"error": code, "reason": reason}, status_code=status)


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"body of {declared} bytes exceeds the {limit}-byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"body exceeds the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(service: RoutingService, options: ServeOptions | None = None) -> FastAPI:
    options = options or ServeOptions()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        batcher = MicroBatcher(service.predict, options.max_batch, options.max_wait_ms)
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

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error(400, "bad_request", str(exc.errors()[:3]))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        return error(500, "internal_error", f"{type(exc).__name__}: {exc}")

    @app.get("/ping", summary="200 once the models are loaded, 503 before")
    async def ping() -> JSONResponse:
        if service.ready.is_set():
            return JSONResponse({"status": "ok"})
        return error(503, "loading", service.error or "models are still loading")

    @app.get("/info", summary="Mode, model versions and readiness")
    async def info(request: Request) -> JSONResponse:
        batcher = request.app.state.batcher
        # Tickets per forward pass: how much micro-batching is actually happening.
        batching = {"batches": batcher.batches, "tickets": batcher.items}
        return JSONResponse({**service.info(), "batching": batching})

    async def invoke(request: Request) -> JSONResponse:
        if not service.ready.is_set():
            return error(503, "loading", service.error or "models are still loading")
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            reason = (
                f"content type {content_type or 'none'!r} is not supported; use application/json"
            )
            return error(415, "unsupported_media_type", reason)
        try:
            body = await read_limited(request, options.max_body_bytes)
            try:
                payload = json.loads(body)
            except (ValueError, RecursionError) as exc:
                raise RequestError(400, f"body is not valid JSON: {exc}") from None
            tickets, top_k = parse_request(payload, options.max_instances, service.max_top_k)
        except RequestError as exc:
            code = "payload_too_large" if exc.status == 413 else "bad_request"
            return error(exc.status, code, exc.reason)
        answers = await request.app.state.batcher.submit(tickets)
        k = top_k or options.default_top_k
        return JSONResponse({"predictions": [{**a, "top_k": a["top_k"][:k]} for a in answers]})

    responses = describe_invocations()

    @app.post("/invocations", response_model=InvocationResponse, **responses)
    async def invocations(request: Request) -> JSONResponse:
        return await invoke(request)

    @app.post("/endpoints/{name}/invocations", response_model=InvocationResponse, **responses)
    async def runtime_invocations(name: str, request: Request) -> JSONResponse:
        """The SageMaker Runtime path; `name` is accepted and ignored (one model per server)."""
        return await invoke(request)

    generate = app.openapi
    app.openapi = lambda: add_request_schemas(generate())  # type: ignore[method-assign]
    return app
