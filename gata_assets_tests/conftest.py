"""Shared fixtures: a small ticket database and the offline resources built on it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gata_assets.definitions import build_resources
from gata_assets.settings import GataSettings
from gata_assets_tests.helpers import load_rows, make_ticket_rows


@pytest.fixture
def gata_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "gata-home"
    home.mkdir()
    monkeypatch.setenv("GATA_HOME", str(home))
    monkeypatch.delenv("GATA_TICKET_DB_URL", raising=False)
    monkeypatch.delenv("GATA_MODE", raising=False)
    return home


@pytest.fixture
def small_ticket_db(gata_home: Path) -> str:
    """SQLite with four big categories and two low-volume ones."""
    url = f"sqlite:///{gata_home / 'tickets.db'}"
    counts = {"billing": 60, "password": 55, "printer": 50, "vpn": 45, "gdpr": 14, "legal": 12}
    load_rows(sa.create_engine(url), make_ticket_rows(counts))
    return url


@pytest.fixture
def offline_resources(gata_home: Path) -> dict:
    return build_resources(GataSettings.from_env({"GATA_HOME": str(gata_home)}))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """PostgreSQL, browser and AWS-world tests need a server: they count as slow, so
    `-m "not slow"` is the fast loop without training, servers, a browser or PostgreSQL."""
    for item in items:
        if any(item.get_closest_marker(m) for m in ("postgres", "browser", "aws_world")):
            item.add_marker(pytest.mark.slow)
