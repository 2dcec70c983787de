"""The reader's lifecycle queries on SQLite and PostgreSQL: drift counts and one day's tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from gata_assets.core.ticket_reader import TicketReader, Watermark
from gata_assets_tests.helpers import load_rows, make_ticket_rows
from gata_assets_tests.pg import fresh_database


def exercise(url: str) -> None:
    # Ticket n is stamped 2026-05-01 00:00 + n hours (conftest), so ids 1..23 are May 1st.
    load_rows(sa.create_engine(url), make_ticket_rows({"billing": 20, "vpn": 10, "legal": 5}))
    reader = TicketReader.from_url(url)
    assert reader.label_counts_since(None) == {"billing": 20, "vpn": 10, "legal": 5}
    mark = Watermark(datetime(2026, 5, 1, 20, tzinfo=UTC), 20)
    assert reader.label_counts_since(mark) == {"vpn": 10, "legal": 5}
    assert reader.count_since(mark) == (15, 35)

    day = datetime(2026, 5, 1, tzinfo=UTC)
    first = reader.created_between(day, day + timedelta(days=1))
    assert list(first["ticket_id"]) == list(range(1, 24))
    assert list(first.columns) == [
        "ticket_id",
        "created_at",
        "updated_at",
        "subject",
        "body",
        "label",
    ]
    second = reader.created_between(day + timedelta(days=1), day + timedelta(days=2))
    assert list(second["ticket_id"]) == list(range(24, 36))
    assert reader.created_between(day - timedelta(days=1), day).empty
    reader.engine.dispose()


def test_sqlite(tmp_path):
    exercise(f"sqlite:///{tmp_path / 'tickets.db'}")


@pytest.mark.postgres
def test_postgres():
    with fresh_database() as url:
        exercise(url)
