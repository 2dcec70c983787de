"""`gata source check`: connect read-only to the configured ticket database and say, one
sentence per finding, whether the first extract would work and what it would find.

Same mapping as the pipeline (the GATA_COLUMN_* settings and GATA_TICKET_FILTER, through
resources/build.py). Exit status 1 when anything would stop the extract, 2 on bad usage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gata_assets.cli import app, common
from gata_assets.cli.tickets import DbUrl

source_app = typer.Typer(help="The help desk's ticket database, as gata sees it.")
app.add_typer(source_app, name="source")


def _url(db_url: str | None) -> str:
    config = common.settings()
    if not db_url and config.ticket_db_secret_id:
        from gata_assets.resources.build import build_ticket_db

        return build_ticket_db(config).connection_url()  # the Aurora secret, fetched now
    return common.ticket_db_url(db_url)


@source_app.command("check")
def check(
    db_url: DbUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Check the mapped schema, the filter, the texts, labels and watermark range."""
    import sqlalchemy as sa

    from gata_assets.core.schema import TicketColumnMap
    from gata_assets.core.source_check import check_source
    from gata_assets.core.ticket_reader import TicketReader, safe_url
    from gata_assets.resources.build import build_ticket_db, make
    from gata_assets.resources.pipeline_config import PipelineConfig

    config = common.settings()
    url = _url(db_url)
    parsed = sa.make_url(url)
    database = parsed.database or ""
    local = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if local and not Path(database).expanduser().is_file():  # connecting would create it
        raise common.fail(f"ticket database {safe_url(url)} does not exist")
    columns = TicketColumnMap(**build_ticket_db(config).columns.model_dump())
    min_general = make(PipelineConfig, config, "pipeline").min_general_examples
    with TicketReader.from_url(url, columns) as reader:
        report = check_source(reader, min_general)
    if as_json:
        typer.echo(json.dumps({"database": safe_url(url), "ok": report.ok, **vars(report)}))
    else:
        _print(safe_url(url), report)
    raise typer.Exit(0 if report.ok else 1)


def _print(url: str, report) -> None:
    typer.echo(f"Ticket database: {url}")
    for fact in report.facts:
        typer.echo(f"  {fact}")
    if report.distribution:
        typer.echo("Tickets per category:")
        width = max(len(name) for name in report.distribution)
        for name, count in report.distribution.items():
            typer.echo(f"  {name:<{width}}  {count:>9,}")
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW)
    for error in report.errors:
        typer.secho(f"error: {error}", fg=typer.colors.RED)
    verdict = "OK: the extract can run" if report.ok else "FAILED: the extract would stop"
    typer.echo(f"{verdict} ({len(report.errors)} errors, {len(report.warnings)} warnings)")
