"""Secrets Manager secrets in the two shapes AWS hands out, for the Aurora ticket DB tests."""

from __future__ import annotations

import json
from typing import Any

REGION = "eu-west-1"
SECRET_ID = "gata/ticket-db"
# URL-special characters on purpose: the URL must carry it intact and show it nowhere.
PASSWORD = "Zq9@p:/ss?w#rd%-never-shown"


def full_secret(**overrides: Any) -> dict[str, Any]:
    """What RDS Proxy and "other database" secrets hold (engine and cluster id included)."""
    secret = {
        "engine": "postgres",
        "dbClusterIdentifier": "helpdesk-cluster",
        "host": "127.0.0.1",
        "port": 5432,
        "dbname": "helpdesk",
        "username": "gata_ro",
        "password": PASSWORD,
    }
    return {**secret, **overrides}


def master_secret() -> dict[str, Any]:
    """The RDS-managed master user secret: username and password only."""
    return {"username": "postgres", "password": PASSWORD}


def store_secret(client: Any, value: dict[str, Any]) -> None:
    """Create the secret, or give it a new current value."""
    try:
        client.create_secret(Name=SECRET_ID, SecretString=json.dumps(value))
    except client.exceptions.ResourceExistsException:
        client.put_secret_value(SecretId=SECRET_ID, SecretString=json.dumps(value))
