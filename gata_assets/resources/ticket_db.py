"""Ticket database resource: the help desk's tickets, read-only.

Embedded default: a SQLite file under GATA_HOME. Production: PostgreSQL/Aurora by URL, given
through `dg.EnvVar("GATA_TICKET_DB_URL")` so the password never appears in the UI or logs, or
assembled from an AWS Secrets Manager secret (`AuroraTicketDatabase`). Both speak SQLAlchemy
and share the same reader.
"""

import json
from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from gata_assets.core.ticket_reader import TicketReader


class TicketColumns(dg.Config):
    """Column mapping for a real help-desk schema (defaults: gata's own schema)."""

    ticket_table: str = "tickets"
    ticket_id: str = "ticket_id"
    created_at: str = "created_at"
    updated_at: str = "updated_at"
    subject: str = "subject"
    body: str = "body"
    label: str = "category_id"
    category_table: str = "categories"
    category_id: str = "category_id"
    category_name: str = "name"


class TicketDatabase(dg.ConfigurableResource):
    url: str
    columns: TicketColumns = TicketColumns()

    def connection_url(self) -> str:
        return self.url

    def reader(self) -> "TicketReader":
        from gata_assets.core.schema import TicketColumnMap
        from gata_assets.core.ticket_reader import TicketReader

        reader = TicketReader.from_url(
            self.connection_url(), TicketColumnMap(**self.columns.model_dump())
        )
        reader.verify_schema()
        return reader


class AuroraTicketDatabase(TicketDatabase):
    """PostgreSQL/Aurora whose credentials live in AWS Secrets Manager.

    The secret is the JSON document RDS manages (`username`, `password`, `host`, `port`,
    `dbname`); it is fetched when a run needs it, never stored in config.
    """

    url: str = ""
    secret_id: str
    region_name: str | None = None

    def connection_url(self) -> str:
        import boto3
        import sqlalchemy as sa

        client = boto3.client("secretsmanager", region_name=self.region_name)
        secret = json.loads(client.get_secret_value(SecretId=self.secret_id)["SecretString"])
        return sa.URL.create(
            "postgresql+psycopg",
            username=secret["username"],
            password=secret["password"],
            host=secret["host"],
            port=int(secret.get("port", 5432)),
            database=secret.get("dbname", "postgres"),
        ).render_as_string(hide_password=False)
