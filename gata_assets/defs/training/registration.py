"""Every model version in the registry, with the verdict of each blocking check on it.

The three blocking checks on a model asset (`macro_f1_floor`, `beats_tfidf_baseline`,
`champion_challenger`) run as separate steps in no fixed order, so whichever reports first
registers the version (idempotent: the others find it) and each records its own verdict.
A version is servable only once all three recorded a pass (`core/verdicts.py`); a check that
crashed records nothing, which keeps the version unservable too.
"""

import os
from typing import Any

import dagster as dg

from gata_assets.core.references import ModelRef
from gata_assets.core.registry_entry import ModelVersion
from gata_assets.resources.registry import ModelRegistry


def code_version() -> str:
    """GATA_CODE_VERSION (set by CI and the images to the git sha), else the package version."""
    from importlib.metadata import PackageNotFoundError, version

    if os.environ.get("GATA_CODE_VERSION"):
        return os.environ["GATA_CODE_VERSION"]
    try:
        return f"gata {version('gata')}"
    except PackageNotFoundError:
        return "gata (unpackaged)"


def register_model(
    registry: ModelRegistry, model: ModelRef, gate: dict[str, Any] | None = None
) -> ModelVersion:
    return registry.register(
        version=model.model_version,
        group=model.group,
        metrics=model.metrics,
        data_sha256=model.data_sha256,
        code_version=code_version(),
        base_model=model.base_model,
        artifact_uri=model.uri,
        batch_id=model.batch_id,
        gate=gate,
    )


def record_verdict(
    context: Any,
    registry: ModelRegistry,
    model: ModelRef,
    check: str,
    result: dg.AssetCheckResult,
    details: dict[str, Any] | None = None,
) -> dg.AssetCheckResult:
    """Register `model` if needed and keep `result` as its `check` verdict; returns `result`."""
    register_model(registry, model, gate=details)
    reason = result.description or ("passed" if result.passed else "failed")
    registry.record_check(model.model_version, check, bool(result.passed), reason, details)
    context.log.info(
        f"{model.model_version}: {check} {'passed' if result.passed else 'FAILED'} ({reason})"
    )
    return result
