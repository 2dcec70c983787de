"""Ticket database resource: the help desk's tickets, read-only.

Embedded default: a SQLite file under GATA_HOME. Production: PostgreSQL/Aurora by URL, given
through `dg.EnvVar("GATA_TICKET_DB_URL")` so the password never appears in the UI or logs, or
assembled from an AWS Secrets Manager secret (`AuroraTicketDatabase`). Both speak SQLAlchemy
and share the same reader, a context manager: `with ticket_db.reader() as reader:` disposes
its engine when the block ends.
"""

import json
from dataclasses import fields
from typing import TYPE_CHECKING

import dagster as dg

from gata_assets.core.schema import TicketColumnMap
from gata_assets.resources.aws import AwsResource

if TYPE_CHECKING:
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

    def reader(self) -> "TicketReader":
        """A reader whose schema was checked; use it in a `with` block (it owns an engine)."""
        from gata_assets.core.ticket_reader import TicketReader

        reader = TicketReader.from_url(
            self.connection_url(), TicketColumnMap(**self.columns.model_dump())
        )
        try:
            reader.verify_schema()
        except BaseException:
            reader.close()
            raise
        return reader


class AuroraTicketDatabase(TicketDatabase, AwsResource):
    """PostgreSQL/Aurora whose credentials live in AWS Secrets Manager.

    The secret is the JSON document RDS manages (`username`, `password`, `host`, `port`,
    `dbname`); it is fetched when a run needs it, never stored in config.
    """

    url: str = ""
    secret_id: str

    def connection_url(self) -> str:
        import sqlalchemy as sa

        client = self.client("secretsmanager")
        secret = json.loads(client.get_secret_value(SecretId=self.secret_id)["SecretString"])
        return sa.URL.create(
            "postgresql+psycopg",
            username=secret["username"],
            password=secret["password"],
            host=secret["host"],
            port=int(secret.get("port", 5432)),
            database=secret.get("dbname", "postgres"),
        ).render_as_string(hide_password=False)
