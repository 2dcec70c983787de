"""Which model version each role serves: a servable one, never merely the latest.

The routing endpoint reads the model assets' latest references, but the latest version may
have failed a blocking check (its reference is written before the checks run) and a
`redeploy` run would then put it in front of users. So each role serves the version the
reference names only when the registry says it is servable, else the newest servable
version of that group; with none, nothing is deployed (`core/verdicts.py`).
"""

import dataclasses
from typing import Any

from gata_assets.core.references import ModelRef, ServingModel
from gata_assets.core.registry_entry import ModelVersion
from gata_assets.core.verdicts import why_not_servable
from gata_assets.resources.registry import ModelRegistry


def from_entry(entry: ModelVersion, source: str = "") -> ServingModel:
    return ServingModel(
        uri=entry.artifact_uri,
        model_version=entry.version,
        source=source,
        batch_id=entry.batch_id,
        data_sha256=entry.data_sha256,
        fallback=bool(entry.metrics.get("fallback", False)),
    )


def servable_model(
    role: str, model: ModelRef | None, registry: ModelRegistry, log: Any
) -> ServingModel | None:
    """`model` when servable, else the newest servable version of `role`; None (said in
    the log) when there is none."""
    entry = registry.get(model.model_version) if model is not None else None
    if model is not None and entry is not None and entry.servable:
        # The registry is the record of lineage; a reference written by an older gata may lack it.
        serving = ServingModel.of(model, source="latest trained")
        return dataclasses.replace(
            serving,
            batch_id=entry.batch_id or serving.batch_id,
            data_sha256=entry.data_sha256 or serving.data_sha256,
        )
    if model is not None:
        why = why_not_servable(entry.checks) if entry else "it is not in the registry"
        log.warning(f"{role}: {model.model_version} is not servable ({why})")
    newest = registry.latest_servable(role)
    if newest is None:
        log.warning(f"{role}: no servable version yet (every blocking check passed on none)")
        return None
    if model is not None:
        log.warning(f"{role}: serving {newest.version}, the newest servable version")
    return from_entry(newest, source="newest servable")
