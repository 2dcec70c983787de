"""`gata seed` and `gata import-tickets`: fill the default ticket schema.

`seed` gives a new user a realistic help desk to run the whole pipeline on in a minute;
`import-tickets` brings a labelled CSV export into the same schema, safe to re-run.
pandas, numpy and SQLAlchemy are imported inside the commands so `gata --help` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gata_assets.cli import app, common

if TYPE_CHECKING:
    import sqlalchemy as sa

    from gata_assets.core import ticket_loading

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        help="SQLAlchemy URL of the ticket database "
        "[default: GATA_TICKET_DB_URL, else SQLite at $GATA_HOME/tickets.db]",
        show_default=False,
    ),
]


@app.command("seed")
def seed(
    tickets: Annotated[int, typer.Option("--tickets", min=1, help="How many tickets.")] = 3000,
    seed_value: Annotated[int, typer.Option("--seed", help="Same seed, same tickets.")] = 7,
    db_url: DbUrl = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Drop the existing ticket tables first.")
    ] = False,
) -> None:
    """Create a ticket database filled with realistic generated help-desk tickets."""
    import sqlalchemy as sa

    from gata_assets.core import sample_data, ticket_loading, ticket_tables
    from gata_assets.core.ticket_reader import safe_url

    url = common.ticket_db_url(db_url)
    engine = _engine(url)
    try:
        existing = _ticket_count(engine)
        if existing and not replace:
            typer.echo(
                f"{safe_url(url)} already holds {existing:,} tickets; nothing changed. "
                "Pass --replace to drop them and seed afresh."
            )
            return
        if replace:
            ticket_tables.metadata.drop_all(engine)
        frame, _ = sample_data.generate_tickets(n_tickets=tickets, seed=seed_value)
        ticket_loading.load_into_database(engine, frame)
    except sa.exc.SQLAlchemyError as error:
        raise _database_failure(error, url) from None
    finally:
        engine.dispose()
    counts = frame["category"].value_counts()
    typer.echo(f"Seeded {len(frame):,} tickets in {len(counts)} categories into {safe_url(url)}")
    for name, count in counts.head(5).items():
        typer.echo(f"  {name:<28} {count:>8,}")
    if len(counts) > 5:
        typer.echo(f"  ... and {len(counts) - 5} more categories")
    small = counts[counts < 40]
    typer.echo(f"{len(small)} categories have under 40 tickets (the low-volume tail).")


@app.command("import-tickets")
def import_tickets(
    file: Annotated[Path, typer.Argument(help="CSV file with a header row.", show_default=False)],
    text_column: Annotated[str, typer.Option("--text-column", help="Column with the text.")],
    label_column: Annotated[str, typer.Option("--label-column", help="Column with the queue.")],
    subject_column: Annotated[
        str | None, typer.Option("--subject-column", help="Optional subject column.")
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            help="The help desk's ticket id: a ticket seen in an earlier import (any file) "
            "is skipped. Without it each row of each file is its own ticket.",
        ),
    ] = None,
    db_url: DbUrl = None,
    reject_file: Annotated[
        Path | None,
        typer.Option(
            "--reject-file",
            help="Where rejected rows go [default: $GATA_HOME/rejects/<name>-rejects.csv]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import labelled tickets from a CSV file; re-importing the same file adds nothing."""
    import sqlalchemy as sa

    from gata_assets.core import ticket_loading
    from gata_assets.core.errors import GataInputError
    from gata_assets.core.ticket_reader import safe_url

    if not file.is_file():
        raise common.fail(f"{file} does not exist or is not a file")
    url = common.ticket_db_url(db_url)
    rejects = reject_file or common.settings().home / "rejects" / f"{file.stem}-rejects.csv"
    engine = _engine(url)
    try:
        report = ticket_loading.import_csv(
            engine,
            file,
            text_column,
            label_column,
            subject_column,
            reject_path=rejects,
            id_column=id_column,
        )
    except GataInputError as error:
        raise common.fail(str(error)) from None
    except OSError as error:  # unreadable input, or a reject file that cannot be written
        raise common.fail(f"{error.filename}: {error.strerror}") from None
    except sa.exc.SQLAlchemyError as error:
        raise _database_failure(error, url) from None
    finally:
        engine.dispose()
    _print_report(report, safe_url(url))


def _print_report(report: ticket_loading.ImportReport, url: str) -> None:
    # Records and the source lines they span: a broken quote folds many lines into one record.
    reasons = "".join(f", {reason}: {n:,}" for reason, n in report.rejected.items())
    typer.echo(f"Database:            {url}")
    typer.echo(f"Read:                {report.records_read:,} records, {report.lines_read:,} lines")
    typer.echo(f"Imported:            {report.imported:,} ({report.imported_lines:,} lines)")
    typer.echo(
        f"Duplicates skipped:  {report.duplicates_skipped:,} "
        f"({report.skipped_lines:,} lines; imported before)"
    )
    typer.echo(
        f"Rejected:            {sum(report.rejected.values()):,} "
        f"({report.rejected_lines:,} lines{reasons})"
    )
    if report.blank_lines:
        typer.echo(f"Blank lines:         {report.blank_lines:,}")
    typer.echo(f"Reject file:         {report.reject_path}")


def _engine(url: str) -> sa.Engine:
    import sqlalchemy as sa

    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            # The embedded database lives under GATA_HOME, which may not exist yet.
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return sa.create_engine(parsed)
    except sa.exc.NoSuchModuleError as error:
        raise common.fail(f"no database driver for that URL: {error}") from None
    except (sa.exc.ArgumentError, ValueError):
        # The parser's message repeats the URL, password included: keep it out.
        raise common.fail("the ticket database URL is not a valid SQLAlchemy URL") from None


def _ticket_count(engine: sa.Engine) -> int:
    import sqlalchemy as sa

    from gata_assets.core import ticket_tables

    if not sa.inspect(engine).has_table(ticket_tables.tickets.name):
        return 0
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(ticket_tables.tickets)
        return int(conn.execute(query).scalar_one())


def _database_failure(error: sa.exc.SQLAlchemyError, url: str) -> typer.Exit:
    from gata_assets.core.ticket_reader import safe_url

    detail = getattr(error, "orig", None) or error
    first_line = (str(detail).strip().splitlines() or [type(error).__name__])[0]
    return common.fail(f"ticket database {safe_url(url)} failed: {first_line}")
