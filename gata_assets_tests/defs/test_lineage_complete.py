"""Lineage is complete downstream of the extract: every reference carries the batch id and
data hash it came from, and so does every `gata.run.*` event, prod and batch runs included."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from gata_assets.core.lifecycle_events import run_event
from gata_assets.core.references import REFERENCE_KINDS, ServingModel
from gata_assets.defs.automation.run_events import build_run_event_sensors
from gata_assets.defs.inference.predict_day import predict_day
from gata_assets.resources.cost_meter import LocalCostMeter
from gata_assets.resources.events import LocalEventLog
from gata_assets_tests.defs.promotion_helpers import World

SUCCEEDED, _ = build_run_event_sensors(dg.DefaultSensorStatus.STOPPED)


def test_every_reference_downstream_of_the_extract_has_batch_id_and_data_hash():
    for asset, kind in REFERENCE_KINDS.items():
        names = {f.name for f in dataclasses.fields(kind)}
        lineage = (
            {"batch_id", "sha256"} if asset == "ticket_extract" else {"batch_id", "data_sha256"}
        )
        assert lineage <= names, f"{asset} ({kind.__name__}) lacks {lineage - names}"


def test_a_promotion_run_event_names_its_batch_and_data(tmp_path):
    world = World(tmp_path)
    world.add("gA", "general")
    world.add("l1", "low_volume")
    world.registry.approve("gA")
    world.registry.approve("l1")
    _, run = world.tick()
    assert run.success
    log = LocalEventLog(path=str(tmp_path / "events.jsonl"))
    context = dg.build_run_status_sensor_context(
        sensor_name=SUCCEEDED.name,
        dagster_event=run.get_run_success_event(),
        dagster_instance=world.instance,
        dagster_run=run.dagster_run,
        resources={"events": log, "artifact_store": world.store, "cost_meter": LocalCostMeter()},
    )
    SUCCEEDED(context)
    detail = log.read()[-1]["detail"]
    assert detail["job_name"] == "promote_prod" and detail["assets"] == ["prod_endpoint"]
    assert detail["batch_id"] == "batch-gA" and detail["data_sha256"] == "hash-gA"


class NoTickets:
    text_ids = False

    def created_between(self, start, end) -> pd.DataFrame:
        columns = ["ticket_id", "created_at", "subject", "body", "label"]
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def test_a_batch_predictions_reference_and_its_event_carry_the_models_lineage(tmp_path):
    from gata_assets.resources.artifact_store import LocalArtifactStore

    store = LocalArtifactStore(root=str(tmp_path))
    models = {
        "general": ServingModel(
            uri="file:///g", model_version="g1", batch_id="b7", data_sha256="h7"
        )
    }
    day = datetime(2026, 1, 1, tzinfo=UTC)
    ref = predict_day(NoTickets(), store, models, "2026-01-01", day, day, 0.5, "triage")
    assert ref.batch_id == "b7" and ref.data_sha256 == "h7"
    detail = run_event(
        status="succeeded",
        run_id="r1",
        job_name="batch_inference",
        refs={"batch_predictions": ref.to_json()},
        checks=[],
    )
    assert detail["batch_id"] == "b7" and detail["data_sha256"] == "h7"
