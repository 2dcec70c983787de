"""Helpers shared by the CLI modules: settings, the ticket database URL, clean errors.

Resources and the ticket database URL come from `gata_assets/resources/build.py`, the module
the Dagster definitions build theirs with, so the CLI and the pipeline always agree.
"""

from __future__ import annotations

import typer

from gata_assets.settings import GataSettings


def settings() -> GataSettings:
    return GataSettings.from_env()


def ticket_db_url(explicit: str | None) -> str:
    """--db-url, else GATA_TICKET_DB_URL, else the embedded SQLite under GATA_HOME."""
    from gata_assets.resources.build import ticket_db_url as resolve

    return resolve(settings(), explicit)


def fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=2)
