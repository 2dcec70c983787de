"""Daily batch predictions: a three-day backfill through the routing function, into Parquet."""

from __future__ import annotations

import dagster as dg
import pytest

from gata_assets.core.verdicts import BLOCKING_CHECKS
from gata_assets.defs.automation.jobs import batch_inference_job
from gata_assets.defs.inference import DAILY, batch_predictions
from gata_assets.resources.local_deployer import LocalDeployer
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.resources.ticket_db import TicketDatabase
from gata_assets_tests.helpers import register_servable
from gata_assets_tests.serving_fixtures import session_models

DAYS = ["2026-05-01", "2026-05-02", "2026-05-03"]
pytestmark = pytest.mark.slow  # loads two small BERT classifiers


@pytest.fixture
def batch_world(small_ticket_db, offline_resources, gata_home, tmp_path_factory):
    models = session_models(tmp_path_factory)
    store = offline_resources["artifact_store"]
    registry = SqlModelRegistry(url=f"sqlite:///{gata_home / 'gata.db'}")
    # Prod's pair: a general model that hands every ticket off, a low-volume one that says gdpr.
    for version, group, path in (
        ("general-v7", "general", models.handoff_general),
        ("low_volume-v3", "low_volume", models.low_volume),
    ):
        uri = store.put_dir(path, f"models/{group}/{version}").uri
        register_servable(registry, version, group, uri)
    resources = {
        **offline_resources,
        "ticket_db": TicketDatabase(url=small_ticket_db),
        "registry": registry,
        "deployer": LocalDeployer(home=str(gata_home)),
    }
    defs = dg.Definitions(
        assets=[batch_predictions], jobs=[batch_inference_job], resources=resources
    )
    return defs.resolve_job_def("batch_inference"), store


def test_three_day_backfill_writes_one_parquet_per_day(batch_world):
    job, store = batch_world
    keys = DAILY.get_partition_keys_in_range(dg.PartitionKeyRange(DAYS[0], DAYS[-1]))
    assert keys == DAYS
    rows = {}
    for day in keys:
        result = job.execute_in_process(partition_key=day)
        assert result.success
        (materialization,) = result.asset_materializations_for_node("batch_predictions")
        meta = {k: v.value for k, v in materialization.metadata.items()}
        assert materialization.partition == day
        assert meta["model_versions"] == {"general": "general-v7", "low_volume": "low_volume-v3"}
        assert meta["model_sources"] == {"general": "approved", "low_volume": "approved"}
        assert meta["fallback_rate"] == 0.0 and meta["category_distribution"] == {
            "gdpr": meta["dagster/row_count"]
        }
        assert meta["uri"].endswith(f"predictions/{day}.parquet")
        assert meta["scoring"] == "in_process"
        assert meta["cost_usd"] == 0.0  # nothing is billed locally, and it says so
        assert meta["cost_basis"]["kind"] == "serverless"
        frame = store.read_parquet(store.uri(f"predictions/{day}.parquet"))
        assert set(frame["route"]) == {"low_volume"} and set(frame["label"]) == {21}
        assert (frame["general_version"] == "general-v7").all()
        assert frame["created_at"].dt.strftime("%Y-%m-%d").eq(day).all()
        rows[day] = frame["ticket_id"].tolist()
    # Ticket n is stamped May 1st 00:00 + n hours: each day holds its own 24 (23 on day one).
    assert rows == {
        "2026-05-01": list(range(1, 24)),
        "2026-05-02": list(range(24, 48)),
        "2026-05-03": list(range(48, 72)),
    }
    # Re-running a day rewrites exactly that day's file with the same content.
    assert job.execute_in_process(partition_key=DAYS[1]).success
    assert (
        store.read_parquet(store.uri(f"predictions/{DAYS[1]}.parquet"))["ticket_id"].tolist()
        == rows[DAYS[1]]
    )


def test_day_without_tickets_writes_an_empty_file(batch_world):
    job, store = batch_world
    result = job.execute_in_process(partition_key="2026-01-01")
    (materialization,) = result.asset_materializations_for_node("batch_predictions")
    assert materialization.metadata["dagster/row_count"].value == 0
    assert store.read_parquet(store.uri("predictions/2026-01-01.parquet")).empty


def test_without_approvals_the_latest_servable_models_answer(
    batch_world, gata_home, tmp_path_factory
):
    job, store = batch_world
    models = session_models(tmp_path_factory)
    registry = SqlModelRegistry(url=f"sqlite:///{gata_home / 'gata.db'}")
    for version in ("general-v7", "low_volume-v3"):
        registry.reject(version)
    # The newest trained pair: the same hand-off general model, a fallback low-volume model.
    for group, path in (("general", models.handoff_general), ("low_volume", models.fallback)):
        ref = store.put_dir(path, f"models/{group}/latest").as_dict()
        store.write_json({**ref, "model_version": f"{group}-latest"}, f"refs/{group}_model.json")
        registry.register(
            version=f"{group}-latest",
            group=group,
            metrics={},
            data_sha256="d2",
            code_version="c",
            base_model="b",
            artifact_uri=ref["uri"],
            batch_id="b2",
        )
        for check in BLOCKING_CHECKS:
            registry.record_check(f"{group}-latest", check, True, "passed")
    result = job.execute_in_process(partition_key=DAYS[0])
    meta = {
        k: v.value
        for k, v in result.asset_materializations_for_node("batch_predictions")[0].metadata.items()
    }
    assert meta["model_sources"] == {"general": "latest trained", "low_volume": "latest trained"}
    assert meta["fallback_rate"] == 1.0 and meta["category_distribution"] == {"triage": 23}
    assert meta["route_counts"] == {"fallback": 23}
    assert meta["batch_id"] == "b2" and meta["data_sha256"] == "d2"
