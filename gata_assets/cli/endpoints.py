"""`gata endpoints status|stop|invoke [NAME]`: see, stop and ask the deployer's endpoints.

Uses the same deployers the Dagster definitions build from the environment, so locally it
reads `$GATA_HOME/endpoints/*.json` (and stops the background gata-serve processes and
their proxy) and with GATA_MODE=aws it asks SageMaker; `--prod` uses prod's deployer, which
acts in the prod account when GATA_PROD_ROLE_ARN names one. `invoke` routes a ticket the
way every caller does (`Deployer.invoke`): through the router endpoint, or, with
GATA_ENDPOINT_LAYOUT=per-model, general → low-volume → fallback across the model endpoints.
"""

import json

import typer

from gata_assets.cli import app
from gata_assets.cli.common import fail, settings

endpoints_app = typer.Typer(help="Local or SageMaker endpoints: status, stop and invoke.")
app.add_typer(endpoints_app, name="endpoints")
PROD = typer.Option(False, "--prod", help="Prod's endpoints (in the prod account, if set).")
TEXTS = typer.Argument(..., help="Ticket texts (subject and body), one each.")


def _deployer(prod: bool = False):
    from gata_assets.resources.build import build_deployer, build_prod_deployer

    return (build_prod_deployer if prod else build_deployer)(settings())


def _default_name(deployer, prod: bool) -> str:
    return deployer.endpoint_name("prod" if prod else "router")


@endpoints_app.command()
def status(
    name: str = typer.Argument(None, help="One endpoint (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows."),
    prod: bool = PROD,
) -> None:
    """Where each endpoint listens, whether it answers, which model versions it serves."""
    rows = _deployer(prod).status(name)
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
def stop(
    name: str = typer.Argument(None, help="Endpoint (default: the router, or prod's)."),
    prod: bool = PROD,
) -> None:
    """Stop the endpoint (each model's, per model): local processes end gracefully;
    SageMaker resources are deleted."""
    deployer = _deployer(prod)
    target = name or _default_name(deployer, prod)
    if not deployer.stop(target):
        raise fail(f"no endpoint named {target}")
    typer.echo(f"stopped {target}")


@endpoints_app.command()
def invoke(
    texts: list[str] = TEXTS,
    name: str = typer.Option(None, "--endpoint", help="Default: the router, or prod's."),
    as_json: bool = typer.Option(False, "--json", help="Print the predictions as JSON."),
    prod: bool = PROD,
) -> None:
    """Route tickets through an endpoint and print where each one goes."""
    from gata_assets.resources.deployer import DeploymentError

    deployer = _deployer(prod)
    target = name or _default_name(deployer, prod)
    instances = [{"id": str(i), "text": text} for i, text in enumerate(texts, start=1)]
    try:
        predictions = deployer.invoke(target, instances)["predictions"]
    except DeploymentError as error:
        raise fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(predictions, indent=1))
        return
    for prediction in predictions:
        typer.echo(
            f"{prediction['id']}: {prediction['category']} "
            f"(confidence {prediction['confidence']:.2f}, route {prediction['route']})"
        )
