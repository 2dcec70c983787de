"""`gata up`: the whole embedded default in one command.

Seeds the sample ticket database (exactly as `gata seed`) if it holds no tickets, then
materializes the main job's assets with `dagster asset materialize` against a persistent
instance under GATA_HOME, so the runs, materializations and checks it produced are there when
you open the UI (`dagster dev`). Dagster's own event log goes to a file; the terminal shows a
line per stage, a bar per training and, at the end, what was built and how to try it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

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
    log_path = config.home / "logs" / f"up-{time.strftime('%Y%m%d-%H%M%S')}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # A log or a pipe has no width to ask: wide enough that the tables keep one row a line.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    console.print(f"gata up: dagster asset materialize --select {shlex.quote(select)}")
    console.print(f"Dagster's full event log: {log_path}  (DAGSTER_HOME={dagster_home})")
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "GATA_HOME": str(config.home)}
    raise typer.Exit(run_and_report(command, env, dagster_home, log_path, console))


def run_and_report(
    command: list[str], env: dict[str, str], dagster_home: Path, log_path: Path, console: Console
) -> int:
    """Run the materialization, show it as it goes, then the summary; the exit status."""
    import dagster as dg

    from gata_assets.cli.run_events import find_run, follow_run
    from gata_assets.cli.up_display import RunDisplay
    from gata_assets.cli.up_report import render
    from gata_assets.cli.up_summary import summarize

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        # Create the instance's storage here first, so two processes never migrate it at once.
        instance.get_run_records(limit=1)
        started = time.time()
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            alive = lambda: process.poll() is None  # noqa: E731
            run_id = find_run(instance, started, alive, poll_s=0.5)
            if run_id is None:
                return _no_run(console, process.wait(), log_path)
            with RunDisplay(console) as display:
                for update in follow_run(instance, run_id, alive):
                    display.show(update)
            code = process.wait()
        except KeyboardInterrupt:
            # dagster treats SIGINT as "terminate the run": steps stop and checkpoint.
            process.send_signal(signal.SIGINT)
            process.wait(timeout=120)
            raise
        summary = summarize(instance, run_id)
    render(console, summary, log_path, dagster_home)
    return code or (0 if summary.succeeded else 1)


def _no_run(console: Console, code: int, log_path: Path) -> int:
    """The process ended before it created a run: the definitions did not load."""
    tail = log_path.read_text(errors="replace").strip().splitlines()[-15:]
    console.print("[bold red]gata up failed before the run started:[/]")
    for line in tail:
        console.print(f"  {escape(line)}", soft_wrap=True)
    console.print(f"Full log: {log_path}")
    return code or 1
