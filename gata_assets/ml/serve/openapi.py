"""OpenAPI details for /invocations that FastAPI cannot infer.

The handlers read the raw body themselves (size limit first, then a parser with precise
error messages), so FastAPI never sees a body parameter; this module puts the request
schema, the accepted forms and every error status back into the generated document.
"""

from typing import Any

from gata_assets.ml.serve.protocol import ErrorResponse, Instance, InvocationRequest


def _schema(model: Any) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


def describe_invocations() -> dict[str, Any]:
    """Keyword arguments for the /invocations route decorators."""
    error = {"model": ErrorResponse}
    return {
        "summary": "Route tickets: one prediction per instance, in request order",
        "responses": {
            400: {**error, "description": "Malformed JSON or invalid instances"},
            413: {**error, "description": "Body over the size limit or too many instances"},
            415: {**error, "description": "Content type not application/json(lines)"},
            503: {**error, "description": "Models still loading"},
        },
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "anyOf": [
                                {"$ref": "#/components/schemas/InvocationRequest"},
                                {"$ref": "#/components/schemas/Instance"},
                            ]
                        }
                    },
                    # SageMaker Batch Transform (SplitType=Line, BatchStrategy=MultiRecord):
                    # one Instance per line; the answer is one Prediction per line, in order
                    # (as JSON Lines when Accept or the request's type asks for it).
                    "application/jsonlines": {
                        "schema": {"type": "string", "description": "One Instance per line"}
                    },
                },
            }
        },
    }


def add_request_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Register the request models the hand-written requestBody refers to."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Instance", _schema(Instance))
    schemas.setdefault("InvocationRequest", _schema(InvocationRequest))
    return document
