"""What `gata up` shows of a Dagster run, read from the instance's event log as it is written.

`dagster asset materialize` writes every event into the instance's storage under DAGSTER_HOME;
reading that storage (rather than parsing the subprocess's log lines) gives structured events:
step starts and ends, check verdicts with their metadata, failures with their error. Training
progress is the one thing that arrives as text: gata-train's Pipes log lines, whose format
`gata_assets/ml/train/loop.py` writes and `PROGRESS_LINE` reads (a test pins the pair).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import dagster as dg

PROGRESS_LINE = re.compile(
    r"epoch (?P<epoch>\d+)/(?P<epochs>\d+) step (?P<step>\d+)/(?P<steps>\d+) "
    r"loss \S+ (?P<rate>[\d.]+) samples/s eta (?P<eta>\S+)"
)


@dataclass(frozen=True)
class StageStarted:
    stage: str


@dataclass(frozen=True)
class StageEnded:
    stage: str
    outcome: str  # "succeeded" | "failed" | "skipped"
    reason: str = ""


@dataclass(frozen=True)
class CheckVerdict:
    asset: str
    check: str
    passed: bool
    blocking: bool
    warning_only: bool
    """A failed verdict of WARN severity: worth reading, stops nothing."""
    description: str


@dataclass(frozen=True)
class TrainingProgress:
    stage: str
    epoch: int
    epochs: int
    step: int
    steps: int
    samples_per_second: float
    eta: str


@dataclass(frozen=True)
class RunEnded:
    succeeded: bool


RunUpdate = StageStarted | StageEnded | CheckVerdict | TrainingProgress | RunEnded


def first_line(message: str) -> str:
    """An error's first line without the exception's module path (`…Error: reason`)."""
    line = next((part for part in message.strip().splitlines() if part.strip()), "")
    return re.sub(r"^[\w.]+(Error|Exception|Failure): ", "", line.strip())


def failure_reason(error: Any) -> str:
    """One line: the error's first line; for failed blocking checks, which ones (named on the
    lines after the first, as `asset: check`)."""
    if error is None:
        return ""
    if error.cls_name != "DagsterAssetCheckFailedError":
        return first_line(error.message)
    named = [line.strip() for line in error.message.split("Stack Trace")[0].splitlines()[1:]]
    return "blocking check failed: " + ", ".join(line for line in named if line)


class RunReader:
    """Turns a run's event log entries, in order, into updates for a person watching.

    Steps that only evaluate checks are not stages of their own: their verdict lines say all
    there is, so their start and success are not shown (a failure still is).
    """

    def __init__(self) -> None:
        self.materializing: set[str] = set()

    def read(self, entry: dg.EventLogEntry) -> RunUpdate | None:
        event = entry.dagster_event
        if event is None:
            return _progress(entry)
        kind, step = event.event_type, event.step_key or ""
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            self.materializing.add(step)
        elif kind == dg.DagsterEventType.STEP_START and step in self.materializing:
            return StageStarted(step)
        elif kind == dg.DagsterEventType.STEP_SUCCESS and step in self.materializing:
            return StageEnded(step, "succeeded")
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            return StageEnded(step, "failed", failure_reason(event.step_failure_data.error))
        elif kind == dg.DagsterEventType.STEP_SKIPPED:
            return StageEnded(step, "skipped", "an upstream step failed")
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            return _verdict(event.asset_check_evaluation_data)
        elif kind in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE):
            return RunEnded(kind == dg.DagsterEventType.RUN_SUCCESS)
        elif kind == dg.DagsterEventType.RUN_CANCELED:
            return RunEnded(False)
        return None


def _progress(entry: dg.EventLogEntry) -> TrainingProgress | None:
    match = PROGRESS_LINE.search(entry.user_message or "")
    if match is None or not entry.step_key:
        return None
    numbers = {k: int(match[k]) for k in ("epoch", "epochs", "step", "steps")}
    rate = float(match["rate"])
    return TrainingProgress(entry.step_key, **numbers, samples_per_second=rate, eta=match["eta"])


def _verdict(evaluation: Any) -> CheckVerdict:
    return CheckVerdict(
        asset=evaluation.asset_key.to_user_string(),
        check=evaluation.check_name,
        passed=evaluation.passed,
        blocking=bool(evaluation.blocking),
        warning_only=evaluation.severity == dg.AssetCheckSeverity.WARN,
        description=evaluation.description or "",
    )


def find_run(
    instance: dg.DagsterInstance, created_after: float, alive: Callable[[], bool], poll_s: float
) -> str | None:
    """The id of the first run created after `created_after`, once it exists (None if the
    process that was to create it ended first)."""
    after = dg.RunsFilter(created_after=_utc(created_after))
    while True:
        records = instance.get_run_records(filters=after, limit=1, ascending=True)
        if records:
            return records[0].dagster_run.run_id
        if not alive():
            return None
        time.sleep(poll_s)


def follow_run(
    instance: dg.DagsterInstance, run_id: str, alive: Callable[[], bool], poll_s: float = 0.5
) -> Iterator[RunUpdate]:
    """Every update of the run, as it happens, until it ends or its process is gone."""
    cursor, reader = None, RunReader()
    while True:
        running = alive()  # read before the events, so none written before exit is missed
        page = instance.get_records_for_run(run_id, cursor=cursor)
        cursor = page.cursor
        for record in page.records:
            update = reader.read(record.event_log_entry)
            if update is not None:
                yield update
                if isinstance(update, RunEnded):
                    return
        if page.has_more:
            continue
        if not running:
            return
        time.sleep(poll_s)


def _utc(timestamp: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, tz=UTC)
