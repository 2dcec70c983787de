"""`GATA_TICKET_FILTER`: which tickets gata reads, as column=value conditions.

`status=closed,resolved;brand_id=3` keeps the tickets whose status is closed or resolved and
whose brand is 3: values of one column are alternatives, `;` joins columns. Only the syntax
is checked here; the reader checks the column names against the table and binds every value
as a parameter, so a filter can never become SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from gata_assets.core.errors import GataInputError


@dataclass(frozen=True)
class Condition:
    column: str
    values: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.column} in ({', '.join(self.values)})"


def parse_ticket_filter(raw: str) -> tuple[Condition, ...]:
    """The conditions of a filter string; an empty string keeps every ticket."""
    conditions: list[Condition] = []
    for part in (p.strip() for p in raw.split(";")):
        if not part:
            continue
        column, sep, values = part.partition("=")
        column = column.strip()
        kept = tuple(v.strip() for v in values.split(",") if v.strip())
        if not sep or not column or not kept:
            raise GataInputError(
                f"GATA_TICKET_FILTER part {part!r} is not column=value[,value...] "
                "(example: status=closed,resolved;brand_id=3)"
            )
        if any(c.column == column for c in conditions):
            raise GataInputError(
                f"GATA_TICKET_FILTER names column {column!r} twice: list its values once, "
                "separated by commas"
            )
        conditions.append(Condition(column, kept))
    return tuple(conditions)
