"""Read-only, streamed access to the help-desk ticket database (SQLite or PostgreSQL).

Every query is built with SQLAlchemy Core: identifiers come from the column map and are
quoted by the dialect, values are bound parameters. Rows arrive in chunks so memory stays flat
however large the table is. On PostgreSQL the rows come through ADBC as Arrow batches (a
binary COPY decoded in C++): Python never builds a tuple per row, which is what makes a
million-ticket extract fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd
import sqlalchemy as sa

from gata_assets.core.errors import GataInputError
from gata_assets.core.schema import TicketColumnMap

CANONICAL = ("ticket_id", "created_at", "updated_at", "subject", "body", "label")


@dataclass(frozen=True)
class Watermark:
    """The last (updated_at, ticket_id) extracted: the next extract starts just after it."""

    updated_at: datetime
    ticket_id: int

    def as_dict(self) -> dict[str, Any]:
        return {"updated_at": self.updated_at.isoformat(), "ticket_id": self.ticket_id}

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> Watermark | None:
        if not raw:
            return None
        return cls(pd.Timestamp(raw["updated_at"]).to_pydatetime(), int(raw["ticket_id"]))


def safe_url(url: str | sa.URL) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


class TicketReader:
    def __init__(self, engine: sa.Engine, columns: TicketColumnMap | None = None):
        self.engine = engine
        self.columns = columns or TicketColumnMap()
        # Typed columns let each dialect convert the watermark the way it stores timestamps.
        types = {"ticket_id": sa.BigInteger(), "label": sa.Integer()}
        types |= {
            "created_at": sa.DateTime(timezone=True),
            "updated_at": sa.DateTime(timezone=True),
        }
        self._tickets = sa.table(
            self.columns.ticket_table,
            *(sa.column(db, types.get(c)) for c, db in self.columns.ticket_columns().items()),
        )
        self._categories = sa.table(
            self.columns.category_table,
            sa.column(self.columns.category_id),
            sa.column(self.columns.category_name),
        )

    @classmethod
    def from_url(cls, url: str, columns: TicketColumnMap | None = None) -> TicketReader:
        engine = sa.create_engine(url, **_read_only_options(url))
        return cls(engine, columns)

    def _col(self, canonical: str) -> sa.ColumnClause:
        return self._tickets.c[self.columns.ticket_columns()[canonical]]

    def verify_schema(self) -> None:
        """Fail with one sentence naming the missing table or columns."""
        try:
            inspector = sa.inspect(self.engine)
            tables = set(inspector.get_table_names())
        except sa.exc.OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise GataInputError(
                f"ticket database unreachable at {safe_url(self.engine.url)}: {reason}"
            ) from None
        wanted = {
            self.columns.ticket_table: set(self.columns.ticket_columns().values()),
            self.columns.category_table: {self.columns.category_id, self.columns.category_name},
        }
        for table, needed in wanted.items():
            if table not in tables:
                raise GataInputError(
                    f"ticket database {safe_url(self.engine.url)} has no table {table!r} "
                    f"(found: {', '.join(sorted(tables)) or 'no tables'}); run `gata seed` "
                    "or map your schema with the GATA_COLUMN_* settings"
                )
            present = {c["name"] for c in inspector.get_columns(table)}
            missing = sorted(needed - present)
            if missing:
                raise GataInputError(
                    f"table {table!r} lacks expected column(s) {', '.join(missing)} "
                    f"(has: {', '.join(sorted(present))})"
                )

    def categories(self) -> dict[int, str]:
        id_col = self._categories.c[self.columns.category_id]
        name_col = self._categories.c[self.columns.category_name]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(id_col, name_col)).all()
        return {int(i): str(n) for i, n in rows}

    def _select(self, watermark: Watermark | None, from_session: bool = False) -> sa.Select:
        columns = [self._col(c).label(c) for c in CANONICAL]
        query = sa.select(*columns).select_from(self._tickets)
        if watermark is not None:
            if from_session:
                wm_time = sa.literal_column("current_setting('gata.wm_time')::timestamptz")
                wm_id = sa.literal_column("current_setting('gata.wm_id')::bigint")
            else:
                wm_time = sa.bindparam("wm_time", watermark.updated_at)
                wm_id = sa.bindparam("wm_id", watermark.ticket_id)
            updated, ticket_id = self._col("updated_at"), self._col("ticket_id")
            query = query.where(
                sa.or_(updated > wm_time, sa.and_(updated == wm_time, ticket_id > wm_id))
            )
        return query.order_by(self._col("updated_at"), self._col("ticket_id"))

    def count_since(self, watermark: Watermark | None) -> tuple[int, int | None]:
        """(tickets after the watermark, their largest id): cheap, served by the index."""
        inner = self._select(watermark).order_by(None).subquery()
        query = sa.select(sa.func.count(), sa.func.max(inner.c.ticket_id))
        with self.engine.connect() as conn:
            count, max_id = conn.execute(query).one()
        return int(count), (int(max_id) if max_id is not None else None)

    def label_counts_since(self, watermark: Watermark | None) -> dict[str, int]:
        """Tickets after the watermark per category name: one grouped count, for drift."""
        inner = self._select(watermark).order_by(None).subquery()
        query = sa.select(inner.c.label, sa.func.count()).group_by(inner.c.label)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        names = self.categories()
        return {names.get(int(lab), str(lab)): int(n) for lab, n in rows if lab is not None}

    def created_between(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Tickets created in [start, end) (UTC), by id: one day of batch inference."""
        created = self._col("created_at")
        query = (
            sa.select(*(self._col(c).label(c) for c in CANONICAL))
            .where(created >= start, created < end)
            .order_by(self._col("ticket_id"))
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame.from_records(rows, columns=list(CANONICAL))

    def stream(self, watermark: Watermark | None, chunk_rows: int) -> Iterator[pd.DataFrame]:
        """Tickets after `watermark`, ordered by (updated_at, ticket_id), in chunks."""
        if self.engine.dialect.name == "postgresql":
            yield from self._stream_arrow(watermark, chunk_rows)
            return
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(
                self._select(watermark)
            )
            for rows in result.partitions():
                yield pd.DataFrame.from_records(rows, columns=list(CANONICAL))

    def _stream_arrow(self, watermark: Watermark | None, chunk_rows: int) -> Iterator[pd.DataFrame]:
        """PostgreSQL: ADBC runs the SELECT as a binary COPY straight into Arrow batches.

        ADBC streams only statements without bind parameters, so the watermark travels as
        session settings (set with bound parameters) that the query reads with
        current_setting(): values never become SQL text, and rows still stream.
        """
        import adbc_driver_postgresql.dbapi as adbc
        import pyarrow as pa

        query = self._select(watermark, from_session=True).compile(dialect=self.engine.dialect)
        connection = adbc.connect(_libpq_uri(self.engine.url), autocommit=True)
        with connection, connection.cursor() as cursor:
            if watermark is not None:
                cursor.execute(
                    "SELECT set_config('gata.wm_time', $1, false),"
                    " set_config('gata.wm_id', $2, false)",
                    (watermark.updated_at.isoformat(), str(watermark.ticket_id)),
                )
                cursor.fetchall()
            cursor.adbc_statement.set_options(
                **{"adbc.postgresql.batch_size_hint_bytes": str(4 << 20)}
            )
            cursor.execute(str(query))
            pending = None
            for batch in cursor.fetch_record_batch():
                table = pa.Table.from_batches([batch])
                pending = table if pending is None else pa.concat_tables([pending, table])
                while pending.num_rows >= chunk_rows:
                    yield pending.slice(0, chunk_rows).to_pandas()
                    pending = pending.slice(chunk_rows)
            if pending is not None and pending.num_rows:
                yield pending.to_pandas()


def _libpq_uri(url: sa.URL) -> str:
    """The libpq URI ADBC wants, with a read-only, UTC session forced at connect time."""
    query = {**url.query, "options": "-c default_transaction_read_only=on -c TimeZone=UTC"}
    base = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return f"{base}?{urlencode(query, doseq=True, quote_via=quote)}"


def _read_only_options(url: str) -> dict[str, Any]:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # Read-only transactions: gata can never change the help desk's data.
        return {"execution_options": {"postgresql_readonly": True}, "pool_pre_ping": True}
    return {}
