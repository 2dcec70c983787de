"""No SQLAlchemy engine on the ticket database outlives the run step that opened it: the
reader is a context manager, and a reader whose schema check fails closes itself."""

from __future__ import annotations

import dagster as dg
import pytest
import sqlalchemy as sa

from gata_assets.core.errors import GataInputError
from gata_assets.defs import extraction
from gata_assets.resources.build import build_resources
from gata_assets.resources.ticket_db import TicketDatabase
from gata_assets.settings import GataSettings


@pytest.fixture
def engines(monkeypatch):
    """Every engine created from here on, with whether it was disposed."""
    made: list[dict] = []
    create = sa.create_engine

    def tracked(*args, **kwargs):
        engine = create(*args, **kwargs)
        record = {"url": str(engine.url), "disposed": False}
        sa.event.listen(engine, "engine_disposed", lambda _: record.update(disposed=True))
        made.append(record)
        return engine

    monkeypatch.setattr(sa, "create_engine", tracked)
    return made


def test_the_extract_disposes_its_engine(small_ticket_db, gata_home, engines):
    resources = build_resources(GataSettings.from_env({"GATA_HOME": str(gata_home)}))
    result = dg.materialize(extraction.defs.assets, resources=resources)
    assert result.success
    on_tickets = [e for e in engines if e["url"] == small_ticket_db]
    assert on_tickets and all(e["disposed"] for e in on_tickets), on_tickets


def test_the_reader_closes_on_exit_and_when_the_schema_is_wrong(small_ticket_db, tmp_path, engines):
    with TicketDatabase(url=small_ticket_db).reader() as reader:
        assert reader.categories()
    assert engines[-1]["disposed"]
    with pytest.raises(GataInputError, match="has no table or view 'tickets'"):
        TicketDatabase(url=f"sqlite:///{tmp_path / 'empty.db'}").reader()
    assert engines[-1]["disposed"] and len(engines) == 2
