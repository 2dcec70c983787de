"""One day of batch inference, kept out of the asset for readability.

Tickets created in the day's UTC window are routed by the same function the online router
uses (general → low-volume → fallback), so a nightly batch and the endpoint can never
disagree about a ticket. Models come from the artifact store: the versions prod serves
(newest approved) when there are any, else the newest servable ones, each recorded; the
reference carries the general model's batch id and data hash as its lineage.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd

from gata_assets.core.model_groups import GENERAL, GROUP_NAMES, LOW_VOLUME
from gata_assets.core.references import PredictionsRef, ServingModel
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
    *(f"{group}_version" for group in GROUP_NAMES),
)


def _load(store: ArtifactStore, models: Mapping[str, ServingModel], scratch: Path) -> dict:
    from gata_assets.ml.serve.predictor import load_predictor

    return {
        role: load_predictor(store.get_dir(model.uri, scratch / role))
        for role, model in models.items()
    }


def predict_day(
    reader: TicketReader,
    store: ArtifactStore,
    models: Mapping[str, ServingModel],
    day: str,
    start: datetime,
    end: datetime,
    min_confidence: float,
    fallback_label: str,
) -> PredictionsRef:
    from gata_assets.ml.routing import RoutingPolicy, Ticket, route_tickets

    tickets = reader.created_between(start, end)
    versions = {role: m.model_version for role, m in models.items()}
    answers: list[dict] = []
    if len(tickets):
        with tempfile.TemporaryDirectory(prefix="gata-batch-") as scratch:
            predictors = _load(store, models, Path(scratch))
            cards = {group: getattr(p, "card", None) for group, p in predictors.items()}
            policy = RoutingPolicy.from_cards(
                cards, min_confidence=min_confidence, fallback_label=fallback_label
            )
            texts = [
                compose_text(s, b) for s, b in zip(tickets["subject"], tickets["body"], strict=True)
            ]
            for at in range(0, len(texts), CHUNK):
                batch = [Ticket(t) for t in texts[at : at + CHUNK]]
                answers += route_tickets(
                    batch, predictors[GENERAL.name], predictors.get(LOW_VOLUME.name), policy
                )
    frame = pd.DataFrame(
        {
            "ticket_id": tickets["ticket_id"].astype("str" if reader.text_ids else "int64"),
            "created_at": pd.to_datetime(tickets["created_at"], utc=True),
            "category": [a["category"] for a in answers],
            "label": pd.array([a["label"] for a in answers], dtype="Int64"),
            "confidence": [float(a["confidence"]) for a in answers],
            "route": [a["route"] for a in answers],
            "actual_label": pd.array(tickets["label"], dtype="Int64"),
            **{f"{group}_version": versions.get(group, "") for group in GROUP_NAMES},
        },
        columns=list(COLUMNS),
    )
    stored = store.write_parquet(frame, f"predictions/{day}.parquet")
    routes = Counter(frame["route"])
    general = models[GENERAL.name]
    return PredictionsRef(
        **stored.as_dict(),
        day=day,
        batch_id=general.batch_id,
        data_sha256=general.data_sha256,
        rows=len(frame),
        model_versions=versions,
        model_sources={role: m.source for role, m in models.items()},
        category_counts=dict(Counter(frame["category"]).most_common()),
        route_counts=dict(routes),
        fallback_rate=round(routes.get("fallback", 0) / len(frame), 6) if len(frame) else 0.0,
    )
