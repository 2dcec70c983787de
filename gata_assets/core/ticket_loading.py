"""Writing tickets into the default schema: the generated sample, and labelled CSV exports.

Both paths end in one insert helper so PostgreSQL always gets COPY (a million rows in
seconds, where row-by-row INSERTs take minutes) while SQLite keeps batched inserts.
An import never loses a row silently: each row is imported, recognised as imported before
(its `source_key` is already stored, so re-running an import is safe), or written to the
reject file with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from gata_assets.core import ticket_tables
from gata_assets.core.errors import GataInputError

_COPY_COLUMNS = ("ticket_id", "created_at", "updated_at", "subject", "body", "category_id")
_BATCH = 50_000


@dataclass(frozen=True)
class ImportReport:
    imported: int
    duplicates_skipped: int
    rejected: dict[str, int]
    reject_path: Path


def load_into_database(engine: sa.Engine, frame: pd.DataFrame) -> int:
    """Insert a `sample_data` frame (category names, ticket ids kept) in one transaction."""
    ticket_tables.create_schema(engine)
    with engine.begin() as conn:
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
) -> ImportReport:
    """Import a labelled CSV; rows that cannot be used go to `reject_path` with a reason."""
    path, reject_path = Path(path), Path(reject_path)
    rows = _read_rows(path)
    header = [name.strip() for name in next(rows, None) or []]
    if not header:
        raise GataInputError(f"{path} is empty: expected a header row naming the columns")
    wanted = [c for c in (text_column, label_column, subject_column) if c]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise GataInputError(
            f"{path} has no column {', '.join(map(repr, missing))}; "
            f"its columns are: {', '.join(header)}"
        )
    text_at, label_at = header.index(text_column), header.index(label_column)
    subject_at = header.index(subject_column) if subject_column else None

    accepted: list[tuple[str, str, str, str]] = []  # (source_key, text, label, subject)
    rejects: list[tuple[list[str], str]] = []
    seen: Counter[tuple[str, str]] = Counter()
    for fields in rows:
        reason = _reject_reason(fields, len(header), text_at, label_at)
        if reason:
            rejects.append((fields, reason))
            continue
        text, label = fields[text_at], fields[label_at].strip()
        accepted.append((_source_key(text, label, seen), text, label, _at(fields, subject_at)))
    _write_rejects(reject_path, header, rejects)

    ticket_tables.create_schema(engine)
    with engine.begin() as conn:
        known = ticket_tables.existing_source_keys(conn, [row[0] for row in accepted])
        fresh = [row for row in accepted if row[0] not in known]
        ids = ticket_tables.ensure_categories(conn, {label for _, _, label, _ in fresh})
        first_id, now = ticket_tables.next_ticket_id(conn), datetime.now(UTC)
        values = [
            (first_id + i, now, now, subject, text, ids[label], key)
            for i, (key, text, label, subject) in enumerate(fresh)
        ]
        _insert(conn, (*_COPY_COLUMNS, "source_key"), values)
    rejected = dict(sorted(Counter(reason for _, reason in rejects).items()))
    return ImportReport(len(fresh), len(accepted) - len(fresh), rejected, reject_path)


def _read_rows(path: Path) -> Iterator[list[str]]:
    # surrogateescape keeps undecodable bytes as lone surrogates: the row can be rejected as
    # bad_encoding and the reject file still gets its original bytes back.
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        try:
            # A blank line is no row at all (trailing newlines), so it is not counted.
            yield from (fields for fields in csv.reader(handle) if fields)
        except csv.Error as error:
            raise GataInputError(f"{path} is not a readable CSV file: {error}") from None


def _reject_reason(fields: list[str], width: int, text_at: int, label_at: int) -> str | None:
    if len(fields) != width:
        return "wrong_field_count"
    try:
        "".join(fields).encode("utf-8")
    except UnicodeEncodeError:
        return "bad_encoding"
    if not fields[text_at].strip():
        return "missing_text"
    if not fields[label_at].strip():
        return "missing_label"
    return None


def _source_key(text: str, label: str, seen: Counter[tuple[str, str]]) -> str:
    """Content, not file or line: the same export re-imported maps onto the same keys.

    The occurrence index keeps genuinely repeated tickets (same text, same label) apart.
    """
    normal = " ".join(unicodedata.normalize("NFC", text).split())
    occurrence = seen[normal, label]
    seen[normal, label] += 1
    payload = f"{normal}\x1f{label}\x1f{occurrence}".encode()
    return hashlib.sha256(payload).hexdigest()


def _at(fields: list[str], index: int | None) -> str:
    return "" if index is None else fields[index]


def _write_rejects(path: Path, header: list[str], rejects: list[tuple[list[str], str]]) -> None:
    # Written even when empty, so a stale file from an earlier run never misleads.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, "reason"])
        for fields, reason in rejects:
            # Short rows are padded so `reason` lines up with its column.
            writer.writerow([*fields, *[""] * (len(header) - len(fields)), reason])


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
