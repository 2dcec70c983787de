"""`gata source check`: what the first extract would meet, before it runs.

Everything is measured by the database (a handful of aggregate queries: counts, one GROUP BY
label, min/max of the watermark column), so a million-row desk is checked in seconds and no
ticket text ever reaches Python. Each finding is one sentence; an `error` is anything that
would stop the extract (a missing table or column, a filter that does not fit, no usable
ticket), a `warning` what would only lose or weaken data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from gata_assets.core.errors import GataInputError
from gata_assets.core.source_types import type_findings
from gata_assets.core.ticket_reader import TicketReader
from gata_assets.core.ticket_source import schema_problems


@dataclass
class SourceReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    distribution: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_source(reader: TicketReader, min_general_examples: int) -> SourceReport:
    report = SourceReport()
    try:
        report.errors += schema_problems(reader.engine, reader.columns)
        if report.errors:
            return report
        source = reader.source
    except GataInputError as error:  # unreachable, or a filter that does not parse
        report.errors.append(str(error))
        return report
    errors, warnings = type_findings(source, reader.columns)
    report.errors += errors
    report.warnings += warnings
    if report.errors:
        return report
    try:
        _measure(reader, min_general_examples, report)
    except GataInputError as error:  # a filter value that does not fit its column
        report.errors.append(str(error))
    return report


def _blank(column: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.trim(sa.cast(column, sa.Text)), "") == ""


def _measure(reader: TicketReader, min_general: int, report: SourceReport) -> None:
    columns, source = reader.columns, reader.source
    col = source.columns
    texts = [col[c] for c in (columns.subject.strip(), *columns.body_columns()) if c]
    updated, ticket_id = col[columns.updated_at], col[columns.ticket_id]
    empty_text = sa.and_(*(_blank(c) for c in texts))
    summary = sa.select(
        sa.func.count(),
        sa.func.sum(sa.case((empty_text, 1), else_=0)),
        sa.func.sum(sa.case((_blank(col[columns.label]), 1), else_=0)),
        sa.func.sum(sa.case((updated.is_(None), 1), else_=0)),
        sa.func.min(updated),
        sa.func.max(updated),
        sa.func.count(sa.distinct(ticket_id)),
    ).where(*reader._where(None))
    grouped = (
        sa.select(col[columns.label], sa.func.count())
        .where(*reader._where(None), sa.not_(_blank(col[columns.label])))
        .group_by(col[columns.label])
    )
    with reader.engine.connect() as conn:
        total = int(conn.execute(sa.select(sa.func.count()).select_from(source.tickets)).scalar())
        kept, empty, unlabelled, no_stamp, first, last, distinct = conn.execute(summary).one()
        labels = conn.execute(grouped).all()
    kept, empty, unlabelled, no_stamp = (int(v or 0) for v in (kept, empty, unlabelled, no_stamp))
    report.facts.append(f"{total:,} tickets in {columns.ticket_table!r}")
    if source.conditions:
        described = " and ".join(c.describe() for c in source.conditions)
        report.facts.append(f"the filter ({described}) keeps {kept:,} of them")
    if kept == 0:
        report.errors.append("no ticket to extract: the table is empty or the filter keeps none")
        return
    _share(report, empty, kept, "have no text (every text column empty)")
    _share(report, unlabelled, kept, "have no label")
    _share(report, no_stamp, kept, f"have no {columns.updated_at} (quarantined as bad_timestamp)")
    if distinct < kept - no_stamp:
        report.warnings.append(
            f"{kept - distinct:,} tickets repeat an id already used: only the first is kept"
        )
    report.facts.append(f"watermark column {columns.updated_at!r} runs from {first} to {last}")
    _labels(reader, labels, min_general, report)


def _share(report: SourceReport, count: int, kept: int, what: str) -> None:
    if count:
        report.warnings.append(
            f"{count:,} of {kept:,} tickets ({count / kept:.1%}) {what}: they are quarantined"
        )


def _labels(reader: TicketReader, rows: list, min_general: int, report: SourceReport) -> None:
    import pandas as pd

    raw = pd.Series([value for value, _ in rows], dtype="object")
    _, names = reader.row_spec().labels(raw)
    unknown = 0
    for (_, count), name in zip(rows, names, strict=True):
        if pd.isna(name):
            unknown += int(count)
        else:
            report.distribution[str(name)] = report.distribution.get(str(name), 0) + int(count)
    report.distribution = dict(sorted(report.distribution.items(), key=lambda kv: -kv[1]))
    if unknown:
        table = reader.columns.category_table
        report.warnings.append(
            f"{unknown:,} tickets have a label that {table!r} does not know: they are quarantined"
        )
    if not report.distribution:
        report.errors.append("no ticket has a usable label: the extract would hold nothing")
        return
    low = [n for n, c in report.distribution.items() if c < min_general]
    report.facts.append(f"{len(report.distribution)} categories")
    if low:
        report.facts.append(
            f"{len(low)} low-volume categories (fewer than {min_general} tickets, routed by the "
            f"low-volume model): {', '.join(low)}"
        )
    if len(report.distribution) - len(low) < 2:
        report.warnings.append(
            f"only {len(report.distribution) - len(low)} categories have {min_general} tickets "
            "or more: the general model has little to learn (see GATA_MIN_GENERAL_EXAMPLES)"
        )
