"""Read-only, streamed access to the help-desk ticket database (SQLite or PostgreSQL).

Every query is built with SQLAlchemy Core: identifiers come from the column map (checked
against the reflected schema, core/ticket_source.py) and are quoted by the dialect; values
(watermark, GATA_TICKET_FILTER) are bound parameters in each column's own type. Rows arrive
in chunks so memory stays flat however large the table is; on PostgreSQL through ADBC as
Arrow batches (core/ticket_copy.py). Every chunk has the canonical raw columns: several
body columns are joined, a desk without subjects gets none.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from gata_assets.core.hashing import stable_label_id
from gata_assets.core.schema import TicketColumnMap
from gata_assets.core.ticket_copy import libpq_uri as _libpq_uri
from gata_assets.core.ticket_copy import stream_copy
from gata_assets.core.ticket_query import Watermark, where_clauses
from gata_assets.core.ticket_rows import RowSpec, join_texts
from gata_assets.core.ticket_source import SourceTables, reflect_source, safe_url

CANONICAL = ("ticket_id", "created_at", "updated_at", "subject", "body", "label")
__all__ = ["CANONICAL", "TicketReader", "Watermark", "_libpq_uri", "safe_url"]


class TicketReader:
    def __init__(self, engine: sa.Engine, columns: TicketColumnMap | None = None):
        self.engine = engine
        self.columns = columns or TicketColumnMap()
        self._source: SourceTables | None = None

    @classmethod
    def from_url(cls, url: str, columns: TicketColumnMap | None = None) -> TicketReader:
        engine = sa.create_engine(url, **_read_only_options(url))
        return cls(engine, columns)

    # A context manager: leaving the block disposes the engine, so no pool of connections to
    # the help desk's database outlives the run or sensor tick that opened it.
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> TicketReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def source(self) -> SourceTables:
        """The reflected, typed tables (reflected once; a mismatch is a GataInputError)."""
        if self._source is None:
            self._source = reflect_source(self.engine, self.columns)
        return self._source

    def verify_schema(self) -> None:
        """Fail with one sentence naming the missing table or column (and the closest)."""
        self._source = reflect_source(self.engine, self.columns)

    def _col(self, name: str) -> sa.ColumnClause:
        return self.source.columns[self.columns.ticket_columns()[name]]

    @property
    def text_ids(self) -> bool:
        return not self.source.is_integer(self.columns.ticket_id)

    def row_spec(self) -> RowSpec:
        """What this desk's ids and labels look like, for validation."""
        names = self._category_names() if self.source.categories is not None else None
        return RowSpec(categories=names, text_ids=self.text_ids)

    def _category_names(self) -> dict[Any, str]:
        table = self.source.categories
        assert table is not None
        id_col = table.c[self.columns.category_id]
        name_col = table.c[self.columns.category_name]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(id_col, name_col)).all()
        integer = isinstance(id_col.type, sa.Integer)
        return {(int(i) if integer else str(i)): str(n) for i, n in rows if i is not None}

    def categories(self) -> dict[int, str]:
        """Queue id -> name, with the canonical ids the extract gives the labels."""
        if self.source.categories is None:
            label = self._col("label")
            query = sa.select(label).where(*self._where(None)).distinct()
            with self.engine.connect() as conn:
                values = [v for v in conn.execute(query).scalars() if v is not None]
            names = {str(v).strip() for v in values} - {""}
            return {stable_label_id(n): n for n in sorted(names)}
        names = self._category_names()
        if RowSpec(categories=names).integer_labels:
            return names
        return {stable_label_id(str(k).strip()): v for k, v in names.items()}

    def _where(
        self, watermark: Watermark | None, session: dict[str, str] | None = None
    ) -> list[sa.ColumnElement]:
        return where_clauses(self.source, self.columns, watermark, session)

    def _select(self, watermark: Watermark | None, session: dict[str, str] | None = None):
        columns = [self._col(c).label(c) for c in self.columns.ticket_columns()]
        query = sa.select(*columns).select_from(self.source.tickets)
        query = query.where(*self._where(watermark, session))
        return query.order_by(self._col("updated_at"), self._col("ticket_id"))

    def _canonical(self, frame: pd.DataFrame) -> pd.DataFrame:
        parts = [frame[c] for c in self.columns.ticket_columns() if c.startswith("body_")]
        frame = frame.assign(body=join_texts(parts))
        if "subject" not in frame.columns:
            frame["subject"] = None
        return frame.loc[:, list(CANONICAL)]

    def count_since(self, watermark: Watermark | None) -> tuple[int, int | str | None]:
        """(tickets after the watermark, their largest id): cheap, served by the index."""
        inner = self._select(watermark).order_by(None).subquery()
        query = sa.select(sa.func.count(), sa.func.max(inner.c.ticket_id))
        with self.engine.connect() as conn:
            count, max_id = conn.execute(query).one()
        if max_id is None:
            return int(count), None
        return int(count), (str(max_id) if self.text_ids else int(max_id))

    def label_counts_since(self, watermark: Watermark | None) -> dict[str, int]:
        """Tickets after the watermark per category name: one grouped count, for drift."""
        inner = self._select(watermark).order_by(None).subquery()
        query = sa.select(inner.c.label, sa.func.count()).group_by(inner.c.label)
        with self.engine.connect() as conn:
            rows = [(lab, n) for lab, n in conn.execute(query).all() if lab is not None]
        raw = pd.Series([lab for lab, _ in rows], dtype="object")
        _, names = self.row_spec().labels(raw)
        counts: dict[str, int] = {}
        for (lab, n), name in zip(rows, names, strict=True):
            key = str(lab) if pd.isna(name) else str(name)
            counts[key] = counts.get(key, 0) + int(n)
        return counts

    def created_between(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Tickets created in [start, end) (UTC), by id, labels as canonical queue ids
        (NA where unknown): one day of batch inference."""
        created = self._col("created_at")
        query = (
            sa.select(*(self._col(c).label(c) for c in self.columns.ticket_columns()))
            .where(created >= start, created < end, *self._where(None))
            .order_by(self._col("ticket_id"))
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        names = list(self.columns.ticket_columns())
        frame = self._canonical(pd.DataFrame.from_records(rows, columns=names))
        spec = self.row_spec()
        return frame.assign(
            ticket_id=spec.ticket_ids(frame["ticket_id"]), label=spec.labels(frame["label"])[0]
        )

    def stream(self, watermark: Watermark | None, chunk_rows: int) -> Iterator[pd.DataFrame]:
        """Tickets after `watermark`, ordered by (updated_at, ticket_id), in chunks."""
        if self.engine.dialect.name == "postgresql":
            session: dict[str, str] = {}
            query = self._select(watermark, session).compile(dialect=self.engine.dialect)
            for chunk in stream_copy(self.engine.url, str(query), session, chunk_rows):
                yield self._canonical(chunk)
            return
        query = self._select(watermark)
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(
                query
            )
            for rows in result.partitions():
                yield self._canonical(pd.DataFrame.from_records(rows, columns=list(result.keys())))


def _read_only_options(url: str) -> dict[str, Any]:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # Read-only transactions: gata can never change the help desk's data.
        return {"execution_options": {"postgresql_readonly": True}, "pool_pre_ping": True}
    return {}
