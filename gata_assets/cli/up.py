"""`gata up`: the whole embedded default in one command.

Seeds the sample ticket database (exactly as `gata seed`) if it holds no tickets, then
materializes the main job's assets with `dagster asset materialize` against a persistent
instance under GATA_HOME, so the runs, materializations and checks it produced are there when
you open the UI (`dagster dev`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import typer

from gata_assets.cli import app
from gata_assets.cli.common import settings
from gata_assets.cli.tickets import seed as seed_tickets


@app.command()
def up(
    tickets: int = typer.Option(3000, help="Sample tickets to seed when the database is empty."),
    seed: int = typer.Option(7, help="Seed of the sample generator."),
    select: str = typer.Option("", help="Assets to materialize (default: the main job's)."),
) -> None:
    """Seed the embedded ticket database if needed, then materialize the main job's assets."""
    config = settings()
    config.home.mkdir(parents=True, exist_ok=True)
    # `gata seed` leaves a database that already holds tickets untouched.
    seed_tickets(tickets=tickets, seed_value=seed, db_url=None, replace=False)

    dagster_home = Path(os.environ.get("DAGSTER_HOME") or config.home / "dagster")
    dagster_home.mkdir(parents=True, exist_ok=True)
    dagster_yaml = dagster_home / "dagster.yaml"
    if not dagster_yaml.exists():
        dagster_yaml.write_text("telemetry:\n  enabled: false\n")
    if not select:
        from gata_assets.definitions import MAIN_SELECTION  # deferred: keeps `gata --help` fast

        select = MAIN_SELECTION
    exe = shutil.which("dagster", path=str(Path(sys.executable).parent)) or "dagster"
    command = [exe, "asset", "materialize", "-m", "gata_assets.definitions", "--select", select]
    typer.echo(f"running: {' '.join(command[1:])}  (DAGSTER_HOME={dagster_home})")
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "GATA_HOME": str(config.home)}
    raise typer.Exit(subprocess.run(command, env=env).returncode)
