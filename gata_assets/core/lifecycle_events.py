"""The lineage event gata publishes when a run finishes, and the schema it must satisfy.

Consumers (an EventBridge rule, an on-call pager, an audit store) depend on these fields, so
the payload is built in one pure function from the references the run's assets wrote and is
validated before it leaves: a run whose event would be malformed fails loudly in the sensor
instead of publishing something a consumer cannot parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SCHEMA = "gata.run/1"
DETAIL_TYPES = {"succeeded": "gata.run.succeeded", "failed": "gata.run.failed"}
_METRICS = ("accuracy", "macro_f1", "weighted_f1", "train_seconds", "samples_per_second")
_NULLABLE_TEXT = (str, type(None))
FIELDS: dict[str, Any] = {
    "schema": str,
    "status": str,
    "run_id": str,
    "job_name": str,
    "time": str,
    "batch_id": _NULLABLE_TEXT,
    "data_sha256": _NULLABLE_TEXT,
    "assets": list,
    "models": list,
    "endpoints": list,
    "checks": list,
    "predictions": (dict, type(None)),
    "error": _NULLABLE_TEXT,
}
PREDICTION_FIELDS = {"day": str, "rows": int, "fallback_rate": float}
MODEL_FIELDS = {"asset": str, "model_version": str, "metrics": dict, "uri": str}
ENDPOINT_FIELDS = {"asset": str, "name": str, "model_versions": dict}


def is_endpoint_ref(ref: Mapping[str, Any]) -> bool:
    return "endpoint" in ref or "endpoint_name" in ref or ("name" in ref and "versions" in ref)


def model_lineage(asset: str, ref: Mapping[str, Any]) -> dict[str, Any]:
    metrics = ref.get("metrics") or {}
    return {
        "asset": asset,
        "group": ref.get("group"),
        "model_version": str(ref.get("model_version", "")),
        "metrics": {k: metrics[k] for k in _METRICS if metrics.get(k) is not None},
        "fallback": bool(ref.get("fallback", False)),
        "base_model": ref.get("base_model"),
        "data_sha256": ref.get("data_sha256"),
        "batch_id": ref.get("batch_id"),
        "uri": str(ref.get("uri", "")),
    }


def endpoint_lineage(asset: str, ref: Mapping[str, Any]) -> dict[str, Any]:
    versions = ref.get("versions") or ref.get("model_versions") or {}
    return {
        "asset": asset,
        "name": str(ref.get("endpoint") or ref.get("endpoint_name") or ref.get("name", "")),
        "url": ref.get("url") or ref.get("arn") or ref.get("endpoint_arn"),
        "model_versions": dict(versions),
    }


def predictions_summary(refs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """A day of batch predictions in the run, for the alarms (infra/monitoring_events.tf
    turns `fallback_rate` and `rows` into metrics); None for runs that predicted nothing."""
    ref = next((r for r in refs.values() if "fallback_rate" in r and "day" in r), None)
    if ref is None:
        return None
    rows = int(ref.get("rows") or 0)
    return {"day": str(ref["day"]), "rows": rows, "fallback_rate": float(ref["fallback_rate"])}


def run_event(
    *,
    status: str,
    run_id: str,
    job_name: str,
    refs: Mapping[str, Mapping[str, Any]],
    checks: list[dict[str, Any]],
    error: str | None = None,
) -> dict[str, Any]:
    """The event for one finished run; `refs` maps each materialized asset to its reference."""
    models = [model_lineage(a, r) for a, r in refs.items() if "model_version" in r]
    endpoints = [endpoint_lineage(a, r) for a, r in refs.items() if is_endpoint_ref(r)]
    models = [m for m in models if m["asset"] not in {e["asset"] for e in endpoints}]
    extract = refs.get("ticket_extract", {})
    batches = [r.get("batch_id") for r in refs.values() if r.get("batch_id")]
    # Models first (their train+test hash), then whatever else the run wrote (an endpoint's
    # or a day's predictions carry their models' hash), so no downstream run reports null.
    hashes = [m["data_sha256"] for m in models if m["data_sha256"]]
    hashes += [str(r["data_sha256"]) for r in refs.values() if r.get("data_sha256")]
    detail = {
        "schema": SCHEMA,
        "status": status,
        "run_id": run_id,
        "job_name": job_name,
        "time": datetime.now(UTC).isoformat(),
        "batch_id": extract.get("batch_id") or (batches[0] if batches else None),
        "data_sha256": extract.get("sha256") or (hashes[0] if hashes else None),
        "assets": sorted(refs),
        "models": models,
        "endpoints": endpoints,
        "checks": checks,
        "predictions": predictions_summary(refs),
        "error": error,
    }
    validate_run_event(detail)
    return detail


def _problems(obj: Mapping[str, Any], fields: Mapping[str, Any], where: str) -> list[str]:
    found = []
    for name, kind in fields.items():
        if name not in obj:
            found.append(f"{where}: missing {name!r}")
        elif not isinstance(obj[name], kind):
            found.append(f"{where}: {name!r} is {type(obj[name]).__name__}")
    return found


def validate_run_event(detail: Mapping[str, Any]) -> None:
    """Raise ValueError naming every problem; silent when the event is well formed."""
    problems = _problems(detail, FIELDS, "event")
    if not problems:
        if detail["schema"] != SCHEMA:
            problems.append(f"event: schema must be {SCHEMA!r}")
        if detail["status"] not in DETAIL_TYPES:
            problems.append(f"event: status must be one of {sorted(DETAIL_TYPES)}")
        if detail["status"] == "failed" and not detail["error"]:
            problems.append("event: a failed run must say why (error)")
        for i, model in enumerate(detail["models"]):
            problems += _problems(model, MODEL_FIELDS, f"models[{i}]")
        for i, endpoint in enumerate(detail["endpoints"]):
            problems += _problems(endpoint, ENDPOINT_FIELDS, f"endpoints[{i}]")
    if problems:
        raise ValueError("invalid gata run event: " + "; ".join(problems))
