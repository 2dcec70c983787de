"""`gata models list|approve|reject VERSION`: the human step between preprod and prod.

Uses the same registry the Dagster definitions build from the environment (SQLite under
GATA_HOME, PostgreSQL by GATA_REGISTRY_DB_URL, SageMaker with GATA_MODE=aws, or MLflow with
GATA_REGISTRY=mlflow). Approving
is all it takes to reach prod: the `prod_promotion_sensor` deploys the newest approved pair
of servable versions (every blocking check passed; `list` shows each check's verdict). A
version that is not servable needs `--force` to be approved, and prod still will not serve
it until its checks pass.
"""

import json
from typing import TYPE_CHECKING, Annotated

import typer

from gata_assets.cli import app
from gata_assets.cli.common import fail, settings
from gata_assets.core.verdicts import summary, why_not_servable

if TYPE_CHECKING:
    from gata_assets.resources.registry import ModelRegistry

models_app = typer.Typer(help="Registered model versions: list, approve for prod, reject.")
app.add_typer(models_app, name="models")

Note = Annotated[str, typer.Option("--note", "-m", help="Why: kept with the decision.")]


def _registry() -> "ModelRegistry":
    from gata_assets.resources.build import build_registry

    # Dagster resolves dg.EnvVar inside runs only; the CLI reads GATA_REGISTRY_DB_URL (or
    # GATA_MLFLOW_TRACKING_URI) itself.
    return build_registry(settings(), resolve_secrets=True)


def _gate(gate: dict) -> str:
    if not gate:
        return "-"
    ours, theirs = gate.get("challenger_macro_f1"), gate.get("champion_macro_f1")
    scores = f"{ours:.4f}" if isinstance(ours, float) else "n/a"
    if isinstance(theirs, float):
        scores += f" vs {theirs:.4f}"
    return f"{'passed' if gate.get('passed') else 'FAILED'} ({scores})"


@models_app.command("list")
def list_versions(
    group: Annotated[str | None, typer.Option(help="general or low_volume.")] = None,
    status: Annotated[
        str | None, typer.Option(help="PendingManualApproval, Approved or Rejected.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows.")] = False,
) -> None:
    """Registered versions, newest first: status, macro-F1, every blocking check's verdict."""
    entries = _registry().list(group=group, status=status)
    if as_json:
        typer.echo(json.dumps([e.as_dict() for e in entries], indent=1, default=str))
        return
    if not entries:
        typer.echo("no registered model versions")
        return
    for e in entries:
        f1 = f"{e.macro_f1:.4f}" if e.macro_f1 is not None else "fallback"
        typer.echo(
            f"{e.version}  {e.group}  {e.status}  macro-F1 {f1}  gate {_gate(e.gate)}  "
            f"registered {e.registered_at[:19]}" + (f"  note: {e.note}" if e.note else "")
        )
        servable = "servable" if e.servable else "NOT servable"
        typer.echo(f"    {servable}: {summary(e.checks)}")


def _decide(version: str, approve: bool, note: str, force: bool = False) -> None:
    from gata_assets.core.errors import GataInputError
    from gata_assets.core.registry_entry import unknown_version

    registry = _registry()
    try:
        entry = registry.get(version)
        if entry is None:
            raise unknown_version(version)
        if approve and not entry.servable and not force:
            raise GataInputError(
                f"{version} is not servable ({why_not_servable(entry.checks)}): prod serves "
                "only versions whose every blocking check passed; --force records the "
                "approval anyway"
            )
        entry = registry.approve(version, note) if approve else registry.reject(version, note)
    except GataInputError as error:
        raise fail(str(error)) from None
    typer.echo(f"{entry.version}: {entry.status}")
    if approve and not entry.servable:
        typer.echo(f"note: prod will not serve {version} until every blocking check passed")
    if approve:
        typer.echo("prod_promotion_sensor deploys the newest approved general + low_volume pair")


@models_app.command()
def approve(
    version: str,
    note: Note = "",
    force: Annotated[
        bool, typer.Option(help="Record the approval even if a blocking check failed.")
    ] = False,
) -> None:
    """Approve VERSION for prod."""
    _decide(version, True, note, force)


@models_app.command()
def reject(version: str, note: Note = "") -> None:
    """Reject VERSION; if prod serves it, prod rolls back to the newest approved version."""
    _decide(version, False, note)
