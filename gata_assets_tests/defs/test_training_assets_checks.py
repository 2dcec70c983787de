"""The model checks: the macro-F1 floor, the margin over the TF-IDF baseline, fallbacks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gata_assets.core.references import ModelRef, SplitRef
from gata_assets.defs.training.checks import (
    FALLBACK_NOTE,
    baseline_check,
    baseline_verdict,
    floor_verdict,
)
from gata_assets.resources.trainer import TrainingConfig


def model_ref(macro_f1: float | None, fallback: bool = False) -> ModelRef:
    metrics = {} if fallback else {"macro_f1": macro_f1, "accuracy": macro_f1}
    return ModelRef(
        uri="file:///m",
        size_bytes=1,
        sha256="0" * 64,
        model_version="general-b1-0",
        group="general",
        fallback=fallback,
        metrics=metrics,
        fallback_label="triage",
    )


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
    train_part, test_part = frame[frame.ticket_id % 5 != 0], frame[frame.ticket_id % 5 == 0]
    train = SplitRef(**store.write_parquet(train_part, "train.parquet").as_dict(), batch_id="b1")
    test = SplitRef(**store.write_parquet(test_part, "test.parquet").as_dict(), batch_id="b1")
    beats = baseline_check
    weak = replace(model_ref(0.4), train_sha256=train.sha256, test_sha256=test.sha256)
    perfect = replace(weak, metrics={"macro_f1": 1.0, "accuracy": 1.0})
    config = TrainingConfig()
    for ref, passed in ((weak, False), (perfect, True)):
        verdict = beats(
            model=ref, train_set=train, test_set=test, artifact_store=store, training=config
        )
        assert verdict.passed is passed, verdict.description
        assert verdict.metadata["baseline_macro_f1"].value == 1.0
    stale = beats(
        model=replace(perfect, train_sha256="other"),
        train_set=train,
        test_set=test,
        artifact_store=store,
        training=config,
    )
    assert not stale.passed and "another train/test split" in stale.description
