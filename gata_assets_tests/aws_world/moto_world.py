"""moto in server mode on 127.0.0.1, one URL for every AWS client, with SageMaker played for real.

moto records SageMaker calls but runs nothing. A thin WSGI front before moto's own app lets a
stand-in (`sagemaker_standin.py`) see each SageMaker request whole (moto drops fields such as
a training job's `Environment`), act on it once moto has answered, and answer the runtime's
`/endpoints/<name>/invocations` from a real gata-serve. Everything else is moto, unchanged.
moto's backends live in this process, so the stand-in can change what moto reports (a job
`InProgress` while its container runs, then `Completed` or `Failed` with a reason).
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from typing import Any, Protocol

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

INVOCATION = re.compile(r"^/endpoints/([^/]+)/invocations$")
ACCOUNT, REGION = "123456789012", "us-east-1"


class SageMakerPart(Protocol):
    def amend(self, account: str, action: str, request: dict[str, Any]) -> dict[str, Any]:
        """The request as moto should see it (where moto's semantics differ from AWS's)."""

    def answer(self, account: str, action: str, request: dict[str, Any]) -> dict | None:
        """The response to an action moto lacks (UpdateEndpoint, StopTrainingJob), else None."""

    def handled(
        self, account: str, action: str, request: dict[str, Any], response: dict[str, Any]
    ) -> None:
        """Called after moto answered a SageMaker `action` with status 200."""

    def invoke(
        self, account: str, endpoint: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """Answer a runtime invocation: (HTTP status, body)."""


class SageMakerFront:
    """WSGI middleware: runtime invocations to the stand-in, SageMaker calls seen by it."""

    def __init__(self, app: Any, part: SageMakerPart):
        self.app, self.part = app, part
        # One SageMaker call at a time: an amended request (read, merge, write) is atomic, as
        # the real service's is.
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path, target = environ.get("PATH_INFO", ""), environ.get("HTTP_X_AMZ_TARGET", "")
        found = INVOCATION.match(path)
        if found and environ.get("REQUEST_METHOD") == "POST":
            return self.invocation(found[1], environ, start_response)
        if not target.startswith("SageMaker."):
            return self.app(environ, start_response)
        with self.lock:
            return self.control_plane(environ, start_response, target)

    def control_plane(self, environ: dict[str, Any], start_response: Any, target: str) -> Any:
        body, account, action = read_body(environ), account_of(environ), target.split(".", 1)[1]
        request = self.part.amend(account, action, json.loads(body or b"{}"))
        environ["wsgi.input"] = io.BytesIO(json.dumps(request).encode())
        environ["CONTENT_LENGTH"] = str(len(environ["wsgi.input"].getvalue()))
        if (answered := self.part.answer(account, action, request)) is not None:
            start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1")])
            return [json.dumps(answered).encode()]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            captured["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        chunks = b"".join(self.app(environ, capture))
        if captured.get("status") == 200:
            self.part.handled(account, action, request, json.loads(chunks or b"{}"))
        return [chunks]

    def invocation(self, endpoint: str, environ: dict[str, Any], start_response: Any) -> Any:
        headers = {
            "Content-Type": environ.get("CONTENT_TYPE", "application/json"),
            "Accept": environ.get("HTTP_ACCEPT", "application/json"),
        }
        status, body = self.part.invoke(account_of(environ), endpoint, read_body(environ), headers)
        reason = {200: "OK", 404: "Not Found", 424: "Failed Dependency"}.get(status, "Error")
        start_response(f"{status} {reason}", [("Content-Type", "application/json")])
        return [body]


def account_of(environ: dict[str, Any]) -> str:
    """The account moto files this request under, from the access key that signed it."""
    from moto.iam.models import get_account_id_from

    found = re.search(r"Credential=([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return get_account_id_from(found[1]) if found else ACCOUNT


def read_body(environ: dict[str, Any]) -> bytes:
    """The request body, put back so the app behind can read it again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


class MotoWorld:
    """moto's server with the SageMaker front, on a free loopback port."""

    def __init__(self, part: SageMakerPart):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
        app = SageMakerFront(DomainDispatcherApplication(create_backend_app), part)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> MotoWorld:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
