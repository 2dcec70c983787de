"""`gata source check` on SQLite and PostgreSQL: one sentence per finding, counted by the
database, non-zero exit on anything that would stop the extract."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gata_assets.cli import app
from gata_assets_tests.desk_helpers import create_desk, desk_env, desk_rows, kept
from gata_assets_tests.helpers import load_rows, make_ticket_rows
from gata_assets_tests.pg import fresh_database


def source_check(env: dict[str, str], *args: str):
    return CliRunner().invoke(app, ["source", "check", *args], env=env)


def check_a_mapped_desk(url: str, home, schema: str = "") -> None:
    rows = desk_rows()
    usable = kept(rows)
    for row in usable[:2]:
        row["description"], row["first_comment"] = "  ", None
    usable[2]["queue"] = None
    create_desk(url, schema or None, rows)
    env = {**desk_env(url, schema=schema), "GATA_HOME": str(home)}

    result = source_check(env, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    n = len(usable)
    assert (
        f"the filter (status in (closed, resolved) and brand_id in (3)) keeps {n:,} of them"
        in (report["facts"])
    )
    assert f"{len(rows):,} tickets in 'zd_tickets'" in report["facts"]
    warnings = report["warnings"]
    no_text = f"2 of {n:,} tickets ({2 / n:.1%}) have no text (every text column empty)"
    assert f"{no_text}: they are quarantined" in warnings
    assert any(w.startswith(f"1 of {n:,} tickets") and "have no label" in w for w in warnings)
    assert report["distribution"] == dict(Counter(r["queue"] for r in usable if r["queue"]))
    assert any("low-volume categories" in f and "legal" in f for f in report["facts"])
    assert any(
        f.startswith("watermark column 'updated' runs from 2026-05-") for f in report["facts"]
    )

    text = source_check(env)
    assert text.exit_code == 0 and "OK: the extract can run" in text.output

    broken = {**env, "GATA_COLUMN_BODY": "descripton", "GATA_TICKET_FILTER": "brand=3"}
    result = source_check(broken)
    assert result.exit_code == 1
    assert "error: table 'zd_tickets' has no column 'descripton' (closest: description)" in (
        result.output
    )
    assert "has no column 'brand' (closest: brand_id)" in result.output

    result = source_check({**env, "GATA_TICKET_FILTER": "status=archived"})
    assert result.exit_code == 1 and "the filter keeps none" in result.output


def test_sqlite_source_check(tmp_path):
    check_a_mapped_desk(f"sqlite:///{tmp_path / 'desk.db'}", tmp_path)


@pytest.mark.postgres
def test_postgres_source_check(tmp_path):
    with fresh_database() as url:
        check_a_mapped_desk(url, tmp_path, schema="helpdesk")


def test_default_schema_unknown_labels_and_a_missing_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    load_rows(sa.create_engine(url), make_ticket_rows({"billing": 50, "vpn": 45, "legal": 3}))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE tickets SET category_id = 99 WHERE ticket_id <= 4"))
    env = {"GATA_HOME": str(tmp_path), "GATA_TICKET_DB_URL": url}
    result = source_check(env)
    assert result.exit_code == 0, result.output
    assert "warning: 4 tickets have a label that 'categories' does not know" in result.output
    assert "1 low-volume categories (fewer than 40 tickets" in result.output

    missing = source_check({**env, "GATA_TICKET_DB_URL": f"sqlite:///{tmp_path / 'no.db'}"})
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert not (tmp_path / "no.db").exists()
