"""A day of `batch_predictions` through SageMaker Batch Transform answers as one in process.

The same day (24 tickets), the same approved BERT pair, materialized twice: once routed in
the run worker, once as a transform job that moto records and the stand-in runs with the
inference image's real `serve` command on the job's model archive in S3. Every ticket must
get the same label, category, confidence and route, and the Parquet the same rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
from moto import mock_aws

from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.defs.inference import batch_predictions
from gata_assets.resources.batch_scoring import InProcessBatchScoring
from gata_assets.resources.cost_meter import AwsCostMeter
from gata_assets.resources.local_deployer import LocalDeployer
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.resources.ticket_db import TicketDatabase
from gata_assets_tests.aws_world.transform_standin import TransformStandin
from gata_assets_tests.helpers import register_servable
from gata_assets_tests.resources.batch_transform_helpers import REGION, build_world, client
from gata_assets_tests.serving_fixtures import session_models

pytestmark = [pytest.mark.slow, pytest.mark.aws_world]  # gata-serve and two BERT classifiers
DAY = "2026-05-02"
COMPARED = ["ticket_id", "label", "category", "route", "general_version", "low_volume_version"]


def decisive(model_dir: Path, target: Path) -> Path:
    """The untrained general head, its weights scaled up: the same varied answers (hand-offs
    among them), but with clear margins between first and second class, so an answer is
    decided by the model and not by rounding, and confidences spread over 0.45-0.97."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(model_dir, target)
    weights = load_file(target / "model.safetensors")
    weights["classifier.weight"] = weights["classifier.weight"] * 100
    save_file(weights, target / "model.safetensors", metadata={"format": "pt"})
    return target


def approved_pair(store, registry, tmp_path_factory, scratch: Path) -> None:
    """That general model and the low-volume one (always gdpr), approved: the pair both runs
    must predict with."""
    models = session_models(tmp_path_factory)
    for version, group, path in (
        ("general-r1", "general", decisive(models.random_general, scratch / "general")),
        ("low_volume-lv1", "low_volume", models.low_volume),
    ):
        uri = store.put_dir(path, f"models/{group}/{version}").uri
        register_servable(registry, version, group, uri)


def materialize(resources: dict, scoring) -> dict:
    result = dg.materialize(
        [batch_predictions], partition_key=DAY, resources={**resources, "batch_scoring": scoring}
    )
    assert result.success
    (event,) = result.asset_materializations_for_node("batch_predictions")
    return {k: v.value for k, v in event.metadata.items()}


def test_a_day_through_batch_transform_answers_as_in_process(
    small_ticket_db, gata_home, tmp_path, tmp_path_factory, monkeypatch
):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        standin = TransformStandin(lambda: client("s3"))  # the image's `serve`, for real
        world = build_world(tmp_path, monkeypatch, roles=(), standin=standin)
        registry = SqlModelRegistry(url=f"sqlite:///{gata_home / 'gata.db'}")
        approved_pair(world.store, registry, tmp_path_factory, tmp_path)
        resources = {
            "ticket_db": TicketDatabase(url=small_ticket_db),
            "artifact_store": world.store,
            "registry": registry,
            "pipeline": PipelineConfig(),
            # A threshold the general model's answers straddle: all three routes occur.
            "deployer": LocalDeployer(home=str(gata_home), min_confidence=0.6),
            REFS_IO_MANAGER: ArtifactRefIOManager(store=world.store),
            "cost_meter": AwsCostMeter(region_name=REGION),
        }
        here = materialize(resources, InProcessBatchScoring())
        local = world.store.read_parquet(here["uri"])
        there = materialize(resources, world.scoring.model_copy(update={"poll_seconds": 0.2}))
        remote = world.store.read_parquet(there["uri"])
        standin.join()

    assert here["scoring"] == "in_process" and there["scoring"] == "batch_transform"
    assert there["batch_transform/job_name"].startswith("gata-bt-20260502-")
    assert there["batch_transform/billable_seconds"] > 0
    # The day's cost is the transform job's instances (no endpoint is deployed here).
    assert here["cost_usd"] == 0.0 and there["cost_usd"] > 0
    assert there["cost_basis"]["transform"]["instance_type"] == "ml.m5.xlarge"
    [ran] = standin.ran
    assert (ran["TransformJobStatus"], ran["records"]) == ("Completed", 24), ran
    assert len(local) == 24 and set(local["route"]) == {"general", "low_volume", "fallback"}
    assert remote[COMPARED].equals(local[COMPARED])
    # Precision `auto` (both paths) is bfloat16 on a CPU with native bf16, which rounds a
    # little differently when a batch holds other tickets; in float32 they agree to 1e-6.
    assert remote["confidence"].tolist() == pytest.approx(local["confidence"].tolist(), abs=5e-3)
    for key in ("category_distribution", "route_counts", "fallback_rate", "model_versions"):
        assert there[key] == here[key], key
