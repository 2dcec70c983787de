"""The summary `gata up` ends with, read back from a real run of stand-ins for gata's assets."""

import io
from pathlib import Path

import dagster as dg
from rich.console import Console

from gata_assets.cli.up_report import render
from gata_assets.cli.up_summary import RunSummary, summarize


@dg.asset
def general_model() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={"accuracy": 0.95, "macro_f1": 0.93, "fallback": False, "train_seconds": 83.0}
    )


@dg.asset
def low_volume_model() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"fallback": True, "train_seconds": 0.0})


@dg.asset_check(asset=general_model, blocking=True)
def beats_tfidf_baseline() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=True,
        metadata={"baseline_macro_f1": 0.88},
        description="macro-F1 0.9300 vs TF-IDF baseline 0.8800",
    )


@dg.asset(deps=[general_model, low_volume_model])
def routing_endpoint() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"url": dg.MetadataValue.url("http://127.0.0.1:8123")})


@dg.asset_check(asset=low_volume_model)
def low_volume_sufficiency() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False, severity=dg.AssetCheckSeverity.WARN, description="2 tickets, need 8"
    )


@dg.asset_check(asset=general_model, blocking=True, name="macro_f1_floor")
def failing_floor() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, description="macro-F1 0.41 vs floor 0.80")


def run_summary(*definitions) -> RunSummary:
    with dg.instance_for_test() as instance:
        result = dg.materialize(list(definitions), instance=instance, raise_on_error=False)
        return summarize(instance, result.run_id)


def rendered(summary: RunSummary) -> str:
    out = io.StringIO()
    render(Console(file=out, width=120), summary, Path("/tmp/up.log"), Path("/tmp/dh"))
    return out.getvalue()


def test_summary_reports_this_runs_models_checks_and_endpoint():
    summary = run_summary(general_model, low_volume_model, beats_tfidf_baseline, routing_endpoint)
    assert summary.succeeded
    general, low_volume = summary.models
    assert (general.asset, general.accuracy, general.macro_f1) == ("general_model", 0.95, 0.93)
    assert (general.baseline_macro_f1, general.train_seconds, general.fallback) == (0.88, 83, False)
    assert (low_volume.asset, low_volume.fallback, low_volume.accuracy) == (
        "low_volume_model",
        True,
        None,
    )
    [check] = summary.checks
    assert (check.asset, check.check, check.passed) == (
        "general_model",
        "beats_tfidf_baseline",
        True,
    )
    assert summary.endpoint_url == "http://127.0.0.1:8123"
    assert summary.failures == []


def test_success_report_has_the_table_a_curl_and_the_ui_command():
    summary = run_summary(
        general_model,
        low_volume_model,
        beats_tfidf_baseline,
        low_volume_sufficiency,
        routing_endpoint,
    )
    text = rendered(summary)
    assert "TF-IDF macro-F1" in text
    row = next(line for line in text.splitlines() if "general_model" in line and "0.9500" in line)
    assert "0.9300" in row and "0.8800" in row and "1m23s" in row
    assert "curl -s -X POST http://127.0.0.1:8123/invocations" in text
    assert '"instances": [{"text": ' in text
    assert "DAGSTER_HOME=/tmp/dh dagster dev -m gata_assets.definitions" in text
    assert f"http://127.0.0.1:3000/runs/{summary.run_id}" in text
    assert "1 of 2 checks passed (1 warned, which stops nothing)." in text
    assert "warns" in text and "failed" not in text


def test_failure_report_names_the_step_its_reason_and_the_log():
    summary = run_summary(
        general_model, low_volume_model, failing_floor, low_volume_sufficiency, routing_endpoint
    )
    assert not summary.succeeded
    assert summary.failures == [
        ("general_model_macro_f1_floor", "blocking check failed: general_model: macro_f1_floor")
    ]
    text = rendered(summary)
    assert "gata up failed." in text
    assert "failed step general_model_macro_f1_floor" in text
    assert "check general_model/macro_f1_floor failed: macro-F1 0.41 vs floor 0.80" in text
    assert "low_volume_sufficiency failed" not in text  # a warning is not why it failed
    assert "Full Dagster log: /tmp/up.log" in text
    assert "curl" not in text  # no endpoint to try when the run failed
