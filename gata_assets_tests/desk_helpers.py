"""A help desk that is not gata's schema: what the schema-mapping tests read.

Zendesk-like: text ids ("ZD-10001"), no subject, the text split over `description` and
`first_comment`, the queue *name* on the ticket (no categories table), a status and a brand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gata_assets_tests.helpers import WORDS

COUNTS = {"billing": 45, "vpn": 45, "printer": 42, "legal": 14, "gdpr": 12}
FILTER = "status=closed,resolved;brand_id=3"
BASE = datetime(2026, 5, 1, tzinfo=UTC)


def desk_table(schema: str | None) -> sa.Table:
    return sa.Table(
        "zd_tickets",
        sa.MetaData(schema=schema),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True)),
        sa.Column("updated", sa.DateTime(timezone=True)),
        sa.Column("description", sa.Text),
        sa.Column("first_comment", sa.Text),
        sa.Column("queue", sa.Text),
        sa.Column("status", sa.Text),
        sa.Column("brand_id", sa.Integer),
    )


def desk_rows(counts: dict[str, int] = COUNTS, start: int = 10_001) -> list[dict]:
    """Every 6th ticket still open, every 7th of brand 4: the filter drops both."""
    rows, n = [], start
    for queue, count in counts.items():
        words = WORDS[queue].split()
        for i in range(count):
            stamp = BASE + timedelta(minutes=n)
            rows.append(
                {
                    "id": f"ZD-{n}",
                    "created": stamp,
                    "updated": stamp,
                    "description": " ".join(words[(i + k) % len(words)] for k in range(4)),
                    "first_comment": None if i % 3 else f"customer adds {words[i % len(words)]}",
                    "queue": queue,
                    "status": "open" if n % 6 == 0 else ("closed", "resolved")[n % 2],
                    "brand_id": 4 if n % 7 == 0 else 3,
                }
            )
            n += 1
    return rows


def kept(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["status"] != "open" and r["brand_id"] == 3]


def create_desk(url: str, schema: str | None = None, rows: list[dict] | None = None) -> sa.Table:
    """The desk's table (in `schema`), its rows, and a view `zd_closed` over it."""
    engine = sa.create_engine(url)
    table = desk_table(schema)
    with engine.begin() as conn:
        if schema:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        table.metadata.create_all(conn)
        conn.execute(table.insert(), rows if rows is not None else desk_rows())
        prefix = f'"{schema}".' if schema else ""
        conn.execute(sa.text(f"CREATE VIEW {prefix}zd_closed AS SELECT * FROM {prefix}zd_tickets"))
    engine.dispose()
    return table


def desk_env(url: str, table: str = "zd_tickets", schema: str = "") -> dict[str, str]:
    return {
        "GATA_TICKET_DB_URL": url,
        "GATA_COLUMN_SCHEMA": schema,
        "GATA_COLUMN_TICKET_TABLE": table,
        "GATA_COLUMN_TICKET_ID": "id",
        "GATA_COLUMN_CREATED_AT": "created",
        "GATA_COLUMN_UPDATED_AT": "updated",
        "GATA_COLUMN_SUBJECT": "",
        "GATA_COLUMN_BODY": "description,first_comment",
        "GATA_COLUMN_LABEL": "queue",
        "GATA_COLUMN_CATEGORY_TABLE": "",
        "GATA_TICKET_FILTER": FILTER,
    }
