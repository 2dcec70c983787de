"""Writing tickets into the default schema: the generated sample, and labelled CSV exports.

Both paths end in one insert helper so PostgreSQL always gets COPY (a million rows in
seconds, where row-by-row INSERTs take minutes) while SQLite keeps batched inserts.
An import never loses a row silently: each record is imported, recognised as imported before
(its `source_key` is already stored, so re-running an import is safe), or written to the
reject file with the reason and its source lines; the report counts records and lines, and
both add up to what was read.

A ticket's identity is its source row, never its content: with an id column, the id; without
one, the file's bytes (their hash, so a moved or renamed copy is the same file) and the
record's number in it. The same text and label in January's and February's exports are two
tickets; exports that overlap should name their id column so the overlap is recognised.
Writers take the database's writer lock (`ticket_tables.lock_for_writing`), so concurrent
imports wait their turn instead of colliding on ticket ids.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from gata_assets.core import ticket_csv, ticket_tables
from gata_assets.core.errors import GataInputError
from gata_assets.core.hashing import sha256_file
from gata_assets.core.ticket_csv import SourceRecord

_COPY_COLUMNS = ("ticket_id", "created_at", "updated_at", "subject", "body", "category_id")
_BATCH = 50_000


@dataclass(frozen=True)
class ImportReport:
    imported: int
    duplicates_skipped: int
    rejected: dict[str, int]
    reject_path: Path
    lines_read: int = 0
    """Lines after the header; = imported_lines + skipped_lines + rejected_lines + blank."""
    imported_lines: int = 0
    skipped_lines: int = 0
    rejected_lines: int = 0
    blank_lines: int = 0

    @property
    def records_read(self) -> int:
        return self.imported + self.duplicates_skipped + sum(self.rejected.values())


@dataclass(frozen=True)
class _Columns:
    width: int
    text: int
    label: int
    subject: int | None
    id: int | None


def load_into_database(engine: sa.Engine, frame: pd.DataFrame) -> int:
    """Insert a `sample_data` frame (category names, ticket ids kept) in one transaction."""
    with engine.begin() as conn:
        ticket_tables.lock_for_writing(conn)
        ids = ticket_tables.ensure_categories(conn, frame["category"].unique().tolist())
        columns = [
            frame["ticket_id"].astype("int64").tolist(),
            # Plain datetimes: both psycopg and SQLAlchemy's SQLite type know them.
            frame["created_at"].dt.tz_convert("UTC").dt.to_pydatetime().tolist(),
            frame["updated_at"].dt.tz_convert("UTC").dt.to_pydatetime().tolist(),
            frame["subject"].tolist(),
            frame["body"].tolist(),
            frame["category"].map(ids).astype("int64").tolist(),
        ]
        return _insert(conn, _COPY_COLUMNS, list(zip(*columns, strict=True)))


def import_csv(
    engine: sa.Engine,
    path: str | Path,
    text_column: str,
    label_column: str,
    subject_column: str | None = None,
    *,
    reject_path: str | Path,
    id_column: str | None = None,
) -> ImportReport:
    """Import a labelled CSV; rows that cannot be used go to `reject_path` with a reason."""
    path, reject_path = Path(path), Path(reject_path)
    ticket_csv.refuse_overwriting(path, reject_path)
    source = ticket_csv.read_source(path)
    at = _columns(path, source.header, text_column, label_column, subject_column, id_column)
    file_hash = None if id_column else sha256_file(path)

    accepted: dict[str, tuple[SourceRecord, str, str, str]] = {}  # key -> record, text...
    repeated: list[SourceRecord] = []  # an id seen earlier in this same file
    rejects: list[tuple[SourceRecord, str]] = []
    for number, record in enumerate(source.records, start=1):
        reason = _reject_reason(record, at)
        if reason:
            rejects.append((record, reason))
            continue
        fields = record.fields
        key = _source_key(fields[at.id] if at.id is not None else None, file_hash, number)
        if key in accepted:
            repeated.append(record)
            continue
        subject = "" if at.subject is None else fields[at.subject]
        accepted[key] = (record, fields[at.text], fields[at.label].strip(), subject)
    ticket_csv.write_rejects(reject_path, source.header, rejects)

    with engine.begin() as conn:
        ticket_tables.lock_for_writing(conn)
        known = ticket_tables.existing_source_keys(conn, list(accepted))
        fresh = [(key, *row) for key, row in accepted.items() if key not in known]
        ids = ticket_tables.ensure_categories(conn, {row[3] for row in fresh})
        first_id, now = ticket_tables.next_ticket_id(conn), datetime.now(UTC)
        values = [
            (first_id + i, now, now, subject, text, ids[label], key)
            for i, (key, _, text, label, subject) in enumerate(fresh)
        ]
        _insert(conn, (*_COPY_COLUMNS, "source_key"), values)
    skipped = repeated + [row[0] for key, row in accepted.items() if key in known]
    return ImportReport(
        imported=len(fresh),
        duplicates_skipped=len(skipped),
        rejected=dict(sorted(Counter(reason for _, reason in rejects).items())),
        reject_path=reject_path,
        lines_read=sum(r.lines for r in source.records) + source.blank_lines,
        imported_lines=sum(row[1].lines for row in fresh),
        skipped_lines=sum(r.lines for r in skipped),
        rejected_lines=sum(r.lines for r, _ in rejects),
        blank_lines=source.blank_lines,
    )


def _columns(
    path: Path, header: list[str], text: str, label: str, subject: str | None, id_: str | None
) -> _Columns:
    wanted = [c for c in (text, label, subject, id_) if c]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise GataInputError(
            f"{path} has no column {', '.join(map(repr, missing))}; "
            f"its columns are: {', '.join(header)}"
        )
    return _Columns(
        width=len(header),
        text=header.index(text),
        label=header.index(label),
        subject=header.index(subject) if subject else None,
        id=header.index(id_) if id_ else None,
    )


def _reject_reason(record: SourceRecord, at: _Columns) -> str | None:
    fields = record.fields
    if record.error:
        return record.error
    if ticket_csv.oversized(fields):
        return ticket_csv.FIELD_TOO_LARGE
    if len(fields) != at.width:
        return "wrong_field_count"
    try:
        "".join(fields).encode("utf-8")
    except UnicodeEncodeError:
        return "bad_encoding"
    if not fields[at.text].strip():
        return "missing_text"
    if not fields[at.label].strip():
        return "missing_label"
    if at.id is not None and not fields[at.id].strip():
        return "missing_id"
    return None


def _source_key(ticket_id: str | None, file_hash: str | None, number: int) -> str:
    """The help desk's id when there is one, else this file's bytes and the record's number."""
    if ticket_id is not None:
        payload = f"id\x1f{ticket_id.strip()}"
    else:
        payload = f"row\x1f{file_hash}\x1f{number}"
    return hashlib.sha256(payload.encode("utf-8", "surrogateescape")).hexdigest()


def _insert(conn: sa.Connection, columns: Sequence[str], rows: list[tuple]) -> int:
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY tickets ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    for start in range(0, len(rows), _BATCH):
        batch = [dict(zip(columns, row, strict=True)) for row in rows[start : start + _BATCH]]
        ticket_tables.insert_tickets(conn, batch)
    return len(rows)
