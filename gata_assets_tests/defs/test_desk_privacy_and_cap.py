"""A real-schema desk on SQLite and PostgreSQL: its PII never stored, its train set capped.

The Zendesk-like desk of the schema-mapping tests, with the PII corpus in its comments and
GATA_TRAIN_MAX_TICKETS below its size, run through the real extraction and preparation
assets. Then the cap is lifted: the test set must not move (it is the frozen split), only
the train set grows back.
"""

import pytest

from gata_assets.definitions import build_resources
from gata_assets.settings import GataSettings
from gata_assets_tests.defs.test_data_assets import materialize_data
from gata_assets_tests.defs.test_pii_kept_out import SAMPLES, files_holding
from gata_assets_tests.desk_helpers import create_desk, desk_env, desk_rows
from gata_assets_tests.pg import fresh_database

CAP = 60


def rows_with_pii() -> list[dict]:
    rows = desk_rows()
    for i, row in enumerate(rows):
        row["first_comment"] = f"my details: {SAMPLES[i % len(SAMPLES)]}"
    return rows


def latest(resources, key: str):
    import dagster as dg

    from gata_assets.resources.refs_io_manager import latest_ref

    return latest_ref(resources["artifact_store"], dg.AssetKey(key))


def run_desk(url: str, home, monkeypatch) -> None:
    create_desk(url, rows=rows_with_pii())
    env = {**desk_env(url), "GATA_HOME": str(home), "GATA_TRAIN_MAX_TICKETS": str(CAP)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capped = build_resources(GataSettings.from_env())
    assert materialize_data(capped).success

    assert files_holding(home, SAMPLES).keys() <= {"tickets.db"}  # only SQLite's own source
    extract = latest(capped, "ticket_extract")
    assert extract.redact_pii and sum(extract.pii_masked.values()) >= len(SAMPLES)
    train, test = latest(capped, "general_train_set"), latest(capped, "general_test_set")
    assert train.rows == CAP and train.train_cap == CAP and sum(train.capped_out.values()) > 0
    assert sum(train.category_counts.values()) == CAP

    monkeypatch.setenv("GATA_TRAIN_MAX_TICKETS", "200000")
    uncapped = build_resources(GataSettings.from_env())
    assert materialize_data(uncapped).success
    train_again, test_again = (
        latest(uncapped, "general_train_set"),
        latest(uncapped, "general_test_set"),
    )
    assert test_again.sha256 == test.sha256  # the frozen test set did not move
    assert train_again.rows == CAP + sum(train.capped_out.values()) and not train_again.capped_out


def test_sqlite_desk_keeps_pii_out_and_caps_training(tmp_path, monkeypatch):
    (tmp_path / "home").mkdir()
    run_desk(f"sqlite:///{tmp_path / 'home' / 'tickets.db'}", tmp_path / "home", monkeypatch)


@pytest.mark.postgres
def test_postgres_desk_keeps_pii_out_and_caps_training(tmp_path, monkeypatch):
    with fresh_database() as url:
        run_desk(url, tmp_path / "home", monkeypatch)
