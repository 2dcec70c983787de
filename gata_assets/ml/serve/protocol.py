"""The /invocations request and response: documented models plus a strict hand-written parser.

The pydantic models describe the contract in the OpenAPI document. Parsing is done by hand
so that every rejection carries one sentence naming the offending field
(`instances[3].text must be a non-empty string`), which is what a caller needs to fix it.
"""

from typing import Literal

from pydantic import BaseModel, Field

from gata_assets.ml.routing import Ticket


class RequestError(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Instance(BaseModel):
    text: str = Field(
        min_length=1, pattern=r"\S", description="Subject and body; truncated to max length."
    )
    id: str | int | None = Field(default=None, description="Echoed back in the prediction.")


class InvocationRequest(BaseModel):
    instances: list[Instance] = Field(min_length=1)
    top_k: int | None = Field(default=None, ge=1, description="How many classes to list.")


class ScoredLabel(BaseModel):
    label: int | None
    category: str
    confidence: float


class Prediction(BaseModel):
    id: str | int | None
    label: int | None = Field(description="Queue id; null for the fallback (triage) answer.")
    category: str
    confidence: float
    top_k: list[ScoredLabel]
    route: Literal["general", "low_volume", "fallback"]


class InvocationResponse(BaseModel):
    predictions: list[Prediction]


class ErrorResponse(BaseModel):
    error: str
    reason: str


def parse_instance(raw: object, where: str, field: str) -> Ticket:
    """One ticket object, checked alike on every path: `where` names it in a reason
    ("instances[3]", "line 4") and `field` prefixes its fields ("instances[3].", "line 4: ")."""
    if not isinstance(raw, dict):
        raise RequestError(400, f'{where} must be an object like {{"text": "..."}}')
    if "text" not in raw:
        raise RequestError(400, f"{where} has no 'text'")
    text = raw["text"]
    if not isinstance(text, str):
        raise RequestError(400, f"{field}text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise RequestError(400, f"{field}text is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a "\ud800" escape: valid JSON, not valid Unicode
        raise RequestError(
            400, f"{field}text has a lone surrogate at character {exc.start}: not valid Unicode"
        ) from None
    ticket_id = raw.get("id")
    if ticket_id is not None and (
        isinstance(ticket_id, bool) or not isinstance(ticket_id, str | int)
    ):
        raise RequestError(400, f"{field}id must be a string or an integer")
    return Ticket(text=text, id=ticket_id)


def parse_request(
    payload: object, max_instances: int, max_top_k: int
) -> tuple[list[Ticket], int | None]:
    """Tickets in request order and the requested top_k, or a RequestError saying why not."""
    if not isinstance(payload, dict):
        raise RequestError(400, 'the body must be a JSON object: {"instances": [{"text": ...}]}')
    if "instances" in payload:
        instances = payload["instances"]
        if not isinstance(instances, list):
            raise RequestError(400, "'instances' must be a list of objects with a 'text'")
    elif "text" in payload:
        instances = [payload]
    else:
        raise RequestError(400, "missing 'instances' (or a single object with 'text')")
    if not instances:
        raise RequestError(400, "'instances' is empty")
    if len(instances) > max_instances:
        raise RequestError(
            413, f"{len(instances)} instances in one request; at most {max_instances} allowed"
        )
    top_k = payload.get("top_k") if "instances" in payload else None
    if top_k is not None and (
        isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= max_top_k
    ):
        raise RequestError(400, f"'top_k' must be an integer from 1 to {max_top_k}")
    tickets = [
        parse_instance(raw, f"instances[{i}]", f"instances[{i}].")
        for i, raw in enumerate(instances)
    ]
    return tickets, top_k
