"""Shared fixtures: a small ticket database and the offline resources built on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gata_assets.core import ticket_tables
from gata_assets.definitions import build_resources
from gata_assets.settings import GataSettings

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


@pytest.fixture
def gata_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "gata-home"
    home.mkdir()
    monkeypatch.setenv("GATA_HOME", str(home))
    monkeypatch.delenv("GATA_TICKET_DB_URL", raising=False)
    monkeypatch.delenv("GATA_MODE", raising=False)
    return home


@pytest.fixture
def small_ticket_db(gata_home: Path) -> str:
    """SQLite with four big categories and two low-volume ones."""
    url = f"sqlite:///{gata_home / 'tickets.db'}"
    counts = {"billing": 60, "password": 55, "printer": 50, "vpn": 45, "gdpr": 14, "legal": 12}
    load_rows(sa.create_engine(url), make_ticket_rows(counts))
    return url


@pytest.fixture
def offline_resources(gata_home: Path) -> dict:
    return build_resources(GataSettings.from_env({"GATA_HOME": str(gata_home)}))
