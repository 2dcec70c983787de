"""How `gata up` shows a run while it happens: a line per stage, a bar per training.

On a terminal, each training gets a live rich progress bar (epoch, step, samples/s, ETA) under
the stage lines. Anywhere else (CI logs, a pipe, a test capturing output) bars would be noise
of escape codes, so the same updates become plain lines.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from gata_assets.cli.run_events import (
    CheckVerdict,
    RunUpdate,
    StageEnded,
    StageStarted,
    TrainingProgress,
)
from gata_assets.ml.train.progress import duration

MARKS = {"succeeded": "[green]✓[/]", "failed": "[red]✗[/]", "skipped": "[yellow]-[/]"}


class RunDisplay:
    """Turns run updates into what a person reads; `live` chooses bars or plain lines."""

    def __init__(self, console: Console, live: bool | None = None):
        self.console = console
        self.live = console.is_terminal if live is None else live
        self.started: dict[str, float] = {}
        self.bars: dict[str, TaskID] = {}
        self.progress = Progress(
            TextColumn("  {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("epoch {task.fields[epoch]} · {task.fields[rate]} samples/s · eta"),
            TextColumn("{task.fields[eta]}"),
            console=console,
            disable=not self.live,
        )

    def __enter__(self) -> RunDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def show(self, update: RunUpdate) -> None:
        if isinstance(update, StageStarted):
            self.started[update.stage] = time.monotonic()
            self._line(f"[bold]▶[/] {escape(update.stage)}")
        elif isinstance(update, StageEnded):
            self._end(update)
        elif isinstance(update, CheckVerdict):
            verdict = "[green]passed[/]" if update.passed else "[red]failed[/]"
            if update.warning_only and not update.passed:
                verdict = "[yellow]warns[/]"
            kind = "blocking check" if update.blocking else "check"
            detail = f": {escape(update.description)}" if update.description else ""
            name = escape(f"{update.asset}.{update.check}")
            self._line(f"  {kind} {name} {verdict}{detail}")
        elif isinstance(update, TrainingProgress):
            self._progress(update)

    def _end(self, update: StageEnded) -> None:
        began = self.started.get(update.stage)
        took = f" in {duration(time.monotonic() - began)}" if began is not None else ""
        reason = f": {escape(update.reason)}" if update.reason else ""
        stage = escape(update.stage)
        self._line(f"{MARKS[update.outcome]} {stage} {update.outcome}{took}{reason}")
        if update.stage in self.bars:
            self.progress.update(self.bars.pop(update.stage), visible=False)

    def _progress(self, update: TrainingProgress) -> None:
        epoch = f"{update.epoch}/{update.epochs}"
        rate = f"{update.samples_per_second:.1f}"
        if not self.live:
            self.console.print(
                f"    {update.stage}: epoch {epoch} step {update.step}/{update.steps} "
                f"{rate} samples/s eta {update.eta}",
                highlight=False,
            )
            return
        if update.stage not in self.bars:
            self.bars[update.stage] = self.progress.add_task(
                update.stage, total=update.steps, epoch=epoch, rate=rate, eta=update.eta
            )
        self.progress.update(
            self.bars[update.stage], completed=update.step, epoch=epoch, rate=rate, eta=update.eta
        )

    def _line(self, text: str) -> None:
        # Callers escape what comes from checks and errors, so their brackets stay text.
        self.console.print(f"[dim]{time.strftime('%H:%M:%S')}[/] {text}", highlight=False)
