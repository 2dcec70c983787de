"""Aurora credentials from Secrets Manager (moto), in both shapes AWS hands out: which keys
each needs, which setting wins, and that the password shows up nowhere, not even in the
failure of a run that could not connect."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from gata_assets.core.errors import GataInputError
from gata_assets.options import OPTIONS, SettingsError
from gata_assets.resources.aws import AwsCallError
from gata_assets.resources.build import build_ticket_db
from gata_assets.resources.ticket_db import AuroraTicketDatabase
from gata_assets.settings import GataSettings
from gata_assets_tests.resources.aurora_helpers import (
    PASSWORD,
    REGION,
    SECRET_ID,
    full_secret,
    master_secret,
    store_secret,
)


def aurora(**settings) -> AuroraTicketDatabase:
    return AuroraTicketDatabase(secret_id=SECRET_ID, region_name=REGION, **settings)


def test_a_full_secret_gives_every_part_and_hides_the_password(secrets):
    store_secret(
        secrets, full_secret(host="writer.cluster-x.eu-west-1.rds.amazonaws.com", port=5433)
    )
    url = aurora().engine_url()
    assert (url.host, url.port, url.database, url.username) == (
        "writer.cluster-x.eu-west-1.rds.amazonaws.com",
        5433,
        "helpdesk",
        "gata_ro",
    )
    assert url.password == PASSWORD and PASSWORD not in f"{url} {url!r} {aurora()!r}"


def test_settings_win_over_the_secret_so_a_reader_endpoint_can_be_chosen(secrets):
    store_secret(secrets, full_secret(host="writer.example"))
    url = aurora(host="reader.example", port=6432, database="archive").engine_url()
    assert (url.host, url.port, url.database) == ("reader.example", 6432, "archive")


def test_the_master_secret_takes_host_and_database_from_settings_and_port_5432(secrets):
    store_secret(secrets, master_secret())
    url = aurora(host="db.example", database="helpdesk").engine_url()
    assert (url.host, url.port, url.database, url.password) == (
        "db.example",
        5432,
        "helpdesk",
        PASSWORD,
    )


@pytest.mark.parametrize(
    ("settings", "missing", "where"),
    [
        ({"database": "helpdesk"}, "'host'", "add it to the secret or set GATA_TICKET_DB_HOST"),
        ({"host": "db.example"}, "'dbname'", "add it to the secret or set GATA_TICKET_DB_NAME"),
    ],
)
def test_a_master_secret_without_the_settings_names_the_missing_key(
    secrets, settings, missing, where
):
    store_secret(secrets, master_secret())
    with pytest.raises(GataInputError) as caught:
        aurora(**settings).engine_url()
    message = str(caught.value)
    assert SECRET_ID in message and missing in message and where in message
    assert PASSWORD not in message


def test_username_and_password_come_only_from_the_secret(secrets):
    store_secret(secrets, {"username": "gata_ro", "host": "db.example", "dbname": "helpdesk"})
    with pytest.raises(GataInputError, match=r"no 'password': add it to the secret$"):
        aurora().engine_url()
    store_secret(secrets, {"password": PASSWORD, "host": "db.example", "dbname": "helpdesk"})
    with pytest.raises(GataInputError, match="no 'username'"):
        aurora().engine_url()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (PASSWORD, "is not JSON"),  # a bare password stored by hand
        (json.dumps([PASSWORD]), "holds a JSON list"),
        (json.dumps(PASSWORD), "holds a JSON str"),
    ],
)
def test_a_secret_that_is_not_a_json_object_says_so_without_its_value(secrets, value, says):
    secrets.create_secret(Name=SECRET_ID, SecretString=value)
    with pytest.raises(GataInputError, match=says) as caught:
        aurora(host="db.example", database="helpdesk").engine_url()
    assert PASSWORD not in str(caught.value) and caught.value.__cause__ is None


def test_other_engines_and_bad_ports_are_refused_naming_them(secrets):
    store_secret(secrets, full_secret(engine="aurora-mysql"))
    with pytest.raises(GataInputError, match="engine 'aurora-mysql'; gata reads PostgreSQL"):
        aurora().engine_url()
    store_secret(secrets, full_secret(port="fifty"))
    with pytest.raises(GataInputError, match=r"'port' of secret .* is 'fifty', not a TCP port"):
        aurora().engine_url()


def test_secrets_manager_errors_name_the_secret_and_the_code(secrets):
    with pytest.raises(AwsCallError) as caught:
        aurora().engine_url()
    assert caught.value.code == "ResourceNotFoundException" and SECRET_ID in str(caught.value)
    client = boto3.client("secretsmanager", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error("get_secret_value", "AccessDeniedException", "not allowed", 400)
        with pytest.raises(AwsCallError, match=f"GetSecretValue of {SECRET_ID} failed: Access"):
            aurora().with_clients(secretsmanager=client).engine_url()


def test_the_settings_reach_the_resource_and_need_the_secret(tmp_path):
    env = {"GATA_HOME": str(tmp_path), "GATA_TICKET_DB_HOST": "r.example"}
    with pytest.raises(SettingsError, match="GATA_TICKET_DB_HOST apply only with GATA_TICKET_DB_"):
        build_ticket_db(GataSettings.from_env(env))
    env |= {"GATA_TICKET_DB_SECRET_ID": SECRET_ID, "GATA_TICKET_DB_PORT": "6432"}
    env |= {"GATA_TICKET_DB_NAME": "helpdesk"}
    built = build_ticket_db(GataSettings.from_env(env))
    assert isinstance(built, AuroraTicketDatabase)
    assert (built.host, built.port, built.database) == ("r.example", 6432, "helpdesk")
    # Each row repeats its field's default (test_options.py checks the other consumers).
    for row in OPTIONS.values():
        for consumer, field in row.targets:
            if consumer == "ticket_db":
                assert AuroraTicketDatabase.model_fields[field].default == row.default
