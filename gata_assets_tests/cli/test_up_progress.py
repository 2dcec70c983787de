"""`gata up`'s view of a run, on real Dagster runs of stand-in assets named as gata's are.

The stand-ins materialize in a test instance exactly as the main job does (stages, check
steps, a training that logs gata-train's progress line, an endpoint with a URL), so the
reader, the live display and the summary are tested on real event logs, not on hand-built
events.
"""

import io

import dagster as dg
from rich.console import Console

from gata_assets.cli.run_events import (
    CheckVerdict,
    RunEnded,
    StageEnded,
    StageStarted,
    TrainingProgress,
    follow_run,
)
from gata_assets.cli.up_display import RunDisplay
from gata_assets.ml.train.progress import Progress, step_line


def progress_line() -> str:
    progress = Progress(elapsed_before=0.0)
    for _ in range(10):
        progress.record_step(0.5, samples=32)
    window = progress.window_line(progress.started + 20.0, every_seconds=0.0, steps_left=190)
    return step_line(1, 2, 10, 200, window)


@dg.asset
def general_model(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    context.log.info(progress_line())
    return dg.MaterializeResult(metadata={"accuracy": 0.95, "macro_f1": 0.93, "fallback": False})


@dg.asset_check(asset=general_model, blocking=True)
def macro_f1_floor() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, description="macro-F1 0.93 vs floor 0.80")


@dg.asset(deps=[general_model])
def routing_endpoint() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"url": dg.MetadataValue.url("http://127.0.0.1:9")})


def run_updates(*definitions) -> list:
    with dg.instance_for_test() as instance:
        result = dg.materialize(list(definitions), instance=instance, raise_on_error=False)
        return list(follow_run(instance, result.run_id, alive=lambda: False))


def test_gata_trains_progress_line_becomes_a_progress_update():
    updates = run_updates(general_model)
    [progress] = [u for u in updates if isinstance(u, TrainingProgress)]
    assert (progress.stage, progress.epoch, progress.epochs) == ("general_model", 1, 2)
    assert (progress.step, progress.steps) == (10, 200)
    assert progress.samples_per_second == 16.0  # 320 samples in 20 s
    assert progress.eta == "6m20s"  # 190 steps left at 2 s a step


def test_stages_start_and_end_while_check_steps_show_only_their_verdicts():
    updates = run_updates(general_model, macro_f1_floor, routing_endpoint)
    stages = [
        (type(u).__name__, u.stage) for u in updates if isinstance(u, StageStarted | StageEnded)
    ]
    assert stages == [
        ("StageStarted", "general_model"),
        ("StageEnded", "general_model"),
        ("StageStarted", "routing_endpoint"),
        ("StageEnded", "routing_endpoint"),
    ]
    [verdict] = [u for u in updates if isinstance(u, CheckVerdict)]
    assert (verdict.asset, verdict.check, verdict.passed, verdict.blocking) == (
        "general_model",
        "macro_f1_floor",
        True,
        True,
    )
    assert updates[-1] == RunEnded(succeeded=True)


@dg.asset_check(asset=general_model, blocking=True, name="macro_f1_floor")
def failing_floor() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, description="macro-F1 0.41 vs floor [0.80]")


def test_a_failed_blocking_check_names_itself_and_skips_what_is_downstream():
    updates = run_updates(general_model, failing_floor, routing_endpoint)
    failed = [u for u in updates if isinstance(u, StageEnded) and u.outcome == "failed"]
    assert [u.reason for u in failed] == ["blocking check failed: general_model: macro_f1_floor"]
    assert StageStarted("routing_endpoint") not in updates
    assert updates[-1] == RunEnded(succeeded=False)


def display_output(live: bool, updates: list) -> tuple[str, RunDisplay]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=live, width=120)
    with RunDisplay(console) as display:
        for update in updates:
            display.show(update)
    return out.getvalue(), display


def test_without_a_terminal_progress_is_plain_lines():
    updates = run_updates(general_model, failing_floor)
    text, display = display_output(False, updates)
    assert not display.live
    assert "general_model: epoch 1/2 step 10/200 16.0 samples/s eta 6m20s" in text
    assert "\x1b[" not in text  # no escape codes in a log
    # A description's brackets are text, not rich markup.
    assert (
        "blocking check general_model.macro_f1_floor failed: macro-F1 0.41 vs floor [0.80]" in text
    )
    assert "✗ general_model_macro_f1_floor failed" in text


def test_on_a_terminal_each_training_gets_a_bar_that_goes_when_it_ends():
    updates = run_updates(general_model)
    before_end = updates[: next(i for i, u in enumerate(updates) if isinstance(u, StageEnded))]
    _, display = display_output(True, before_end)
    assert display.live
    [task] = display.progress.tasks
    assert (task.description, task.completed, task.total) == ("general_model", 10, 200)
    assert task.fields["eta"] == "6m20s"
    _, finished = display_output(True, updates)
    assert not [task for task in finished.progress.tasks if task.visible]
