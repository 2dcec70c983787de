"""Promotion to prod: the prod endpoint serves only versions a person approved.

Preprod (`routing_endpoint`) follows every version that passes the gate inside the retrain
run. Prod is its own asset, in its own group, deployed only by the approval sensor (or by
hand): it serves the newest Approved and servable version of each group (every blocking
check passed, `core/verdicts.py`), or exactly the versions given in run config, which must
be approved and servable too. Rejecting the version prod serves makes an older approved one
the newest, and the sensor (`promotion_sensor.py`) rolls prod back to it.
"""

import dagster as dg

from gata_assets.core.model_groups import GENERAL, LOW_VOLUME, MODEL_GROUPS
from gata_assets.core.references import EndpointRef, ServingModel
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.defs.deployment.serving import from_entry
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import MODEL_ROLES, Deployer
from gata_assets.resources.registry import ModelRegistry

PROD = dg.AssetKey("prod_endpoint")


class PromotionConfig(dg.Config):
    general_version: str = ""
    """Empty: the newest approved general version."""
    low_volume_version: str = ""
    """Empty: the newest approved low-volume version."""


def approved_pair(registry: ModelRegistry, wanted: dict[str, str]) -> dict[str, ServingModel]:
    """Per role the approved, servable version to serve; raises naming what is missing."""
    from gata_assets.core.registry_entry import APPROVED
    from gata_assets.core.verdicts import why_not_servable

    chosen = {}
    for role in MODEL_ROLES:
        if wanted.get(role):
            entry = registry.get(wanted[role])
        else:
            entry = registry.latest_servable(role, approved=True)
        asked = wanted.get(role) or f"newest approved servable {role} version"
        if entry is None or entry.status != APPROVED or entry.group != role:
            raise dg.Failure(
                description=f"prod serves only approved versions: {asked} is not an approved "
                f"{role} model (`gata models list`, `gata models approve VERSION`)",
                allow_retries=False,
            )
        if not entry.servable:
            raise dg.Failure(
                description=f"prod serves only servable versions: {asked} is not "
                f"({why_not_servable(entry.checks)}; `gata models list`)",
                allow_retries=False,
            )
        chosen[role] = from_entry(entry, source="approved")
    return chosen


@dg.asset(
    group_name="promotion",
    deps=[group.model_asset for group in MODEL_GROUPS],
    io_manager_key=REFS_IO_MANAGER,
    kinds={"fastapi", "sagemaker"},
    description="The prod router endpoint: only Approved model versions from the registry.",
)
def prod_endpoint(
    context: dg.AssetExecutionContext,
    config: PromotionConfig,
    registry: ModelRegistry,
    deployer: Deployer,
    artifact_store: ArtifactStore,
) -> dg.Output[EndpointRef]:
    from gata_assets.resources.deployer import DeploymentError, EndpointSpec

    wanted = {role: getattr(config, f"{role}_version") for role in MODEL_ROLES}
    spec = EndpointSpec(
        name=deployer.endpoint_name("prod"),
        models=approved_pair(registry, wanted),
        min_confidence=deployer.min_confidence,
    )
    try:
        deployed = deployer.deploy(spec, artifact_store, context.log)
    except DeploymentError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    general = spec.models[GENERAL.name]
    ref = EndpointRef(
        endpoint=spec.name,
        model_versions=spec.versions(),
        batch_id=general.batch_id,
        data_sha256=general.data_sha256,
        model_uris={role: model.uri for role, model in spec.models.items()},
        low_volume_fallback=spec.models[LOW_VOLUME.name].fallback,
        min_confidence=spec.min_confidence,
        deployment=deployed,
    )
    context.log.info(f"{spec.name} now serves {spec.versions()}")
    return dg.Output(
        ref,
        metadata={
            "endpoint": spec.name,
            "batch_id": ref.batch_id,
            "data_sha256": ref.data_sha256,
            **{f"{role}_model_version": v for role, v in ref.model_versions.items()},
            "deployment": dg.MetadataValue.json(deployed),
        },
    )
