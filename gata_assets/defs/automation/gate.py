"""Champion/challenger gate and registration: a blocking check on each model asset.

The champion is what the (preprod) routing endpoint serves now. The endpoint asset is
downstream of both models, so when this blocking check fails the endpoint step is skipped
and the champion keeps serving; the check's description and metadata carry both scores and
the reason. Every checked version, passing or not, is registered in the model registry
(PendingManualApproval) with the verdict, so the approver sees why preprod did not take it.
"""

import os
from typing import Any

import dagster as dg

from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.registry import ModelRegistry

MODEL_GROUPS = ("general", "low_volume")
ENDPOINT = dg.AssetKey("routing_endpoint")


def code_version() -> str:
    """GATA_CODE_VERSION (set by CI and the images to the git sha), else the package version."""
    from importlib.metadata import PackageNotFoundError, version

    if os.environ.get("GATA_CODE_VERSION"):
        return os.environ["GATA_CODE_VERSION"]
    try:
        return f"gata {version('gata')}"
    except PackageNotFoundError:
        return "gata (unpackaged)"


def champion_of(group: str, store: ArtifactStore, registry: ModelRegistry) -> dict | None:
    """The version the routing endpoint serves for `group` now, or None before any deploy."""
    endpoint = latest_ref(store, ENDPOINT)
    version = ((endpoint or {}).get("model_versions") or {}).get(group)
    if not version:
        return None
    entry = registry.get(version)
    uri = ((endpoint or {}).get("model_uris") or {}).get(group)
    return {
        "version": version,
        "uri": uri or (entry.artifact_uri if entry else None),
        "macro_f1": entry.macro_f1 if entry else None,
        "test_sha256": entry.gate.get("test_sha256") if entry else None,
    }


def _score(
    store: ArtifactStore, model: dict[str, Any], test_set: dict[str, Any]
) -> tuple[float | None, str]:
    """(macro-F1 on this test set, where the number comes from)."""
    if model.get("fallback"):
        return None, "fallback model"
    if model.get("test_sha256") == test_set["sha256"] and model.get("macro_f1") is not None:
        return float(model["macro_f1"]), "recorded on this test set"
    import tempfile
    from pathlib import Path

    from gata_assets.ml.champion import rescore

    frame = store.read_parquet(test_set["uri"])
    with tempfile.TemporaryDirectory(prefix="gata-champion-") as scratch:
        model_dir = store.get_dir(model["uri"], Path(scratch) / "model")
        score = rescore(model_dir, list(frame["text"]), list(frame["label"]))
    return score, "re-scored on this test set"


def judge(
    model: dict[str, Any],
    test_set: dict[str, Any],
    champion: dict[str, Any] | None,
    store: ArtifactStore,
    tolerance: float,
) -> dict[str, Any]:
    """The gate record: verdict, reason and both scores with their source."""
    from gata_assets.ml.champion import verdict

    challenger = {**model, "macro_f1": (model.get("metrics") or {}).get("macro_f1")}
    ours, our_source = _score(store, challenger, test_set)
    record = {"challenger_macro_f1": ours, "challenger_score_source": our_source}
    record |= {"tolerance": tolerance, "test_sha256": test_set["sha256"]}
    if champion is None or champion["version"] == model["model_version"]:
        note = "no champion is deployed yet" if champion is None else "already the champion"
        return {**record, "passed": True, "reason": note, "champion_version": None}
    if champion["uri"] is None:
        theirs, their_source = champion["macro_f1"], "recorded (model files unknown)"
    else:
        theirs, their_source = _score(store, champion, test_set)
    decided = verdict(ours, theirs, tolerance, has_champion=True)
    return {
        **record,
        "passed": decided.passed,
        "reason": decided.reason,
        "champion_version": champion["version"],
        "champion_macro_f1": theirs,
        "champion_score_source": their_source,
    }


def _metadata(record: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "challenger_version": dg.MetadataValue.text(model["model_version"]),
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


def build_gate(group: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=f"{group}_model",
        name="champion_challenger",
        blocking=True,
        additional_ins={"test_set": dg.AssetIn(key=f"{group}_test_set")},
        description="The new model's macro-F1 on the frozen test set is not worse than the "
        "deployed champion's by more than `lifecycle.gate_tolerance`; registers the version.",
    )
    def champion_challenger(
        context: dg.AssetCheckExecutionContext,
        model: dict,
        test_set: dict,
        artifact_store: ArtifactStore,
        registry: ModelRegistry,
        lifecycle: LifecycleConfig,
    ) -> dg.AssetCheckResult:
        champion = champion_of(group, artifact_store, registry)
        record = judge(model, test_set, champion, artifact_store, lifecycle.gate_tolerance)
        entry = registry.register(
            version=model["model_version"],
            group=group,
            metrics=model.get("metrics") or {},
            data_sha256=model.get("data_sha256", ""),
            code_version=code_version(),
            base_model=model.get("base_model") or "",
            artifact_uri=model["uri"],
            batch_id=model.get("batch_id", ""),
            gate=record,
        )
        level = context.log.info if record["passed"] else context.log.warning
        level(f"gate {'passed' if record['passed'] else 'FAILED'}: {record['reason']}")
        context.log.info(f"registered {entry.version} as {entry.status}")
        return dg.AssetCheckResult(
            passed=bool(record["passed"]),
            description=record["reason"],
            metadata={**_metadata(record, model), "registry_status": entry.status},
        )

    return champion_challenger


gate_checks = [build_gate(group) for group in MODEL_GROUPS]
