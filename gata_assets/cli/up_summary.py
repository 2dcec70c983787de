"""What `gata up` says when the run is over: how good the models are and how to try them.

Everything is read back from the run's own events in the instance (the model assets'
materialization metadata, the check evaluations, the step failures), so the summary reports
exactly what this run produced, never an older materialization of the same asset.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.cli.run_events import failure_reason
from gata_assets.core.model_groups import MODEL_GROUPS

ENDPOINT_ASSET = "routing_endpoint"
BASELINE_CHECK = "beats_tfidf_baseline"
SAMPLE_TICKET = "Outlook keeps asking for my password since this morning"


@dataclass(frozen=True)
class ModelRow:
    asset: str
    fallback: bool
    accuracy: float | None
    macro_f1: float | None
    baseline_macro_f1: float | None
    train_seconds: float | None


@dataclass(frozen=True)
class CheckRow:
    asset: str
    check: str
    passed: bool
    blocking: bool
    warning_only: bool
    description: str


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    succeeded: bool
    models: list[ModelRow] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(step, reason) of each failed step."""
    endpoint_url: str = ""

    @property
    def curl(self) -> str:
        body = json.dumps({"instances": [{"text": SAMPLE_TICKET}]})
        return (
            f"curl -s -X POST {self.endpoint_url}/invocations "
            f"-H 'Content-Type: application/json' -d {shlex.quote(body)}"
        )


def _value(metadata: dict[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def _events(instance: dg.DagsterInstance, run_id: str, kind: dg.DagsterEventType) -> list[Any]:
    records = instance.get_records_for_run(run_id, of_type=kind).records
    return [record.event_log_entry.dagster_event for record in records]


def summarize(instance: dg.DagsterInstance, run_id: str) -> RunSummary:
    run = instance.get_run_by_id(run_id)
    materialized: dict[str, dict[str, Any]] = {}
    for event in _events(instance, run_id, dg.DagsterEventType.ASSET_MATERIALIZATION):
        materialization = event.step_materialization_data.materialization
        materialized[materialization.asset_key.to_user_string()] = dict(materialization.metadata)
    checks, baselines = [], {}
    for event in _events(instance, run_id, dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        verdict = event.asset_check_evaluation_data
        asset = verdict.asset_key.to_user_string()
        checks.append(
            CheckRow(
                asset=asset,
                check=verdict.check_name,
                passed=verdict.passed,
                blocking=bool(verdict.blocking),
                warning_only=verdict.severity == dg.AssetCheckSeverity.WARN,
                description=verdict.description or "",
            )
        )
        if verdict.check_name == BASELINE_CHECK:
            baselines[asset] = _value(dict(verdict.metadata), "baseline_macro_f1")
    failures = [
        (event.step_key or "run", failure_reason(event.step_failure_data.error))
        for event in _events(instance, run_id, dg.DagsterEventType.STEP_FAILURE)
    ]
    models = [
        ModelRow(
            asset=group.model_asset,
            fallback=bool(_value(metadata, "fallback")),
            accuracy=_value(metadata, "accuracy"),
            macro_f1=_value(metadata, "macro_f1"),
            baseline_macro_f1=baselines.get(group.model_asset),
            train_seconds=_value(metadata, "train_seconds"),
        )
        for group in MODEL_GROUPS
        if (metadata := materialized.get(group.model_asset)) is not None
    ]
    endpoint = materialized.get(ENDPOINT_ASSET, {})
    return RunSummary(
        run_id=run_id,
        succeeded=run is not None and run.status == dg.DagsterRunStatus.SUCCESS,
        models=models,
        checks=checks,
        failures=failures,
        endpoint_url=str(_value(endpoint, "url") or ""),
    )


def ui_command(dagster_home: Path, run_id: str) -> str:
    return (
        f"DAGSTER_HOME={shlex.quote(str(dagster_home))} dagster dev -m gata_assets.definitions"
        f"   # then open http://127.0.0.1:3000/runs/{run_id}"
    )
