"""The ticket reader against SQLite and the real PostgreSQL: stream, watermark, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from gata_assets.core.errors import GataInputError
from gata_assets.core.schema import TicketColumnMap
from gata_assets.core.ticket_reader import TicketReader, Watermark
from gata_assets_tests.helpers import load_rows, make_ticket_rows
from gata_assets_tests.pg import fresh_database


def exercise_reader(url: str) -> None:
    rows = make_ticket_rows({"billing": 30, "vpn": 25})
    rows[3]["body"] = 'quoted "reply"\nwith, commas\nand lines'
    rows[4]["subject"] = None
    load_rows(sa.create_engine(url), rows)
    reader = TicketReader.from_url(url)
    reader.verify_schema()
    assert sorted(reader.categories().values()) == ["billing", "vpn"]

    chunks = list(reader.stream(None, chunk_rows=20))
    assert sum(len(c) for c in chunks) == 55 and len(chunks) >= 3
    first = chunks[0]
    assert list(first.columns) == [
        "ticket_id",
        "created_at",
        "updated_at",
        "subject",
        "body",
        "label",
    ]
    by_id = {int(r.ticket_id): r for c in chunks for r in c.itertuples()}
    assert by_id[4].body == 'quoted "reply"\nwith, commas\nand lines'
    assert by_id[5].subject is None or by_id[5].subject != by_id[5].subject  # NULL, not ""

    last = chunks[-1].iloc[-1]
    stamp = datetime.fromisoformat(str(last["updated_at"]).replace(" ", "T"))
    mark = Watermark(stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC), int(last["ticket_id"]))
    assert sum(len(c) for c in reader.stream(mark, 20)) == 0
    assert reader.count_since(mark) == (0, None)

    later = make_ticket_rows({"billing": 3}, start_id=100)
    for row in later:
        row["updated_at"] = row["created_at"] = stamp + timedelta(days=1)
    load_rows(sa.create_engine(url), later)
    fresh = list(reader.stream(mark, 20))
    assert [int(i) for c in fresh for i in c["ticket_id"]] == [100, 101, 102]
    assert reader.count_since(mark) == (3, 102)


def test_sqlite_reader_streams_and_resumes_after_watermark(tmp_path):
    exercise_reader(f"sqlite:///{tmp_path / 'tickets.db'}")


@pytest.mark.postgres
def test_postgres_reader_streams_with_copy_and_resumes_after_watermark():
    with fresh_database() as url:
        exercise_reader(url)


@pytest.mark.postgres
def test_postgres_reader_is_read_only():
    with fresh_database() as url:
        load_rows(sa.create_engine(url), make_ticket_rows({"billing": 2}))
        reader = TicketReader.from_url(url)
        with (
            reader.engine.connect() as conn,
            pytest.raises(sa.exc.InternalError, match="read-only"),
        ):
            conn.execute(sa.text("DELETE FROM tickets"))
        reader.engine.dispose()


def test_missing_columns_are_named(tmp_path):
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE tickets (ticket_id INTEGER, body TEXT)"))
        conn.execute(sa.text("CREATE TABLE categories (category_id INTEGER, name TEXT)"))
    with pytest.raises(GataInputError) as caught:
        TicketReader.from_url(url).verify_schema()
    assert "table 'tickets' has no column 'created_at'" in str(caught.value)
    assert "table 'tickets' has no column 'category_id'" in str(caught.value)


def test_missing_table_and_unreachable_database_are_clear(tmp_path):
    with pytest.raises(GataInputError, match="has no table or view 'tickets'"):
        TicketReader.from_url(f"sqlite:///{tmp_path / 'empty.db'}").verify_schema()
    url = "postgresql+psycopg://gata:s3cret@127.0.0.1:1/nowhere"
    with pytest.raises(GataInputError, match="unreachable") as caught:
        TicketReader.from_url(url).verify_schema()
    assert "s3cret" not in str(caught.value)


def test_column_map_reads_a_foreign_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE issues (id INTEGER, opened TIMESTAMP, touched TIMESTAMP,"
                " title TEXT, description TEXT, queue INTEGER)"
            )
        )
        conn.execute(sa.text("CREATE TABLE queues (qid INTEGER, qname TEXT)"))
        conn.execute(sa.text("INSERT INTO queues VALUES (7, 'billing')"))
        conn.execute(
            sa.text(
                "INSERT INTO issues VALUES (1, '2026-01-01 00:00:00', '2026-01-02 00:00:00',"
                " 'Refund', 'please', 7)"
            )
        )
    columns = TicketColumnMap(
        ticket_table="issues", ticket_id="id", created_at="opened", updated_at="touched",
        subject="title", body="description", label="queue",
        category_table="queues", category_id="qid", category_name="qname",
    )  # fmt: skip
    reader = TicketReader.from_url(url, columns)
    reader.verify_schema()
    (chunk,) = list(reader.stream(None, 10))
    assert chunk.loc[0, "subject"] == "Refund" and int(chunk.loc[0, "label"]) == 7
    assert reader.categories() == {7: "billing"}


@pytest.mark.postgres
def test_postgres_arrow_stream_session_is_read_only():
    import adbc_driver_postgresql.dbapi as adbc

    from gata_assets.core.ticket_reader import _libpq_uri

    with fresh_database() as url:
        load_rows(sa.create_engine(url), make_ticket_rows({"billing": 2}))
        conn = adbc.connect(_libpq_uri(sa.make_url(url)), autocommit=True)
        with conn, conn.cursor() as cursor, pytest.raises(Exception, match="read-only"):
            cursor.execute("DELETE FROM tickets")
