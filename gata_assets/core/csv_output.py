"""Everything gata writes as CSV goes through here: formula cells neutralised, files atomic.

A CSV that a person opens in a spreadsheet runs any cell that starts with `=`, `+`, `-` or
`@` as a formula (`=HYPERLINK(...)` phishes, `=cmd|' /C calc'!A0` runs a program), and a
leading tab or carriage return hides such a prefix from naive filters. Ticket text and
labels come from customers, so OWASP's advice is applied to every cell: prefix a single
quote, which spreadsheets show and never evaluate. The csv module already quotes cells with
commas, quotes or newlines. A file is written beside its target and renamed into place, so a
failed write never leaves half a file where the last good one was.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    """The cell as text, with a quote in front when a spreadsheet would read a formula."""
    text = "" if cell is None else str(cell)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def write_csv(path: str | Path, rows: Iterable[Iterable[object]]) -> Path:
    """Write `rows` (header first) to `path` atomically, every cell neutralised.

    surrogateescape: bytes an input could not decode go back out exactly as they came in.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        with open(staging, "w", encoding="utf-8", errors="surrogateescape", newline="") as out:
            writer = csv.writer(out)
            writer.writerows([neutralise(cell) for cell in row] for row in rows)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    return path
