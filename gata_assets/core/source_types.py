"""Column types a mapping needs, judged from the reflected schema (no rows read).

On PostgreSQL a watermark column that is not a timestamp cannot be compared with the
watermark at all, so that is an error there; SQLite stores timestamps as text anyway, so
there it is only a reminder. Everything else gata can read, but some choices deserve a line.
"""

from __future__ import annotations

import sqlalchemy as sa

from gata_assets.core.schema import TicketColumnMap
from gata_assets.core.ticket_source import SourceTables

_TIME = (sa.DateTime, sa.Date)


def _name(type_: sa.types.TypeEngine) -> str:
    try:
        return str(type_).lower()
    except Exception:  # a dialect type without a generic rendering
        return type_.__class__.__name__.lower()


def type_findings(source: SourceTables, columns: TicketColumnMap) -> tuple[list[str], list[str]]:
    """(errors, warnings) about the mapped columns' database types."""
    errors: list[str] = []
    warnings: list[str] = []
    types = source.types
    sqlite = source.dialect == "sqlite"
    for column in (columns.created_at, columns.updated_at):
        if isinstance(types[column], _TIME):
            continue
        sentence = f"column {column!r} is {_name(types[column])}, not a timestamp"
        if sqlite:
            warnings.append(f"{sentence}: its values must be ISO-8601 timestamps")
        else:
            errors.append(f"{sentence}: the extract cannot compare it with its watermark")
    id_type = types[columns.ticket_id]
    if not isinstance(id_type, sa.Integer | sa.String):
        warnings.append(
            f"id column {columns.ticket_id!r} is {_name(id_type)}: its ids are read as text"
        )
    for column in (columns.subject.strip(), *columns.body_columns()):
        if column and not isinstance(types[column], sa.String | sa.types.NullType):
            warnings.append(f"text column {column!r} is {_name(types[column])}, not text")
    if not columns.has_category_table and isinstance(types[columns.label], sa.Integer):
        warnings.append(
            f"label column {columns.label!r} holds integers but no categories table is mapped "
            "(GATA_COLUMN_CATEGORY_TABLE is empty): the numbers become the category names"
        )
    return errors, warnings
