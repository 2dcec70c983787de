"""The closing report of `gata up`, rendered with rich from a `RunSummary`.

On success: the models table, the checks, the endpoint with a ready-to-paste `curl`, the
command that opens this run in the Dagster UI. On failure: the failing steps with their
reasons, the failed checks, and where the full log is. rich drops colour when the output is
not a terminal, so the same report reads well in CI logs.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gata_assets.cli.up_summary import RunSummary, ui_command
from gata_assets.ml.train.progress import duration


def _score(value: float | None) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else "-"


def models_table(summary: RunSummary) -> Table:
    table = Table(title="Models", title_justify="left")
    for column in ("model", "accuracy", "macro-F1", "TF-IDF macro-F1", "train time", "fallback"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for row in summary.models:
        took = duration(row.train_seconds) if row.train_seconds else "-"
        table.add_row(
            row.asset,
            _score(row.accuracy),
            _score(row.macro_f1),
            _score(row.baseline_macro_f1),
            took,
            "yes" if row.fallback else "no",
        )
    return table


def checks_table(summary: RunSummary) -> Table:
    table = Table(title="Checks", title_justify="left")
    for column in ("asset", "check", "verdict", "detail"):
        table.add_column(column)
    for row in summary.checks:
        verdict = "[green]passed[/]" if row.passed else "[red]failed[/]"
        if row.warning_only and not row.passed:
            verdict = "[yellow]warns[/]"
        kind = " (blocking)" if row.blocking else ""
        table.add_row(row.asset, row.check + kind, verdict, escape(row.description))
    return table


def render(console: Console, summary: RunSummary, log_path: Path, dagster_home: Path) -> None:
    console.print()
    if summary.models:
        console.print(models_table(summary))
    if summary.checks:
        console.print(checks_table(summary))
    passed = sum(row.passed for row in summary.checks)
    warned = sum(row.warning_only and not row.passed for row in summary.checks)
    warnings = f" ({warned} warned, which stops nothing)" if warned else ""
    console.print(f"{passed} of {len(summary.checks)} checks passed{warnings}.", highlight=False)
    if summary.succeeded:
        if summary.endpoint_url:
            console.print(f"\nRouting endpoint: {summary.endpoint_url}", highlight=False)
            console.print("Route a sample ticket:", highlight=False)
            console.print(f"  {escape(summary.curl)}", highlight=False, soft_wrap=True)
        console.print("\nOpen this run in the Dagster UI:", highlight=False)
        console.print(f"  {escape(ui_command(dagster_home, summary.run_id))}", soft_wrap=True)
        console.print(f"Full Dagster log: {log_path}", highlight=False, soft_wrap=True)
        return
    console.print("\n[bold red]gata up failed.[/]")
    for step, reason in summary.failures:
        console.print(f"  failed step [bold]{escape(step)}[/]: {escape(reason)}", soft_wrap=True)
    for row in summary.checks:
        if not row.passed and not row.warning_only:
            detail = f": {escape(row.description)}" if row.description else ""
            console.print(f"  check {row.asset}/{row.check} failed{detail}", soft_wrap=True)
    console.print(f"Full Dagster log: {log_path}", highlight=False, soft_wrap=True)
    console.print(
        f"Run in the UI: {escape(ui_command(dagster_home, summary.run_id))}", soft_wrap=True
    )
