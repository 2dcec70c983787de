"""What the configured help-desk schema looks like: reflected once, checked, typed.

The reader and `gata source check` share this. Reflection finds tables and views in the
configured schema, names every missing table or column with the closest existing name, and
keeps each column's database type: the watermark and the filter values are bound (or cast, on
the PostgreSQL COPY path) in the column's own type, and an integer id column keeps int64 ids
while any other id column gives text ids.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import sqlalchemy as sa

from gata_assets.core.errors import GataInputError
from gata_assets.core.schema import TicketColumnMap
from gata_assets.core.ticket_filter import Condition, parse_ticket_filter


@dataclass(frozen=True)
class SourceTables:
    tickets: sa.TableClause
    categories: sa.TableClause | None
    types: dict[str, sa.types.TypeEngine]
    """Reflected type of every ticket-table column, by database name."""
    conditions: tuple[Condition, ...]
    dialect: str = ""

    @property
    def columns(self) -> sa.ColumnCollection:
        return self.tickets.c

    def is_integer(self, column: str) -> bool:
        return isinstance(self.types.get(column), sa.Integer)


def safe_url(url: str | sa.URL) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


def closest(name: str, names: list[str] | set[str]) -> str:
    """` (closest: x)` for the sentence naming a missing name, or nothing."""
    match = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.5)
    return f" (closest: {match[0]})" if match else ""


def _relations(inspector: sa.Inspector, schema: str | None) -> set[str]:
    return set(inspector.get_table_names(schema=schema)) | set(
        inspector.get_view_names(schema=schema)
    )


def schema_problems(engine: sa.Engine, columns: TicketColumnMap) -> list[str]:
    """Every missing schema, table or column, one sentence each (empty: the mapping fits)."""
    return _inspect(engine, columns)[0]


def reflect_source(engine: sa.Engine, columns: TicketColumnMap) -> SourceTables:
    """The typed tables, or a GataInputError naming everything that does not fit."""
    problems, reflected = _inspect(engine, columns)
    if problems:
        raise GataInputError(
            f"{'; '.join(problems)}: run `gata seed`, or map your schema with the "
            "GATA_COLUMN_* settings and check it with `gata source check`"
        )
    return _build(columns, reflected, engine.dialect.name)


def _inspect(
    engine: sa.Engine, columns: TicketColumnMap
) -> tuple[list[str], dict[str, dict[str, sa.types.TypeEngine]]]:
    schema = columns.table_schema.strip() or None
    conditions = parse_ticket_filter(columns.ticket_filter)
    try:
        inspector = sa.inspect(engine)
        if schema and schema not in inspector.get_schema_names():
            found = inspector.get_schema_names()
            return [f"ticket database has no schema {schema!r}{closest(schema, found)}"], {}
        relations = _relations(inspector, schema)
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise GataInputError(
            f"ticket database unreachable at {safe_url(engine.url)}: {reason}"
        ) from None
    wanted = {columns.ticket_table: [*columns.ticket_columns().values()]}
    wanted[columns.ticket_table] += [c.column for c in conditions]
    if columns.has_category_table:
        wanted[columns.category_table] = [columns.category_id, columns.category_name]
    where = f" in schema {schema!r}" if schema else ""
    problems: list[str] = []
    reflected: dict[str, dict[str, sa.types.TypeEngine]] = {}
    for table, needed in wanted.items():
        if table not in relations:
            problems.append(
                f"ticket database {safe_url(engine.url)} has no table or view {table!r}{where}"
                f"{closest(table, relations)}"
            )
            continue
        present = {c["name"]: c["type"] for c in inspector.get_columns(table, schema=schema)}
        reflected[table] = present
        for column in dict.fromkeys(needed):
            if column not in present:
                problems.append(
                    f"table {table!r} has no column {column!r}{closest(column, present)}"
                )
    return problems, reflected


def _build(
    columns: TicketColumnMap, reflected: dict[str, dict[str, sa.types.TypeEngine]], dialect: str
) -> SourceTables:
    schema = columns.table_schema.strip() or None
    types = reflected[columns.ticket_table]
    # Timestamps are bound as aware datetimes whatever the column's declared type, so each
    # dialect converts the watermark the way it stores timestamps.
    stamp = sa.DateTime(timezone=True)
    overrides = {columns.created_at: stamp, columns.updated_at: stamp}
    names = dict.fromkeys([*columns.ticket_columns().values()])
    conditions = parse_ticket_filter(columns.ticket_filter)
    names |= dict.fromkeys(c.column for c in conditions)
    tickets = sa.table(
        columns.ticket_table,
        *(sa.column(n, overrides.get(n, types[n])) for n in names),
        schema=schema,
    )
    categories = None
    if columns.has_category_table:
        category_types = reflected[columns.category_table]
        categories = sa.table(
            columns.category_table,
            sa.column(columns.category_id, category_types[columns.category_id]),
            sa.column(columns.category_name, category_types[columns.category_name]),
            schema=schema,
        )
    return SourceTables(tickets, categories, dict(types), conditions, dialect)
