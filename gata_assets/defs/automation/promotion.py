"""Promotion to prod: the prod endpoint serves only versions a person approved.

Preprod (`routing_endpoint`) follows every version that passes the gate inside the retrain
run. Prod is its own asset, in its own group, deployed only by the approval sensor (or by
hand): it serves the newest Approved and servable version of each group (every blocking
check passed, `core/verdicts.py`), or exactly the versions given in run config, which must
be approved and servable too. Rejecting the version prod serves makes an older approved one
the newest, and the sensor (`promotion_sensor.py`) rolls prod back to it.

Prod deploys through its own resource, `prod_deployer`: the same kind of deployer as
preprod's, built (`resources/build.py`) to act in the prod account when seed 003's
separate accounts are configured, so neither asset branches on where it deploys.
"""

import dagster as dg

from gata_assets.core.model_groups import MODEL_GROUPS
from gata_assets.core.references import EndpointRef, ServingModel
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.defs.deployment.described import endpoint_metadata, endpoint_ref
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
    description="The prod router endpoint (or one endpoint per model): only Approved model "
    "versions from the registry, deployed by `prod_deployer`, in the prod account if "
    "GATA_PROD_ROLE_ARN names one.",
)
def prod_endpoint(
    context: dg.AssetExecutionContext,
    config: PromotionConfig,
    registry: ModelRegistry,
    prod_deployer: Deployer,
    artifact_store: ArtifactStore,
) -> dg.Output[EndpointRef]:
    from gata_assets.resources.deployer import DeploymentError, EndpointSpec

    wanted = {role: getattr(config, f"{role}_version") for role in MODEL_ROLES}
    spec = EndpointSpec(
        name=prod_deployer.endpoint_name("prod"),
        models=approved_pair(registry, wanted),
        min_confidence=prod_deployer.min_confidence,
    )
    try:
        deployed = prod_deployer.deploy(spec, artifact_store, context.log)
    except DeploymentError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    ref = endpoint_ref(spec, deployed, prod_deployer.layout)
    account = deployed.get("account_id") or "this machine"
    context.log.info(f"{spec.name} now serves {spec.versions()} (account {account})")
    return dg.Output(ref, metadata=endpoint_metadata(ref, deployed))
