"""A real help-desk schema mapped by environment variables alone, on SQLite and PostgreSQL:
named schema or view, GATA_TICKET_FILTER, text ids, queue names without a categories table,
no subject, two body columns; extracted, split and incrementally updated through Dagster."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest
import sqlalchemy as sa

from gata_assets.core.hashing import stable_label_id
from gata_assets.core.schema import TicketColumnMap
from gata_assets.core.ticket_reader import TicketReader
from gata_assets.definitions import build_resources
from gata_assets.resources.build import build_ticket_db
from gata_assets.settings import GataSettings
from gata_assets_tests.defs.test_data_assets import checks_by_name, materialize_data
from gata_assets_tests.desk_helpers import BASE, create_desk, desk_env, desk_rows, kept
from gata_assets_tests.pg import fresh_database


def run_mapped_desk(url: str, monkeypatch, home, table: str, schema: str = "") -> None:
    desk = create_desk(url, schema or None)
    for name, value in {**desk_env(url, table, schema), "GATA_HOME": str(home)}.items():
        monkeypatch.setenv(name, value)
    resources = build_resources(GataSettings.from_env())
    result = materialize_data(resources)
    assert result.success
    blocking = {k: v for k, v in checks_by_name(result).items() if "drift" not in k}
    assert all(blocking.values()), blocking

    store = resources["artifact_store"]
    extract = store.read_parquet(_latest(store, "ticket_extract").uri)
    expected = {r["id"]: r for r in kept(desk_rows())}
    assert sorted(extract["ticket_id"]) == sorted(expected)  # filter kept exactly these
    row = extract.set_index("ticket_id").loc["ZD-10001"]  # i == 0: it has a first comment
    source = expected["ZD-10001"]
    assert row["subject"] == "" and row["text"] == row["body"]
    assert row["body"] == f"{source['description']}\n{source['first_comment']}"
    assert row["category"] == "billing" and row["label"] == stable_label_id("billing")
    test_set = store.read_parquet(_latest(store, "general_test_set").uri)
    assert test_set["ticket_id"].str.startswith("ZD-").all()

    # An agent re-routes a ticket and new tickets arrive: the next extract reads only those.
    later = BASE + timedelta(days=30)
    fresh = [{**r, "created": later, "updated": later} for r in kept(desk_rows({"vpn": 4}, 900))]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(desk.insert(), fresh)
        conn.execute(
            desk.update().where(desk.c.id == "ZD-10001").values(queue="vpn", updated=later)
        )
    engine.dispose()
    assert materialize_data(resources).success
    second = _latest(store, "ticket_extract")
    assert second.new_rows == len(fresh) + 1 and second.rows == len(expected) + len(fresh)
    again = store.read_parquet(second.uri).set_index("ticket_id")
    assert again.loc["ZD-10001", "category"] == "vpn" and again.index.is_unique


def _latest(store, key: str):
    from gata_assets.resources.refs_io_manager import latest_ref

    return latest_ref(store, dg.AssetKey(key))


def test_sqlite_view_with_text_ids_and_names_maps_without_code(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    run_mapped_desk(url, monkeypatch, tmp_path / "home", table="zd_closed")


@pytest.mark.postgres
def test_postgres_named_schema_maps_without_code(tmp_path, monkeypatch):
    with fresh_database() as url:
        run_mapped_desk(url, monkeypatch, tmp_path / "home", table="zd_tickets", schema="helpdesk")


def stream_in_chunks(url: str, schema: str | None) -> None:
    create_desk(url, schema)
    env = {k: v for k, v in desk_env(url, "zd_closed", schema or "").items() if "URL" not in k}
    columns = TicketColumnMap(**build_ticket_db(GataSettings.from_env(env)).columns.model_dump())
    with TicketReader.from_url(url, columns) as reader:
        chunks = list(reader.stream(None, chunk_rows=25))
        assert len(chunks) >= 4 and all(len(c) <= 25 for c in chunks)  # streamed, not loaded
        ids = [i for c in chunks for i in c["ticket_id"]]
        assert sorted(ids) == sorted(r["id"] for r in kept(desk_rows()))
        assert reader.count_since(None)[0] == len(ids)
        assert set(reader.categories().values()) == {"billing", "vpn", "printer", "legal", "gdpr"}


def test_sqlite_filtered_view_streams_in_chunks(tmp_path):
    stream_in_chunks(f"sqlite:///{tmp_path / 'desk.db'}", None)


@pytest.mark.postgres
def test_postgres_filtered_schema_streams_through_copy_in_chunks():
    with fresh_database() as url:
        stream_in_chunks(url, "helpdesk")


def test_empty_subject_and_category_table_are_values_not_unset(tmp_path):
    env = {k: v for k, v in desk_env("", "zd_tickets").items() if "URL" not in k}
    columns = build_ticket_db(GataSettings.from_env(env)).columns
    assert (columns.subject, columns.category_table, columns.body) == (
        "",
        "",
        "description,first_comment",
    )
    # Unset, they keep gata's own schema.
    default = build_ticket_db(GataSettings.from_env({"GATA_HOME": str(tmp_path)})).columns
    assert (default.subject, default.category_table) == ("subject", "categories")


@pytest.mark.parametrize(
    ("ticket_filter", "schema", "message"),
    [
        ("state=closed", "", "table 'zd_tickets' has no column 'state' (closest: status)"),
        ("status", "", "is not column=value[,value...]"),
        ("status=closed;status=open", "", "names column 'status' twice"),
        ("brand_id=three", "", "value 'three' does not fit column 'brand_id' (integer)"),
        ("", "helpdsk", "has no schema 'helpdsk'"),
    ],
    ids=["unknown-column", "syntax", "twice", "type", "schema"],
)
def test_mapping_mistakes_are_one_clear_sentence(tmp_path, ticket_filter, schema, message):
    from gata_assets.core.errors import GataInputError

    url = f"sqlite:///{tmp_path / 'desk.db'}"
    create_desk(url)
    env = {**desk_env(url), "GATA_TICKET_FILTER": ticket_filter, "GATA_COLUMN_SCHEMA": schema}
    env = {k: v for k, v in env.items() if "URL" not in k}
    columns = TicketColumnMap(**build_ticket_db(GataSettings.from_env(env)).columns.model_dump())
    with TicketReader.from_url(url, columns) as reader, pytest.raises(GataInputError) as caught:
        list(reader.stream(None, 10))
    assert message in str(caught.value)
