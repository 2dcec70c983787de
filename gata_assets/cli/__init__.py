"""The `gata` command: operational tasks around the Dagster assets.

One module per area registers its commands on `app`; importing them here is what wires them.
Before any command runs, the GATA_* environment is checked against the options table, so a
misspelt variable stops `gata` with its name instead of being silently ignored.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="gata",
    help="gata: ticket-routing models as Dagster assets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def check_environment() -> None:
    """gata: ticket-routing models as Dagster assets."""
    from gata_assets.cli.common import fail, settings
    from gata_assets.options import SettingsError

    try:
        settings()
    except SettingsError as error:
        raise fail(str(error)) from None


from gata_assets.cli import endpoints, models, source, tickets, up  # noqa: E402,F401  (register their commands)
