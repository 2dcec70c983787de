"""Helpers shared by the CLI modules: settings, the ticket database URL, clean errors."""

from __future__ import annotations

import os

import typer

from gata_assets.settings import GataSettings


def settings() -> GataSettings:
    return GataSettings.from_env()


def ticket_db_url(explicit: str | None) -> str:
    """--db-url, else GATA_TICKET_DB_URL, else the embedded SQLite under GATA_HOME."""
    if explicit:
        return explicit
    return os.environ.get("GATA_TICKET_DB_URL") or settings().default_ticket_db_url


def fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=2)
