"""Aurora/PostgreSQL credentials from a Secrets Manager secret, in both shapes AWS hands out.

- A full secret (what RDS Proxy and the console's "other database" secrets hold): `host`,
  `port`, `dbname`, `username`, `password`, often with `engine` and `dbClusterIdentifier`.
- The RDS-managed master secret (`manage_master_user_password`): only `username` and
  `password`; the host, port and database name come from GATA_TICKET_DB_HOST, _PORT, _NAME.

A setting wins over the secret's value: the secret names the writer endpoint, and a reader
endpoint (or a proxy) is chosen by setting GATA_TICKET_DB_HOST, without editing a secret the
database team owns. The port falls back to PostgreSQL's 5432; the database has no safe
default (the master user's `postgres` database holds no tickets), so it must come from one of
the two. Unknown keys are ignored. No message here ever contains a value from the secret
other than the engine and the port, so a plain-text password stored by mistake stays hidden.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from gata_assets.core.errors import GataInputError

if TYPE_CHECKING:
    import sqlalchemy as sa

DEFAULT_PORT = 5432
# The secret's key -> the setting that may give it instead (None: only the secret can).
WHERE = {
    "username": None,
    "password": None,
    "host": "GATA_TICKET_DB_HOST",
    "port": "GATA_TICKET_DB_PORT",
    "dbname": "GATA_TICKET_DB_NAME",
}


def parse_secret(text: str | bytes | None, secret_id: str) -> dict[str, Any]:
    """The secret's JSON object; anything else fails without echoing the value."""
    if text is None:
        raise GataInputError(f"secret {secret_id} has no value: put the JSON credentials in it")
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise GataInputError(
            f"secret {secret_id} is not JSON: gata needs the RDS JSON shape, at least "
            '{"username": ..., "password": ...} (value not shown)'
        ) from None
    if not isinstance(value, dict):
        raise GataInputError(
            f"secret {secret_id} holds a JSON {type(value).__name__}, not an object with "
            "username and password (value not shown)"
        )
    return value


def _missing(key: str, secret_id: str) -> GataInputError:
    setting = WHERE[key]
    where = f"add it to the secret or set {setting}" if setting else "add it to the secret"
    return GataInputError(f"secret {secret_id} has no {key!r}: {where}")


def _port(secret: dict[str, Any], setting: int, secret_id: str) -> int:
    if setting:
        value, source = setting, "GATA_TICKET_DB_PORT"
    else:
        value, source = secret.get("port") or DEFAULT_PORT, f"the 'port' of secret {secret_id}"
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 0 < port < 65536:
        raise GataInputError(f"{source} is {value!r}, not a TCP port")
    return port


def connection(
    secret: dict[str, Any], secret_id: str, *, host: str = "", port: int = 0, database: str = ""
) -> sa.URL:
    """The SQLAlchemy URL (an object: its repr and str hide the password) for PostgreSQL."""
    import sqlalchemy as sa

    engine = str(secret.get("engine") or "postgres")
    if "postgres" not in engine:
        raise GataInputError(f"secret {secret_id} is for engine {engine!r}; gata reads PostgreSQL")
    chosen = {
        "username": secret.get("username"),
        "password": secret.get("password"),
        "host": host or secret.get("host"),
        "dbname": database or secret.get("dbname"),
    }
    for key, value in chosen.items():
        if value is None or str(value) == "":
            raise _missing(key, secret_id)
    return sa.URL.create(
        "postgresql+psycopg",
        username=str(chosen["username"]),
        password=str(chosen["password"]),
        host=str(chosen["host"]),
        port=_port(secret, port, secret_id),
        database=str(chosen["dbname"]),
    )
