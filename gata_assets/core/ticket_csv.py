"""Reading a labelled CSV export record by record, each with the source lines it came from.

A broken quote folds every line up to the next quote into one record; reporting the record
alone hides how much of the file it swallowed, so every record carries its first and last
line and the import counts lines as well as records. A field over `MAX_FIELD_BYTES` is that
record's problem, not the file's: the csv module's own limit (the same 128 KB) would abort
the whole read, so it is raised to `READ_LIMIT_CHARS` while reading (a memory bound for a
quote that never closes) and the record is rejected as `field_too_large` instead. Past even
that bound, or on a quote the parser cannot make sense of, the lines read so far become one
rejected record (its raw text kept) and reading goes on from the next line, where the parser
starts afresh.
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gata_assets.core import csv_output
from gata_assets.core.errors import GataInputError

MAX_FIELD_BYTES = 128 * 1024
READ_LIMIT_CHARS = 16 * 1024 * 1024
FIELD_TOO_LARGE = "field_too_large"
BAD_QUOTING = "bad_quoting"
REJECT_COLUMNS = ("reason", "first_line", "last_line")


@dataclass(frozen=True)
class SourceRecord:
    fields: list[str]
    first_line: int
    last_line: int
    error: str | None = None
    """A reason the parser itself gave (the fields are then what could be recovered)."""

    @property
    def lines(self) -> int:
        return self.last_line - self.first_line + 1


@dataclass(frozen=True)
class CsvSource:
    header: list[str]
    header_lines: int
    records: list[SourceRecord]
    blank_lines: int
    """Empty lines between records: no record, but lines of the file all the same."""


def read_source(path: Path) -> CsvSource:
    """The header and every record of `path`, blank lines counted, never raising on a row."""
    with _read_limit(READ_LIMIT_CHARS):
        records, blank = [], 0
        for record in _records(path):
            if record.fields or record.error is not None:
                records.append(record)
            elif records:  # blank lines before the header belong to the header's lines
                blank += 1
    if not records or records[0].error or not any(f.strip() for f in records[0].fields):
        raise GataInputError(f"{path} is empty: expected a header row naming the columns")
    head = records[0]
    header = [name.strip() for name in head.fields]
    return CsvSource(header, head.last_line, records[1:], blank)


def oversized(fields: list[str]) -> bool:
    # A character is at most 4 bytes in UTF-8: only long fields need encoding to be sure.
    return any(
        len(f) > MAX_FIELD_BYTES // 4
        and len(f.encode("utf-8", "surrogateescape")) > MAX_FIELD_BYTES
        for f in fields
    )


def refuse_overwriting(path: Path, reject_path: Path) -> None:
    # samefile also catches a hard link or a symlink to the input under another name.
    same = path.resolve() == reject_path.resolve() or (
        reject_path.exists() and os.path.samefile(path, reject_path)
    )
    if same:
        raise GataInputError(
            f"--reject-file {reject_path} is the input file itself; "
            "name another file for the rejected rows"
        )


def write_rejects(path: Path, header: list[str], rejects: list[tuple[SourceRecord, str]]) -> None:
    """The reject file: reason and source lines first, then the record's fields as read.

    Where the record came from goes first, so a row with too many fields cannot push it out
    of line. Written even when empty, so a stale file from an earlier run never misleads.
    """
    rows = [[reason, r.first_line, r.last_line, *r.fields] for r, reason in rejects]
    csv_output.write_csv(path, [[*REJECT_COLUMNS, *header], *rows])


def _records(path: Path) -> Iterator[SourceRecord]:
    # surrogateescape keeps undecodable bytes as lone surrogates: the row can be rejected as
    # bad_encoding and the reject file still gets its original bytes back.
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        taken: list[str] = []  # the raw lines of the record being parsed
        # strict: text after a closing quote is an error, not glued onto the field, so a
        # broken quote is rejected instead of becoming one ticket that swallowed several.
        reader = csv.reader((taken.append(line) or line for line in handle), strict=True)
        done = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                reason = FIELD_TOO_LARGE if "field limit" in str(error) else BAD_QUOTING
                # The raw lines, so the reject file still holds what the parser could not.
                yield SourceRecord(["".join(taken)], done + 1, reader.line_num, reason)
            else:
                yield SourceRecord(fields, done + 1, reader.line_num)
            done = reader.line_num
            taken.clear()


@contextlib.contextmanager
def _read_limit(chars: int) -> Iterator[None]:
    # The limit is process-wide in the csv module; restored as soon as the file is read.
    previous = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)
