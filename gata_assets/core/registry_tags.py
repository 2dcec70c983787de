"""A registered model version as MLflow model-version tags, and back.

The MLflow registry keeps what the SQL registry keeps in columns as tags on the MLflow model
version, one value per tag, so the MLflow UI shows the status, the lineage and each blocking
check's verdict next to the version: `gata.status`, `gata.batch_id`, `gata.check.<name>`...
Nested values (metrics, the gate record, a verdict) are JSON. Pure (no MLflow, no Dagster),
so the rules are read and tested without a store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gata_assets.core.registry_entry import APPROVED, PENDING, ModelVersion

VERSION, GROUP, STATUS = "gata.version", "gata.group", "gata.status"
NOTE, DECIDED_AT, REGISTERED_AT = "gata.note", "gata.decided_at", "gata.registered_at"
METRICS, GATE, CHECK_PREFIX = "gata.metrics", "gata.gate", "gata.check."
LINEAGE = ("data_sha256", "code_version", "base_model", "artifact_uri", "batch_id")
# MLflow 3.18 takes 100,000 characters per model-version tag value, older servers 5,000.
VALUE_LIMIT = 5000


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _metrics_json(metrics: Mapping[str, Any]) -> str:
    """All metrics if they fit one tag, else the scalar ones (per-queue tables are the
    nested ones, and they stay in the model directory's metrics.json)."""
    text = _json(dict(metrics))
    if len(text) <= VALUE_LIMIT:
        return text
    return _json({k: v for k, v in metrics.items() if isinstance(v, bool | int | float | str)})


def version_tags(entry: ModelVersion) -> dict[str, str]:
    """The tags of a newly registered version (status pending, no decision yet)."""
    return {
        VERSION: entry.version,
        GROUP: entry.group,
        STATUS: PENDING,
        REGISTERED_AT: entry.registered_at,
        METRICS: _metrics_json(entry.metrics),
        GATE: _json(entry.gate)[:VALUE_LIMIT],
        **{f"gata.{name}": str(getattr(entry, name))[:VALUE_LIMIT] for name in LINEAGE},
    }


def verdict_tag(check: str, passed: bool, reason: str, checked_at: str) -> tuple[str, str]:
    verdict = {"passed": bool(passed), "reason": reason[:1000], "checked_at": checked_at}
    return f"{CHECK_PREFIX}{check}", _json(verdict)


def gate_tag(details: Mapping[str, Any]) -> tuple[str, str]:
    return GATE, _json(dict(details))[:VALUE_LIMIT]


def decision_tags(status: str, note: str, decided_at: str) -> dict[str, str]:
    return {STATUS: status, NOTE: note[:VALUE_LIMIT], DECIDED_AT: decided_at}


def _loads(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}  # a tag edited by hand in the MLflow UI: read as empty, never crash
    return value if isinstance(value, dict) else {}


def entry_from_tags(tags: Mapping[str, str], holds_alias: bool = False) -> ModelVersion:
    """The version these tags describe. One holding the approval alias reads as Approved:
    moving the alias in the MLflow UI is an approval, as it is in gata's own words."""
    checks = {
        key.removeprefix(CHECK_PREFIX): _loads(value)
        for key, value in tags.items()
        if key.startswith(CHECK_PREFIX)
    }
    return ModelVersion(
        version=tags[VERSION],
        group=tags.get(GROUP, ""),
        status=APPROVED if holds_alias else tags.get(STATUS, PENDING),
        metrics=_loads(tags.get(METRICS)),
        registered_at=tags.get(REGISTERED_AT, ""),
        decided_at=tags.get(DECIDED_AT) or None,
        note=tags.get(NOTE, ""),
        gate=_loads(tags.get(GATE)),
        checks={name: v for name, v in checks.items() if isinstance(v.get("passed"), bool)},
        **{name: tags.get(f"gata.{name}", "") for name in LINEAGE},
    )
