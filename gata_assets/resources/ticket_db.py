"""Ticket database resource: the help desk's tickets, read-only.

Embedded default: a SQLite file under GATA_HOME. Production: PostgreSQL/Aurora by URL, given
through `dg.EnvVar("GATA_TICKET_DB_URL")` so the password never appears in the UI or logs, or
assembled from an AWS Secrets Manager secret (`AuroraTicketDatabase`, either shape AWS hands
out: `aurora_secret.py`). Both speak SQLAlchemy and share the same reader, a context manager:
`with ticket_db.reader() as reader:` disposes its engine when the block ends.
"""

from dataclasses import fields
from typing import TYPE_CHECKING, Any

import dagster as dg

from gata_assets.core.schema import TicketColumnMap
from gata_assets.resources.aurora_secret import connection, parse_secret
from gata_assets.resources.aws import AwsResource, call_failed

if TYPE_CHECKING:
    import sqlalchemy as sa

    from gata_assets.core.ticket_reader import TicketReader


# The column map's fields, defaults and meaning live once, in core's TicketColumnMap; this
# is the same shape as Dagster config so it can be set per deployment or in the launchpad.
TicketColumns = type(
    "TicketColumns",
    (dg.Config,),
    {
        "__doc__": "Column mapping for a real help-desk schema (defaults: gata's own schema).",
        "__module__": __name__,
        "__annotations__": {f.name: str for f in fields(TicketColumnMap)},
        **{f.name: f.default for f in fields(TicketColumnMap)},
    },
)


class TicketDatabase(dg.ConfigurableResource):
    url: str
    columns: TicketColumns = TicketColumns()  # type: ignore[valid-type]

    def connection_url(self) -> str:
        return self.url

    def engine_url(self) -> "str | sa.URL":
        """What the reader's engine is made from (the Aurora one never renders a password)."""
        return self.connection_url()

    def reader(self) -> "TicketReader":
        """A reader whose schema was checked; use it in a `with` block (it owns an engine)."""
        from gata_assets.core.ticket_reader import TicketReader

        columns = TicketColumnMap(**self.columns.model_dump())
        reader = TicketReader.from_url(self.engine_url(), columns)
        try:
            reader.verify_schema()
        except BaseException:
            reader.close()
            raise
        return reader


class AuroraTicketDatabase(TicketDatabase, AwsResource):
    """PostgreSQL/Aurora whose credentials live in AWS Secrets Manager.

    Either secret shape works (`aurora_secret.py`): the full one, or the RDS-managed master
    secret with host, port and database from `host`, `port`, `database` (GATA_TICKET_DB_HOST,
    _PORT, _NAME), which win over the secret's. It is fetched when a run needs it and kept
    nowhere: not in config, a repr, a log line or an error.
    """

    url: str = ""
    secret_id: str
    host: str = ""
    """Wins over the secret's `host` (a reader endpoint or a proxy)."""
    port: int = 0
    """0: the secret's `port`, else 5432."""
    database: str = ""
    """Wins over the secret's `dbname`; one of the two is required."""

    def _secret(self) -> dict[str, Any]:
        client = self.client("secretsmanager")
        try:
            found = client.get_secret_value(SecretId=self.secret_id)
        except client.exceptions.ClientError as error:
            # AWS's code and message name the secret, never its value.
            raise call_failed(
                error, f"Secrets Manager GetSecretValue of {self.secret_id}"
            ) from None
        return parse_secret(found.get("SecretString", found.get("SecretBinary")), self.secret_id)

    def engine_url(self) -> "sa.URL":
        return connection(
            self._secret(),
            self.secret_id,
            host=self.host,
            port=self.port,
            database=self.database,
        )

    def connection_url(self) -> str:
        """For callers that need text (`gata source check`): holds the password, never print."""
        return self.engine_url().render_as_string(hide_password=False)
