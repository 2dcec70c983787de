"""`ticket_extract` reading through an Aurora secret (moto's Secrets Manager): both secret
shapes connect to the local PostgreSQL and read the schema, and a run that cannot connect
fails with the reason while its events, logs, error and the CLI's output hold no password."""

from __future__ import annotations

import dagster as dg
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gata_assets.defs import extraction
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.resources.build import build_artifact_store, build_ticket_db, make
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager
from gata_assets.settings import GataSettings
from gata_assets_tests.helpers import load_rows, make_ticket_rows
from gata_assets_tests.pg import fresh_database
from gata_assets_tests.resources.aurora_helpers import (
    PASSWORD,
    REGION,
    SECRET_ID,
    full_secret,
    master_secret,
    store_secret,
)


def settings(home, **extra: str) -> GataSettings:
    env = {"GATA_HOME": str(home), "GATA_TICKET_DB_SECRET_ID": SECRET_ID, "AWS_REGION": REGION}
    return GataSettings.from_env({**env, **extra})


def extract(config: GataSettings) -> dg.ExecuteInProcessResult:
    store = build_artifact_store(config)
    resources = {
        "ticket_db": build_ticket_db(config),
        "artifact_store": store,
        "pipeline": make(PipelineConfig, config, "pipeline"),
        REFS_IO_MANAGER: ArtifactRefIOManager(store=store),
    }
    return dg.materialize(extraction.defs.assets, resources=resources, raise_on_error=False)


def everything_said(result: dg.ExecuteInProcessResult, capfd, caplog) -> str:
    """Event messages and metadata, step errors, captured output and log records, together."""
    said = []
    for event in result.all_events:
        said.append(str(event.message or ""))
        if event.is_step_failure:
            said.append(event.step_failure_data.error.to_string())
        if event.is_step_materialization:
            said.append(repr(event.step_materialization_data.materialization.metadata))
    out = capfd.readouterr()
    return "\n".join([*said, out.out, out.err, *(r.getMessage() for r in caplog.records)])


def secret_shapes(database_url: str) -> dict[str, tuple[dict, dict]]:
    url = sa.make_url(database_url)
    at = {"host": url.host, "port": url.port or 5432, "dbname": url.database}
    # The full secret names a different host and port; the settings pick the real ones.
    full = full_secret(username="postgres", **at)
    master = master_secret()
    from_settings = {
        "GATA_TICKET_DB_HOST": at["host"],
        "GATA_TICKET_DB_PORT": str(at["port"]),
        "GATA_TICKET_DB_NAME": at["dbname"],
    }
    overridden = full_secret(username="postgres", host="writer.invalid", port=1, dbname="no")
    return {
        "full": (full, {}),
        "master": (master, from_settings),
        "reader": (overridden, from_settings),
    }


@pytest.mark.postgres
@pytest.mark.parametrize("shape", ["full", "master", "reader"])
def test_each_secret_shape_extracts_from_postgres(secrets, tmp_path, capfd, caplog, shape):
    with fresh_database() as url:
        load_rows(sa.create_engine(url), make_ticket_rows({"billing": 12, "vpn": 9}))
        secret, extra = secret_shapes(url)[shape]
        store_secret(secrets, secret)
        result = extract(settings(tmp_path, **extra))
        assert result.success
        ref = result.output_for_node("ticket_extract")
        assert ref.rows == 21 and set(ref.category_counts) == {"billing", "vpn"}
        assert PASSWORD not in everything_said(result, capfd, caplog)


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        pytest.param({"port": 1}, "unreachable", id="nothing-listens"),
        pytest.param(
            {"port": 5432, "dbname": "gata_absent_db", "username": "postgres"},
            'database "gata_absent_db" does not exist',
            id="no-such-database",
            marks=pytest.mark.postgres,
        ),
    ],
)
def test_a_run_that_cannot_connect_shows_no_password(
    secrets, tmp_path, capfd, caplog, where, reason
):
    store_secret(secrets, full_secret(**where))
    result = extract(settings(tmp_path))
    assert not result.success
    said = everything_said(result, capfd, caplog)
    assert reason in said and ":***@127.0.0.1" in said  # the URL, password masked
    assert PASSWORD not in said


def test_gata_source_check_through_the_secret_shows_no_password(secrets, tmp_path):
    from gata_assets.cli import app

    store_secret(secrets, full_secret(port=1))
    env = {"GATA_HOME": str(tmp_path), "GATA_TICKET_DB_SECRET_ID": SECRET_ID, "AWS_REGION": REGION}
    result = CliRunner().invoke(app, ["source", "check"], env=env)
    assert result.exit_code != 0 and "unreachable" in result.output
    assert PASSWORD not in result.output and PASSWORD not in repr(result.exception)
