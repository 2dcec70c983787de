"""The conditions every ticket query shares: GATA_TICKET_FILTER and the extract watermark.

Values are bound parameters in each column's own type (`brand_id=3` compares with the integer
3) or, on the PostgreSQL COPY path, session settings cast to that type (core/ticket_copy.py):
never SQL text. The watermark keeps the id's type: int64 ids compare as integers, text ids
(`ZD-10233`) as text, ordered by the database the same way the extract reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from gata_assets.core.errors import GataInputError
from gata_assets.core.schema import TicketColumnMap
from gata_assets.core.ticket_copy import session_value
from gata_assets.core.ticket_source import SourceTables
from gata_assets.options import flag


@dataclass(frozen=True)
class Watermark:
    """The last (updated_at, ticket_id) extracted: the next extract starts just after it."""

    updated_at: datetime
    ticket_id: int | str

    def as_dict(self) -> dict[str, Any]:
        return {"updated_at": self.updated_at.isoformat(), "ticket_id": self.ticket_id}

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> Watermark | None:
        if not raw:
            return None
        ticket_id = raw["ticket_id"]
        ticket_id = ticket_id if isinstance(ticket_id, str) else int(ticket_id)
        return cls(pd.Timestamp(raw["updated_at"]).to_pydatetime(), ticket_id)


def where_clauses(
    source: SourceTables,
    columns: TicketColumnMap,
    watermark: Watermark | None,
    session: dict[str, str] | None = None,
) -> list[sa.ColumnElement]:
    """The filter and the watermark as conditions. Values are bound parameters or, on the
    COPY path (`session` given), session settings cast to the column's type."""

    def value(name: str, raw: Any, type_: sa.types.TypeEngine) -> sa.ColumnElement:
        if session is None:
            return sa.bindparam(name, raw, type_=type_)
        session[name] = raw.isoformat() if isinstance(raw, datetime) else str(raw)
        return session_value(name, type_)

    clauses: list[sa.ColumnElement] = []
    for i, condition in enumerate(source.conditions):
        column = source.columns[condition.column]
        kept = [
            value(f"f{i}_{j}", _typed(condition.column, v, column.type), column.type)
            for j, v in enumerate(condition.values)
        ]
        clauses.append(column.in_(kept))
    if watermark is not None:
        updated = source.columns[columns.updated_at]
        ticket_id = source.columns[columns.ticket_id]
        wm_time = value("wm_time", watermark.updated_at, updated.type)
        wm_id = value("wm_id", _mark_id(watermark, source, columns), ticket_id.type)
        clauses.append(sa.or_(updated > wm_time, sa.and_(updated == wm_time, ticket_id > wm_id)))
    return clauses


def _mark_id(watermark: Watermark, source: SourceTables, columns: TicketColumnMap) -> int | str:
    if not source.is_integer(columns.ticket_id):
        return str(watermark.ticket_id)
    try:
        return int(watermark.ticket_id)
    except ValueError:
        raise GataInputError(
            f"the last extract's watermark id {watermark.ticket_id!r} is text but the id "
            f"column {columns.ticket_id!r} is an integer: run a full refresh"
        ) from None


def _typed(column: str, raw: str, type_: sa.types.TypeEngine) -> Any:
    """A filter value in its column's type: `brand_id=3` compares with the integer 3."""
    try:
        if isinstance(type_, sa.Integer):
            return int(raw)
        if isinstance(type_, sa.Boolean):
            return flag(raw)
    except ValueError:
        raise GataInputError(
            f"GATA_TICKET_FILTER value {raw!r} does not fit column {column!r} "
            f"({type_.__class__.__name__.lower()})"
        ) from None
    return raw
