"""The default ticket schema (what `gata seed` and `gata import-tickets` write).

This is the schema gata expects out of the box; a real help desk maps its own columns through
`TicketColumnMap` instead. Writing is separate from `TicketReader` on purpose: the pipeline
only ever reads the help desk's database.

    categories(category_id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)
    tickets(ticket_id BIGINT PRIMARY KEY, created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ,
            subject TEXT, body TEXT, category_id INTEGER,   -- the queue the ticket went to
            source_key TEXT UNIQUE)                          -- import dedupe key, may be NULL
    index on (updated_at, ticket_id): the extract watermark
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

categories = sa.Table(
    "categories",
    metadata,
    sa.Column("category_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False, unique=True),
)

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("ticket_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("subject", sa.Text),
    sa.Column("body", sa.Text),
    sa.Column("category_id", sa.Integer),
    sa.Column("source_key", sa.Text, unique=True),
    sa.Index("ix_tickets_watermark", "updated_at", "ticket_id"),
)


# Any fixed number: every gata writer of this database takes the same advisory lock.
_WRITER_LOCK = 0x67617461  # "gata"
_SQLITE_WAIT_MS = 10 * 60 * 1000


def create_schema(engine: sa.Engine) -> None:
    metadata.create_all(engine)


def lock_for_writing(conn: sa.Connection) -> None:
    """Make this transaction the only gata writer of the database until it ends.

    Writers read the highest ticket id, the known categories and the stored source keys, then
    insert after them: two at once would pick the same ids. PostgreSQL queues them on a
    transaction-scoped advisory lock; SQLite on its write lock, taken at BEGIN IMMEDIATE
    rather than at the first INSERT (by then both have read), waiting up to ten minutes.
    Call it first in the transaction; it then creates the schema, which races the same way.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITER_LOCK})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {_SQLITE_WAIT_MS}")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    metadata.create_all(conn)


def ensure_categories(conn: sa.Connection, names: Iterable[str]) -> dict[str, int]:
    """Map category names to integer queue ids, adding the names not yet known."""
    known = {
        name: cid
        for cid, name in conn.execute(sa.select(categories.c.category_id, categories.c.name))
    }
    next_id = max(known.values(), default=0) + 1
    new_rows = []
    for name in sorted(set(names) - set(known)):
        known[name] = next_id
        new_rows.append({"category_id": next_id, "name": name})
        next_id += 1
    if new_rows:
        conn.execute(categories.insert(), new_rows)
    return known


def next_ticket_id(conn: sa.Connection) -> int:
    return (
        int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(tickets.c.ticket_id), 0))).scalar())
        + 1
    )


def insert_tickets(conn: sa.Connection, rows: list[Mapping[str, Any]], batch: int = 5_000) -> int:
    for start in range(0, len(rows), batch):
        conn.execute(tickets.insert(), list(rows[start : start + batch]))
    return len(rows)


def existing_source_keys(conn: sa.Connection, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 900):  # SQLite's bound-parameter limit is 999
        chunk = keys[start : start + 900]
        found.update(
            conn.execute(
                sa.select(tickets.c.source_key).where(tickets.c.source_key.in_(chunk))
            ).scalars()
        )
    return found
