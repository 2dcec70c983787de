"""Blocking model checks: a macro-F1 floor, and beating TF-IDF + a linear model.

Blocking, so a model that fails either never reaches the deployment assets downstream in
that run; each verdict is also recorded in the model registry, so no later run (a redeploy,
batch inference, a promotion) picks a version that failed one. A fallback model has no F1
to compare (it answers one constant label by design, and the sufficiency rule already
decided that); both checks pass it with a note saying so, so it counts as servable.
"""

from typing import Any

import dagster as dg

from gata_assets.core.model_groups import MODEL_GROUPS, model_group
from gata_assets.core.references import ModelRef, SplitRef
from gata_assets.defs.training.registration import record_verdict
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.registry import ModelRegistry
from gata_assets.resources.trainer import TrainingConfig

FALLBACK_NOTE = "fallback model: a constant answer, nothing trained, no F1 to compare"


def floor_verdict(model: ModelRef, floor: float) -> dg.AssetCheckResult:
    if model.fallback:
        return dg.AssetCheckResult(
            passed=True,
            description=FALLBACK_NOTE,
            metadata={"note": FALLBACK_NOTE, "floor": dg.MetadataValue.float(floor)},
        )
    macro_f1 = float(model.metrics["macro_f1"])
    return dg.AssetCheckResult(
        passed=macro_f1 >= floor,
        description=f"macro-F1 {macro_f1:.4f} vs floor {floor:.4f}",
        metadata={
            "macro_f1": dg.MetadataValue.float(macro_f1),
            "floor": dg.MetadataValue.float(floor),
            "accuracy": dg.MetadataValue.float(float(model.metrics["accuracy"])),
        },
    )


def baseline_verdict(
    model: ModelRef, baseline: dict[str, Any] | None, margin: float
) -> dg.AssetCheckResult:
    if model.fallback:
        return dg.AssetCheckResult(
            passed=True,
            description=FALLBACK_NOTE,
            metadata={"note": FALLBACK_NOTE, "margin": dg.MetadataValue.float(margin)},
        )
    if baseline is None:
        raise ValueError("a classifier needs the baseline's metrics")
    ours, theirs = float(model.metrics["macro_f1"]), float(baseline["macro_f1"])
    lead = ours - theirs
    passed = lead >= margin - 1e-9
    return dg.AssetCheckResult(
        passed=passed,
        description=(
            f"macro-F1 {ours:.4f} vs TF-IDF baseline {theirs:.4f} "
            f"({'+' if lead >= 0 else ''}{lead:.4f}; required margin {margin:+.4f})"
        ),
        metadata={
            "macro_f1": dg.MetadataValue.float(ours),
            "baseline_macro_f1": dg.MetadataValue.float(theirs),
            "baseline_accuracy": dg.MetadataValue.float(float(baseline["accuracy"])),
            "lead": dg.MetadataValue.float(lead),
            "margin": dg.MetadataValue.float(margin),
            "baseline": dg.MetadataValue.text(str(baseline.get("model", "tfidf"))),
        },
    )


def stale_split_reason(model: ModelRef, train_set: SplitRef, test_set: SplitRef) -> str | None:
    # None: a reference older than this check, which recorded no split hashes.
    if model.train_sha256 not in (None, train_set.sha256) or model.test_sha256 not in (
        None,
        test_set.sha256,
    ):
        return "the model was trained on another train/test split than the current one"
    return None


def build_model_checks(name: str) -> list[dg.AssetChecksDefinition]:
    group = model_group(name)
    key = dg.AssetKey(group.model_asset)

    @dg.asset_check(
        asset=key,
        name="macro_f1_floor",
        blocking=True,
        description="Macro-F1 on the held-out test set is at least `training.min_macro_f1`.",
    )
    def macro_f1_floor(
        context: dg.AssetCheckExecutionContext,
        model: ModelRef,
        training: TrainingConfig,
        registry: ModelRegistry,
    ) -> dg.AssetCheckResult:
        result = floor_verdict(model, training.min_macro_f1)
        return record_verdict(context, registry, model, "macro_f1_floor", result)

    @dg.asset_check(
        asset=key,
        name="beats_tfidf_baseline",
        blocking=True,
        additional_ins={
            "train_set": dg.AssetIn(key=group.train_asset),
            "test_set": dg.AssetIn(key=group.test_asset),
        },
        description="Macro-F1 at least the TF-IDF + linear SVM baseline's (trained on the same "
        "split) plus `training.baseline_margin`: a BERT that loses to TF-IDF is not deployed.",
    )
    def beats_tfidf_baseline(
        context: dg.AssetCheckExecutionContext,
        model: ModelRef,
        train_set: SplitRef,
        test_set: SplitRef,
        artifact_store: ArtifactStore,
        training: TrainingConfig,
        registry: ModelRegistry,
    ) -> dg.AssetCheckResult:
        result = baseline_check(model, train_set, test_set, artifact_store, training)
        return record_verdict(context, registry, model, "beats_tfidf_baseline", result)

    return [macro_f1_floor, beats_tfidf_baseline]


def baseline_check(
    model: ModelRef,
    train_set: SplitRef,
    test_set: SplitRef,
    artifact_store: ArtifactStore,
    training: TrainingConfig,
) -> dg.AssetCheckResult:
    if model.fallback:
        return baseline_verdict(model, None, training.baseline_margin)
    stale = stale_split_reason(model, train_set, test_set)
    if stale:
        return dg.AssetCheckResult(passed=False, description=stale)
    from gata_assets.ml.baselines import tfidf_linear_baseline

    train = artifact_store.read_parquet(train_set.uri)
    test = artifact_store.read_parquet(test_set.uri)
    names = dict(zip(train["label"], train["category"], strict=True))
    baseline = tfidf_linear_baseline(
        train["text"], train["label"], test["text"], test["label"], names
    )
    return baseline_verdict(model, baseline, training.baseline_margin)


model_checks = [check for group in MODEL_GROUPS for check in build_model_checks(group.name)]
