"""JSON Lines on /invocations: what SageMaker Batch Transform sends and wants back.

A transform job with `ContentType=application/jsonlines`, `SplitType=Line` and
`BatchStrategy=MultiRecord` posts several input lines in one request and, with
`AssembleWith=Line`, joins the answers with newlines into `<input>.out`. So a request is one
ticket object per line and the answer one prediction per line, in the same order: line n of
the output answers line n of the input. Validation is the JSON path's (same limits, same
reasons), with the line number in the reason.
"""

import json
from collections.abc import Iterable

from starlette.responses import Response

from gata_assets.ml.routing import Ticket
from gata_assets.ml.serve.protocol import RequestError, parse_instance

JSON = "application/json"
JSONLINES = "application/jsonlines"
TYPES = (JSON, JSONLINES)


def media_type(header: str) -> str:
    """`application/jsonlines; charset=utf-8` -> `application/jsonlines`."""
    return header.split(";")[0].strip().lower()


def parse_jsonlines(body: bytes, max_instances: int) -> list[Ticket]:
    """One ticket per line, in order, or a RequestError naming the first bad line."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(
            400, f"body is not valid UTF-8 at byte {exc.start} ({body[exc.start]:#04x})"
        ) from None
    # Only "\n" ends a record: str.splitlines would also split on U+2028, which JSON allows
    # raw inside a string. A final newline ends the last record rather than opening one.
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines:
        raise RequestError(400, 'the body has no lines: send one {"text": ...} object per line')
    if len(lines) > max_instances:
        raise RequestError(
            413, f"{len(lines)} lines in one request; at most {max_instances} allowed"
        )
    tickets = []
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        if not line.strip():
            # Skipping it would shift every later answer off its input line.
            raise RequestError(400, f"{where} is empty: send one JSON object per line")
        try:
            raw = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise RequestError(400, f"{where} is not valid JSON: {exc}") from None
        tickets.append(parse_instance(raw, where, f"{where}: "))
    return tickets


def wants_jsonlines(content_type: str, accept: str) -> bool:
    """Answer in JSON Lines? What Accept names, if it names one of the two; else the
    request's own type (so a JSON caller that sends no Accept gets JSON, as always)."""
    accepted = {media_type(part) for part in accept.split(",")} & {JSON, JSONLINES}
    if len(accepted) == 1:
        return accepted == {JSONLINES}
    return content_type == JSONLINES


def jsonlines_response(predictions: Iterable[dict]) -> Response:
    """One compact JSON prediction per line, no trailing newline: with AssembleWith=Line
    SageMaker adds the newline after each response itself."""
    lines = (json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in predictions)
    return Response("\n".join(lines).encode("utf-8"), media_type=JSONLINES)
