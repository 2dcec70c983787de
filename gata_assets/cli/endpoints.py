"""`gata endpoints status|stop [NAME]`: see and stop the endpoints the deployer manages.

Uses the same deployer the Dagster definitions build from the environment, so locally it
reads `$GATA_HOME/endpoints/*.json` (and stops the background gata-serve processes and
their proxy) and with GATA_MODE=aws it asks SageMaker.
"""

import json

import typer

from gata_assets.cli import app
from gata_assets.cli.common import fail, settings

endpoints_app = typer.Typer(help="Local or SageMaker endpoints: status and stop.")
app.add_typer(endpoints_app, name="endpoints")


def _deployer():
    from gata_assets.resources.build import build_deployer

    return build_deployer(settings())


@endpoints_app.command()
def status(
    name: str = typer.Argument(None, help="One endpoint (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows."),
) -> None:
    """Where each endpoint listens, whether it answers, which model versions it serves."""
    rows = _deployer().status(name)
    if as_json:
        typer.echo(json.dumps(rows, indent=1, default=str))
        return
    if not rows:
        typer.echo("no endpoints" + (f" named {name}" if name else ""))
        return
    for row in rows:
        fields = ", ".join(f"{k}={v}" for k, v in row.items() if k not in ("name",))
        typer.echo(f"{row.get('name') or row.get('EndpointName')}: {fields}")


@endpoints_app.command()
def stop(name: str = typer.Argument(None, help="Endpoint (default: the router).")) -> None:
    """Stop the endpoint: local processes end gracefully; SageMaker resources are deleted."""
    deployer = _deployer()
    target = name or deployer.endpoint_name("router")
    if not deployer.stop(target):
        raise fail(f"no endpoint named {target}")
    typer.echo(f"stopped {target}")
