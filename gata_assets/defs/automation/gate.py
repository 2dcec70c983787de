"""Champion/challenger gate and registration: a blocking check on each model asset.

The champion is what the (preprod) routing endpoint serves now, if servable (every blocking
check passed), else the newest servable version. The endpoint asset is
downstream of both models, so when this blocking check fails the endpoint step is skipped
and the champion keeps serving; the check's description and metadata carry both scores and
the reason. Every checked version, passing or not, is registered in the model registry
(PendingManualApproval) with the verdict, so the approver sees why preprod did not take it.
"""

from dataclasses import dataclass
from typing import Any

import dagster as dg

from gata_assets.core.model_groups import MODEL_GROUPS, model_group
from gata_assets.core.references import EndpointRef, ModelRef, SplitRef
from gata_assets.core.verdicts import GATE_CHECK
from gata_assets.defs.training.registration import record_verdict
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.registry import ModelRegistry

ENDPOINT = dg.AssetKey("routing_endpoint")


@dataclass(frozen=True)
class Contender:
    """A model in the gate: where its files are and the macro-F1 recorded for it, if any."""

    version: str
    uri: str | None
    macro_f1: float | None
    test_sha256: str | None
    fallback: bool = False


def champion_of(
    group: str, store: ArtifactStore, registry: ModelRegistry, challenger: str = ""
) -> Contender | None:
    """What the challenger must not lose to: the version the routing endpoint serves for
    `group` when it is servable, else the newest servable version; None when there is none.
    A version that failed (or never finished) its checks is never the champion."""
    endpoint = latest_ref(store, ENDPOINT, EndpointRef)
    version = endpoint.model_versions.get(group) if endpoint else None
    entry = registry.get(version) if version else None
    if version and version == challenger:
        return Contender(version=version, uri=None, macro_f1=None, test_sha256=None)
    if entry is None or not entry.servable:
        entry = registry.latest_servable(group, exclude=challenger)
        if entry is None:
            return None
    uri = endpoint.model_uris.get(group) if endpoint and entry.version == version else None
    return Contender(
        version=entry.version,
        uri=uri or entry.artifact_uri or None,
        macro_f1=entry.macro_f1,
        test_sha256=entry.gate.get("test_sha256"),
        fallback=bool(entry.metrics.get("fallback", False)),
    )


def challenger_of(model: ModelRef) -> Contender:
    return Contender(
        version=model.model_version,
        uri=model.uri,
        macro_f1=model.macro_f1,
        test_sha256=model.test_sha256,
        fallback=model.fallback,
    )


def _score(store: ArtifactStore, model: Contender, test_set: SplitRef) -> tuple[float | None, str]:
    """(macro-F1 on this test set, where the number comes from)."""
    if model.fallback:
        return None, "fallback model"
    if model.test_sha256 == test_set.sha256 and model.macro_f1 is not None:
        return float(model.macro_f1), "recorded on this test set"
    import tempfile
    from pathlib import Path

    from gata_assets.ml.champion import rescore

    frame = store.read_parquet(test_set.uri)
    with tempfile.TemporaryDirectory(prefix="gata-champion-") as scratch:
        model_dir = store.get_dir(str(model.uri), Path(scratch) / "model")
        score = rescore(model_dir, list(frame["text"]), list(frame["label"]))
    return score, "re-scored on this test set"


def judge(
    model: ModelRef,
    test_set: SplitRef,
    champion: Contender | None,
    store: ArtifactStore,
    tolerance: float,
) -> dict[str, Any]:
    """The gate record: verdict, reason and both scores with their source."""
    from gata_assets.ml.champion import verdict

    ours, our_source = _score(store, challenger_of(model), test_set)
    record = {"challenger_macro_f1": ours, "challenger_score_source": our_source}
    record |= {"tolerance": tolerance, "test_sha256": test_set.sha256}
    if champion is None or champion.version == model.model_version:
        note = "no champion is deployed yet" if champion is None else "already the champion"
        return {**record, "passed": True, "reason": note, "champion_version": None}
    if champion.uri is None:
        theirs, their_source = champion.macro_f1, "recorded (model files unknown)"
    else:
        theirs, their_source = _score(store, champion, test_set)
    decided = verdict(ours, theirs, tolerance, has_champion=True)
    return {
        **record,
        "passed": decided.passed,
        "reason": decided.reason,
        "champion_version": champion.version,
        "champion_macro_f1": theirs,
        "champion_score_source": their_source,
    }


def _metadata(record: dict[str, Any], model: ModelRef) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "challenger_version": dg.MetadataValue.text(model.model_version),
        "champion_version": dg.MetadataValue.text(record.get("champion_version") or "none"),
        "tolerance": dg.MetadataValue.float(record["tolerance"]),
        "challenger_score_source": record["challenger_score_source"],
    }
    for side in ("challenger", "champion"):
        score = record.get(f"{side}_macro_f1")
        if score is not None:
            metadata[f"{side}_macro_f1"] = dg.MetadataValue.float(float(score))
    if record.get("champion_score_source"):
        metadata["champion_score_source"] = record["champion_score_source"]
    return metadata


def build_gate(name: str) -> dg.AssetChecksDefinition:
    group = model_group(name)

    @dg.asset_check(
        asset=group.model_asset,
        name="champion_challenger",
        blocking=True,
        additional_ins={"test_set": dg.AssetIn(key=group.test_asset)},
        description="The new model's macro-F1 on the frozen test set is not worse than the "
        "deployed champion's by more than `lifecycle.gate_tolerance`; registers the version.",
    )
    def champion_challenger(
        context: dg.AssetCheckExecutionContext,
        model: ModelRef,
        test_set: SplitRef,
        artifact_store: ArtifactStore,
        registry: ModelRegistry,
        lifecycle: LifecycleConfig,
    ) -> dg.AssetCheckResult:
        champion = champion_of(group.name, artifact_store, registry, model.model_version)
        record = judge(model, test_set, champion, artifact_store, lifecycle.gate_tolerance)
        level = context.log.info if record["passed"] else context.log.warning
        level(f"gate {'passed' if record['passed'] else 'FAILED'}: {record['reason']}")
        result = dg.AssetCheckResult(passed=bool(record["passed"]), description=record["reason"])
        record_verdict(context, registry, model, GATE_CHECK, result, details=record)
        entry = registry.get(model.model_version)
        status = entry.status if entry else "unregistered"
        context.log.info(f"registered {model.model_version} as {status}")
        return dg.AssetCheckResult(
            passed=bool(record["passed"]),
            description=record["reason"],
            metadata={**_metadata(record, model), "registry_status": status},
        )

    return champion_challenger


gate_checks = [build_gate(group.name) for group in MODEL_GROUPS]
