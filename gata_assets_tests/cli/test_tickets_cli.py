"""`gata seed` and `gata import-tickets` against SQLite and a fresh PostgreSQL database.

Everything is read back through `TicketReader`, the pipeline's own reader: what these
commands write is only useful if the extract can read it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gata_assets.cli import app
from gata_assets.core.ticket_reader import TicketReader
from gata_assets_tests.pg import fresh_database

# The shared dataset lives beside the checkout (../shared), never inside the repository.
BANKING77 = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "banking77" / "train.csv"
GOOD_BODIES = {"My card has not arrived yet", "How do I reset my PIN?", "Line one\nline two, ok"}
MESSY_CSV = (
    b"text,category,subject\n"
    b"My card has not arrived yet,card_arrival,Card\n"
    b"My card has not arrived yet,card_arrival,Card\n"  # a real repeat: both are kept
    b"How do I reset my PIN?,pin_reset,PIN\n"
    b'"Line one\nline two, ok",pin_reset,Multi-line\n'
    b'"   ",card_arrival,blank text\n'
    b"Where is my refund?,,no label\n"
    b"too,many,fields,here\n"
    b"caf\xe9 au lait card,card_arrival,latin-1 byte\n"
)
EXPECTED_REJECTS = {"bad_encoding", "missing_label", "missing_text", "wrong_field_count"}


def invoke(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def read_back(url: str) -> tuple[dict[int, str], pd.DataFrame]:
    reader = TicketReader.from_url(url)
    try:
        reader.verify_schema()
        frames = list(reader.stream(None, 1000))
        return reader.categories(), pd.concat(frames, ignore_index=True)
    finally:
        reader.engine.dispose()


@pytest.fixture
def messy_csv(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(MESSY_CSV)
    return path


@pytest.fixture
def pg_url():
    with fresh_database() as url:  # gata_test_<hex>, dropped afterwards
        yield url


def test_seed_creates_the_expected_schema(gata_home: Path):
    result = invoke("seed")
    assert result.exit_code == 0, result.output
    assert "Seeded 3,000 tickets in 24 categories" in result.output
    assert "6 categories have under 40 tickets" in result.output
    names, tickets = read_back(f"sqlite:///{gata_home / 'tickets.db'}")
    assert len(names) >= 22 and "legal_hold" in names.values()
    assert len(tickets) == 3000 and tickets["ticket_id"].is_unique
    assert set(tickets["label"].astype(int)) <= set(names)
    assert tickets["body"].str.len().min() > 0


def test_seed_refuses_to_overwrite_unless_replace(gata_home: Path):
    assert invoke("seed", "--tickets", "200").exit_code == 0
    url = f"sqlite:///{gata_home / 'tickets.db'}"
    again = invoke("seed", "--tickets", "50")
    assert again.exit_code == 0 and "--replace" in again.output
    assert len(read_back(url)[1]) == 200
    replaced = invoke("seed", "--tickets", "50", "--seed", "2", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert len(read_back(url)[1]) == 50


def check_import(url: str, csv_path: Path, reject_path: Path) -> None:
    args = ["import-tickets", str(csv_path), "--text-column", "text", "--label-column", "category"]
    args += ["--subject-column", "subject", "--db-url", url, "--reject-file", str(reject_path)]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "Imported:            4" in first.output
    assert "Rejected:            4" in first.output
    for reason in EXPECTED_REJECTS:
        assert f"{reason}: 1" in first.output

    names, tickets = read_back(url)
    assert sorted(names.values()) == ["card_arrival", "pin_reset"]
    assert all(isinstance(i, int) for i in names)
    assert set(tickets["body"]) == GOOD_BODIES and len(tickets) == 4
    assert {names[int(label)] for label in tickets["label"]} == {"card_arrival", "pin_reset"}
    assert "Multi-line" in set(tickets["subject"])

    raw = reject_path.read_bytes()
    assert b"caf\xe9 au lait card" in raw  # the original bytes, not a lossy re-encoding
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8", "surrogateescape"), newline="")))
    assert rows[0] == ["reason", "first_line", "last_line", "text", "category", "subject"]
    assert {row[0] for row in rows[1:]} == EXPECTED_REJECTS
    assert ["wrong_field_count", "9", "9", "too", "many", "fields", "here"] in rows

    second = invoke(*args)
    assert second.exit_code == 0, second.output
    assert "Imported:            0" in second.output
    assert "Duplicates skipped:  4 (5 lines; imported before)" in second.output
    assert len(read_back(url)[1]) == 4


def test_import_sqlite_counts_rejects_and_dedupes(gata_home: Path, messy_csv: Path):
    check_import(f"sqlite:///{gata_home / 'tickets.db'}", messy_csv, gata_home / "r.csv")


@pytest.mark.postgres
def test_import_postgres_counts_rejects_and_dedupes(pg_url: str, messy_csv: Path, tmp_path):
    check_import(pg_url, messy_csv, tmp_path / "rejects.csv")


@pytest.mark.postgres
def test_seed_postgres_then_import_continues_ids(pg_url: str, messy_csv: Path, gata_home: Path):
    assert invoke("seed", "--tickets", "500", "--db-url", pg_url).exit_code == 0
    result = invoke(
        "import-tickets", str(messy_csv), "--text-column", "text", "--label-column", "category",
        "--db-url", pg_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (gata_home / "rejects" / "export-rejects.csv").is_file()
    names, tickets = read_back(pg_url)
    assert len(tickets) == 504 and len(names) == 26
    assert sorted(tickets["ticket_id"].astype(int))[-4:] == [501, 502, 503, 504]


def test_default_reject_file_and_clean_errors(gata_home: Path, messy_csv: Path):
    base = ["--text-column", "text", "--label-column", "category"]
    assert invoke("import-tickets", str(messy_csv), *base).exit_code == 0
    assert (gata_home / "rejects" / "export-rejects.csv").is_file()

    missing_file = invoke("import-tickets", str(messy_csv.with_name("nope.csv")), *base)
    assert missing_file.exit_code == 2 and "does not exist" in missing_file.output
    bad_column = invoke("import-tickets", str(messy_csv), "--text-column", "body", *base[2:])
    assert bad_column.exit_code == 2
    assert "no column 'body'" in bad_column.output and "text, category" in bad_column.output
    onto_input = invoke("import-tickets", str(messy_csv), *base, "--reject-file", str(messy_csv))
    assert onto_input.exit_code == 2 and "is the input file itself" in onto_input.output
    assert messy_csv.read_bytes() == MESSY_CSV


@pytest.mark.skipif(not BANKING77.is_file(), reason="banking77 dataset not present")
def test_import_banking77_accounts_for_every_row(gata_home: Path):
    result = invoke(
        "import-tickets", str(BANKING77), "--text-column", "text", "--label-column", "category"
    )
    assert result.exit_code == 0, result.output
    names, tickets = read_back(f"sqlite:///{gata_home / 'tickets.db'}")
    assert len(names) == 77
    imported = int(result.output.split("Imported:")[1].split()[0].replace(",", ""))
    duplicates = int(result.output.split("Duplicates skipped:")[1].split()[0].replace(",", ""))
    rejected = int(result.output.split("Rejected:")[1].split()[0].replace(",", ""))
    assert imported + duplicates + rejected == 10_003
    assert len(tickets) == imported
