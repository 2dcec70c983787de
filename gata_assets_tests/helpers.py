"""Helpers tests import (fixtures stay in conftest.py): deterministic tickets and loading them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gata_assets.core import ticket_tables

WORDS = {
    "billing": "invoice refund charge payment card receipt",
    "password": "password reset login locked account credentials",
    "printer": "printer toner paper jam queue scanner",
    "vpn": "vpn tunnel remote access token client",
    "gdpr": "personal data erase request privacy export",
    "legal": "contract hold subpoena counsel litigation retain",
}


def make_ticket_rows(counts: dict[str, int], start_id: int = 1) -> list[dict]:
    """Deterministic tickets: `counts[category]` of each, text drawn from its vocabulary."""
    rows, ticket_id = [], start_id
    base = datetime(2026, 5, 1, tzinfo=UTC)
    for category, n in counts.items():
        words = WORDS.get(category, category).split()
        for i in range(n):
            body = " ".join(words[(i + k) % len(words)] for k in range(5))
            stamp = base + timedelta(hours=ticket_id)
            rows.append(
                {
                    "ticket_id": ticket_id,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "subject": f"{category} question {i}",
                    "body": body,
                    "category": category,
                }
            )
            ticket_id += 1
    return rows


def load_rows(engine: sa.Engine, rows: list[dict]) -> None:
    ticket_tables.create_schema(engine)
    with engine.begin() as conn:
        ids = ticket_tables.ensure_categories(conn, {r["category"] for r in rows})
        ticket_tables.insert_tickets(
            conn,
            [
                {
                    **{k: v for k, v in r.items() if k != "category"},
                    "category_id": ids[r["category"]],
                }
                for r in rows
            ],
        )


def register_servable(
    registry, version: str, group: str, uri: str, metrics: dict | None = None
) -> None:
    """Register `version` with every blocking check passed and approve it: what prod serves."""
    from gata_assets.core.verdicts import BLOCKING_CHECKS

    registry.register(
        version=version,
        group=group,
        metrics={"macro_f1": 0.9} if metrics is None else metrics,
        data_sha256="d",
        code_version="c",
        base_model="b",
        artifact_uri=uri,
        batch_id="b1",
    )
    for check in BLOCKING_CHECKS:
        registry.record_check(version, check, True, "passed")
    registry.approve(version)
