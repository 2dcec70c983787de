"""Settings come only from the mapping given, and pick each resource's implementation."""

from __future__ import annotations

import dagster as dg
import pytest

from gata_assets.definitions import build_resources
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.ticket_db import AuroraTicketDatabase
from gata_assets.settings import GataSettings


def test_defaults_are_the_embedded_world(tmp_path):
    settings = GataSettings.from_env({"GATA_HOME": str(tmp_path)})
    assert settings.mode == "local"
    assert settings.default_ticket_db_url == f"sqlite:///{tmp_path / 'tickets.db'}"
    resources = build_resources(settings)
    assert isinstance(resources["artifact_store"], LocalArtifactStore)
    assert resources["ticket_db"].url == settings.default_ticket_db_url


def test_bad_mode_and_incomplete_aws_settings_are_refused():
    with pytest.raises(ValueError, match="GATA_MODE must be"):
        GataSettings.from_env({"GATA_MODE": "cloud"})
    with pytest.raises(ValueError, match="GATA_ARTIFACT_BUCKET"):
        GataSettings.from_env({"GATA_MODE": "aws"})


def test_aws_mode_uses_s3_and_secrets_manager(tmp_path):
    env = {
        "GATA_MODE": "aws",
        "GATA_HOME": str(tmp_path),
        "GATA_ARTIFACT_BUCKET": "gata-artifacts",
        "GATA_TICKET_DB_SECRET_ID": "arn:aws:secretsmanager:eu-west-1:1:secret:gata-db",
        "AWS_REGION": "eu-west-1",
    }
    resources = build_resources(GataSettings.from_env(env))
    store = resources["artifact_store"]
    assert isinstance(store, S3ArtifactStore) and store.uri("a") == "s3://gata-artifacts/gata/a"
    assert isinstance(resources["ticket_db"], AuroraTicketDatabase)


def test_database_url_is_read_through_envvar_and_never_stored(tmp_path, monkeypatch):
    secret_url = "postgresql+psycopg://gata:hunter2@db.internal:5432/helpdesk"
    monkeypatch.setenv("GATA_TICKET_DB_URL", secret_url)
    env = {"GATA_HOME": str(tmp_path), "GATA_TICKET_DB_URL": secret_url}
    ticket_db = build_resources(GataSettings.from_env(env))["ticket_db"]
    assert "hunter2" not in repr(ticket_db)
    assert (
        isinstance(ticket_db.url, dg.EnvVar) and str.__str__(ticket_db.url) == "GATA_TICKET_DB_URL"
    )


def test_tuning_knobs_and_column_map_come_from_gata_variables(tmp_path):
    env = {
        "GATA_HOME": str(tmp_path),
        "GATA_MIN_GENERAL_EXAMPLES": "25",
        "GATA_TEST_FRACTION": "0.3",
        "GATA_COLUMN_SUBJECT": "title",
        "GATA_COLUMN_TICKET_TABLE": "issues",
    }
    resources = build_resources(GataSettings.from_env(env))
    assert resources["pipeline"].min_general_examples == 25
    assert resources["pipeline"].test_fraction == 0.3
    columns = resources["ticket_db"].columns
    assert (columns.subject, columns.ticket_table, columns.body) == ("title", "issues", "body")


def test_a_target_precision_reaches_gata_train_and_refuses_a_fixed_threshold_beside_it(tmp_path):
    from gata_assets.options import SettingsError

    env = {"GATA_HOME": str(tmp_path), "GATA_ROUTING_TARGET_PRECISION": "0.95"}
    training = build_resources(GataSettings.from_env(env))["training"]
    assert training.hyperparameters("general")["target_precision"] == 0.95
    unset = build_resources(GataSettings.from_env({"GATA_HOME": str(tmp_path)}))["training"]
    assert "target_precision" not in unset.hyperparameters("general")
    with pytest.raises(SettingsError, match="unset GATA_ENDPOINT_MIN_CONFIDENCE"):
        GataSettings.from_env({**env, "GATA_ENDPOINT_MIN_CONFIDENCE": "0.4"})
    with pytest.raises(SettingsError, match="GATA_ROUTING_TARGET_PRECISION"):
        GataSettings.from_env({**env, "GATA_ROUTING_TARGET_PRECISION": "95"})
