"""`import_csv` never loses or corrupts a ticket: every record and every line is accounted for.

Each test names the way an import used to go wrong (issue 16): a broken quote hiding how
much it swallowed, one huge field aborting the file, identical tickets in two exports
merged into one, the reject file overwriting the input.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from gata_assets.core import ticket_csv
from gata_assets.core.errors import GataInputError
from gata_assets.core.ticket_loading import ImportReport, import_csv

HEADER = b"text,category,subject\n"


@pytest.fixture
def engine(tmp_path: Path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tickets.db'}")
    yield engine
    engine.dispose()


def run(engine: sa.Engine, path: Path, **kwargs) -> ImportReport:
    rejects = kwargs.pop("reject_path", path.with_name(f"{path.stem}-rejects.csv"))
    report = import_csv(engine, path, "text", "category", "subject", reject_path=rejects, **kwargs)
    assert_accounted(report, path)
    return report


def assert_accounted(report: ImportReport, path: Path) -> None:
    """Rows in = imported + skipped + rejected, by record and by line."""
    records = report.imported + report.duplicates_skipped + sum(report.rejected.values())
    assert report.records_read == records
    data = path.read_bytes()
    physical = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    assert report.lines_read == physical - 1  # everything after the one-line header
    parts = report.imported_lines + report.skipped_lines + report.rejected_lines
    assert report.lines_read == parts + report.blank_lines


def reject_rows(report: ImportReport) -> list[list[str]]:
    raw = report.reject_path.read_bytes().decode("utf-8", "surrogateescape")
    previous = csv.field_size_limit(1 << 24)  # rejected fields may be huge
    try:
        return list(csv.reader(io.StringIO(raw, newline="")))
    finally:
        csv.field_size_limit(previous)


def stored(engine: sa.Engine) -> list[tuple[str, str]]:
    query = "SELECT body, c.name FROM tickets JOIN categories c USING (category_id) ORDER BY 1"
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(query))]


def test_broken_quote_reports_the_lines_it_swallowed(engine, tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        HEADER + b"fine one,billing,s\n"
        b'"broken quote starts here,billing,s\n'  # line 3: the quote never closes...
        b"swallowed line,billing,s\n"
        b"\n"
        b'another swallowed,billing,s" and more,billing,s\n'  # ...until line 6
        b"fine two,billing,s\n"
    )
    report = run(engine, path)
    assert report.imported == 2 and report.rejected == {"bad_quoting": 1}
    assert (report.imported_lines, report.rejected_lines, report.lines_read) == (2, 4, 6)
    assert sorted(body for body, _ in stored(engine)) == ["fine one", "fine two"]
    header, row = reject_rows(report)
    assert header[:3] == ["reason", "first_line", "last_line"]
    assert row[:3] == ["bad_quoting", "3", "6"]
    assert row[3].startswith('"broken quote starts here') and "\nswallowed line," in row[3]


def test_a_quote_open_until_the_end_is_one_rejected_record(engine, tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_bytes(HEADER + b"fine,billing,s\n" + b'"open,billing,s\n' + b"x,billing,s\n" * 5)
    report = run(engine, path)
    assert report.imported == 1 and report.rejected == {"bad_quoting": 1}
    assert reject_rows(report)[1][:3] == ["bad_quoting", "3", "8"]


def test_a_field_over_128_kb_rejects_only_its_row(engine, tmp_path: Path):
    path = tmp_path / "export.csv"
    big = b"x" * (ticket_csv.MAX_FIELD_BYTES + 1)
    multiline = b'"' + b"y\n" * 70_000 + b'"'  # 140 KB spread over 70,000 lines
    path.write_bytes(
        HEADER + b"before,billing,s\n" + big + b",billing,s\n" + multiline + b",billing,s\n"
        b"after,billing,s\n"
    )
    report = run(engine, path)
    assert report.imported == 2 and report.rejected == {"field_too_large": 2}
    assert sorted(body for body, _ in stored(engine)) == ["after", "before"]
    rows = reject_rows(report)[1:]
    assert [row[:3] for row in rows] == [
        ["field_too_large", "3", "3"],
        ["field_too_large", "4", "70004"],
    ]
    assert rows[0][3] == big.decode()  # the rejected text kept whole, to fix and re-import
    assert csv.field_size_limit() == 131072  # the process-wide limit is restored


def test_a_field_past_the_read_limit_is_rejected_and_reading_goes_on(
    engine, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(ticket_csv, "READ_LIMIT_CHARS", 1000)
    path = tmp_path / "export.csv"
    path.write_bytes(HEADER + b"z" * 5000 + b",billing,s\nafter,billing,s\n")
    report = run(engine, path)
    assert report.imported == 1 and report.rejected == {"field_too_large": 1}
    assert reject_rows(report)[1][:3] == ["field_too_large", "2", "2"]


def test_same_text_and_label_in_two_exports_are_two_tickets(engine, tmp_path: Path):
    january, february = tmp_path / "january.csv", tmp_path / "february.csv"
    january.write_bytes(HEADER + b"My card is blocked,cards,s\nRefund please,billing,s\n")
    february.write_bytes(HEADER + b"My card is blocked,cards,s\nNew address,account,s\n")
    assert run(engine, january).imported == 2
    assert run(engine, february).imported == 2
    assert [body for body, _ in stored(engine)].count("My card is blocked") == 2
    again = run(engine, february)  # the same file re-run: nothing new
    assert (again.imported, again.duplicates_skipped, again.skipped_lines) == (0, 2, 2)
    moved = tmp_path / "elsewhere" / "feb-copy.csv"
    moved.parent.mkdir()
    moved.write_bytes(february.read_bytes())  # the same bytes under another name
    assert run(engine, moved).imported == 0
    assert len(stored(engine)) == 4


def test_an_id_column_recognises_a_ticket_across_files(engine, tmp_path: Path):
    header = b"id,text,category,subject\n"
    january, february = tmp_path / "january.csv", tmp_path / "february.csv"
    january.write_bytes(header + b"ZD-1,Card blocked,cards,s\nZD-2,Refund,billing,s\n")
    # February's export overlaps January's (ZD-2) and repeats ZD-3 within the file.
    february.write_bytes(
        header + b"ZD-2,Refund,billing,s\nZD-3,Address,account,s\nZD-3,Address,account,s\n"
        b",No id,account,s\n"
    )
    assert run(engine, january, id_column="id").imported == 2
    report = run(engine, february, id_column="id")
    assert (report.imported, report.duplicates_skipped) == (1, 2)
    assert report.rejected == {"missing_id": 1}
    assert len(stored(engine)) == 3


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_reject_file_equal_to_the_input_is_refused(engine, tmp_path: Path, spelling: str):
    path = tmp_path / "export.csv"
    content = HEADER + b"a ticket,billing,s\n,billing,no text\n"
    path.write_bytes(content)
    reject = {
        "same": path,
        "dotted": tmp_path / "sub" / ".." / "export.csv",
        "symlink": tmp_path / "link.csv",
        "hardlink": tmp_path / "hard.csv",
    }[spelling]
    (tmp_path / "sub").mkdir()
    if spelling == "symlink":
        reject.symlink_to(path)
    if spelling == "hardlink":
        reject.hardlink_to(path)
    with pytest.raises(GataInputError, match="is the input file itself"):
        import_csv(engine, path, "text", "category", reject_path=reject)
    assert path.read_bytes() == content
    assert not sa.inspect(engine).has_table("tickets")


def test_formulas_in_rejected_rows_are_neutralised(engine, tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"text,=category,subject\n"
        b'"=HYPERLINK(""http://x.test"",""click"")",,s\n'
        b"=cmd|' /C calc'!A0,,+s\n"
        b"-2+3,,@SUM(A1)\n"
        b'"\tx",,"\rz"\n'
        b"safe text,,plain\n"
    )
    rejects = tmp_path / "rejects.csv"
    report = import_csv(engine, path, "text", "=category", "subject", reject_path=rejects)
    assert report.rejected == {"missing_label": 5}
    header, *rows = reject_rows(report)
    assert header == ["reason", "first_line", "last_line", "text", "'=category", "subject"]
    assert [row[3] for row in rows] == [
        '\'=HYPERLINK("http://x.test","click")',
        "'=cmd|' /C calc'!A0",
        "'-2+3",
        "'\tx",
        "safe text",
    ]
    assert [row[5] for row in rows] == ["s", "'+s", "'@SUM(A1)", "'\rz", "plain"]


def test_every_kind_of_row_adds_up_by_record_and_by_line(engine, tmp_path: Path):
    path = tmp_path / "export.csv"
    body = (
        b"good one,billing,s\n"
        b'"two\nlines",billing,s\n'
        b"\n"
        b",billing,no text\n"
        b"no label,,s\n"
        b"too,many,fields,here\n"
        b"caf\xe9,billing,latin-1\n" + b"w" * (ticket_csv.MAX_FIELD_BYTES + 1) + b",billing,s\n"
        b'"never closed,billing,s\nlast line,billing,s'  # no newline at the end
    )
    path.write_bytes(HEADER + body)
    first = run(engine, path)
    assert (first.imported, first.imported_lines, first.blank_lines) == (2, 3, 1)
    assert sum(first.rejected.values()) == 6 and first.rejected_lines == 7
    second = run(engine, path)
    assert (second.imported, second.duplicates_skipped, second.skipped_lines) == (0, 2, 3)
