"""One day of batch inference, kept out of the asset for readability.

Tickets created in the day's UTC window are routed by the same function the online router
uses (general → low-volume → fallback), so a nightly batch and the endpoint can never
disagree about a ticket. Models come from the artifact store: the versions prod serves
(newest approved) when there are any, else the newest trained ones, each recorded.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from gata_assets.core.schema import compose_text
from gata_assets.core.ticket_reader import TicketReader
from gata_assets.resources.artifact_store import ArtifactStore

CHUNK = 256
COLUMNS = (
    "ticket_id",
    "created_at",
    "category",
    "label",
    "confidence",
    "route",
    "actual_label",
    "general_version",
    "low_volume_version",
)


def _load(store: ArtifactStore, models: dict[str, dict[str, Any]], scratch: Path) -> dict:
    from gata_assets.ml.serve.predictor import load_predictor

    return {
        role: load_predictor(store.get_dir(model["uri"], scratch / role))
        for role, model in models.items()
    }


def predict_day(
    reader: TicketReader,
    store: ArtifactStore,
    models: dict[str, dict[str, Any]],
    day: str,
    start: datetime,
    end: datetime,
    min_confidence: float,
    fallback_label: str,
) -> dict[str, Any]:
    from gata_assets.ml.routing import RoutingPolicy, Ticket, route_tickets

    tickets = reader.created_between(start, end)
    versions = {role: str(m.get("model_version", "")) for role, m in models.items()}
    policy = RoutingPolicy(min_confidence=min_confidence, fallback_label=fallback_label)
    answers: list[dict] = []
    if len(tickets):
        with tempfile.TemporaryDirectory(prefix="gata-batch-") as scratch:
            predictors = _load(store, models, Path(scratch))
            texts = [
                compose_text(s, b) for s, b in zip(tickets["subject"], tickets["body"], strict=True)
            ]
            for at in range(0, len(texts), CHUNK):
                batch = [Ticket(t) for t in texts[at : at + CHUNK]]
                answers += route_tickets(
                    batch, predictors["general"], predictors.get("low_volume"), policy
                )
    frame = pd.DataFrame(
        {
            "ticket_id": tickets["ticket_id"].astype("int64"),
            "created_at": pd.to_datetime(tickets["created_at"], utc=True),
            "category": [a["category"] for a in answers],
            "label": pd.array([a["label"] for a in answers], dtype="Int64"),
            "confidence": [float(a["confidence"]) for a in answers],
            "route": [a["route"] for a in answers],
            "actual_label": pd.array(tickets["label"], dtype="Int64"),
            "general_version": versions.get("general", ""),
            "low_volume_version": versions.get("low_volume", ""),
        },
        columns=list(COLUMNS),
    )
    stored = store.write_parquet(frame, f"predictions/{day}.parquet")
    routes = Counter(frame["route"])
    return {
        **stored.as_dict(),
        "day": day,
        "rows": len(frame),
        "model_versions": versions,
        "model_sources": {role: m.get("source", "") for role, m in models.items()},
        "category_counts": dict(Counter(frame["category"]).most_common()),
        "route_counts": dict(routes),
        "fallback_rate": round(routes.get("fallback", 0) / len(frame), 6) if len(frame) else 0.0,
    }
