"""The `gata` command: operational tasks around the Dagster assets.

One module per area registers its commands on `app`; importing them here is what wires them.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="gata",
    help="gata: ticket-routing models as Dagster assets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

from gata_assets.cli import endpoints, models, tickets, up  # noqa: E402,F401  (register their commands)
