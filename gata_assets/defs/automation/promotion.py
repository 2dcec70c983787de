"""Promotion to prod: the prod endpoint serves only versions a person approved.

Preprod (`routing_endpoint`) follows every version that passes the gate inside the retrain
run. Prod is its own asset, in its own group, deployed only by the approval sensor (or by
hand): it serves the newest Approved version of each group, or exactly the versions given in
run config. Rejecting the version prod serves makes an older approved one the newest, and
the sensor rolls prod back to it.
"""

import json

import dagster as dg

from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import MODEL_ROLES, Deployer
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.registry import ModelRegistry

PROD = dg.AssetKey("prod_endpoint")


class PromotionConfig(dg.Config):
    general_version: str = ""
    """Empty: the newest approved general version."""
    low_volume_version: str = ""
    """Empty: the newest approved low-volume version."""


def approved_pair(registry: ModelRegistry, wanted: dict[str, str]) -> dict[str, dict]:
    """Per role the approved version to serve; raises naming what is missing."""
    from gata_assets.core.registry_entry import APPROVED

    chosen = {}
    for role in MODEL_ROLES:
        entry = registry.get(wanted[role]) if wanted.get(role) else registry.latest_approved(role)
        if entry is None or entry.status != APPROVED or entry.group != role:
            asked = wanted.get(role) or f"newest approved {role} version"
            raise dg.Failure(
                description=f"prod serves only approved versions: {asked} is not an approved "
                f"{role} model (`gata models list`, `gata models approve VERSION`)",
                allow_retries=False,
            )
        chosen[role] = {"uri": entry.artifact_uri, "model_version": entry.version}
    return chosen


@dg.asset(
    group_name="promotion",
    deps=["general_model", "low_volume_model"],
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
) -> dg.Output[dict]:
    from gata_assets.resources.deployer import DeploymentError, EndpointSpec

    wanted = {"general": config.general_version, "low_volume": config.low_volume_version}
    spec = EndpointSpec(
        name=deployer.endpoint_name("prod"),
        models=approved_pair(registry, wanted),
        min_confidence=deployer.min_confidence,
    )
    try:
        deployed = deployer.deploy(spec, artifact_store, context.log)
    except DeploymentError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    ref = {**deployed, "endpoint": spec.name, "model_versions": spec.versions()}
    context.log.info(f"{spec.name} now serves {spec.versions()}")
    return dg.Output(
        ref,
        metadata={
            "endpoint": spec.name,
            "general_model_version": spec.versions()["general"],
            "low_volume_model_version": spec.versions()["low_volume"],
            "deployment": dg.MetadataValue.json(deployed),
        },
    )


def evaluate_approvals(
    context: dg.SensorEvaluationContext, registry: ModelRegistry, store: ArtifactStore
) -> dg.SensorResult | dg.SkipReason:
    newest = {role: registry.latest_approved(role) for role in MODEL_ROLES}
    missing = [role for role, entry in newest.items() if entry is None]
    if missing:
        return dg.SkipReason(f"no approved {' / '.join(missing)} version yet")
    wanted = {role: entry.version for role, entry in newest.items()}
    serving = ((latest_ref(store, PROD) or {}).get("model_versions")) or {}
    if serving == wanted:
        return dg.SkipReason(f"prod already serves {wanted}")
    if context.cursor and json.loads(context.cursor) == wanted:
        return dg.SkipReason(f"promotion of {wanted} already requested")
    config = {f"{role}_version": version for role, version in wanted.items()}
    request = dg.RunRequest(
        run_key=f"promote:{wanted['general']}:{wanted['low_volume']}",
        run_config={"ops": {"prod_endpoint": {"config": config}}},
        tags={"gata/trigger": "approval", **{f"gata/{k}": v for k, v in config.items()}},
    )
    return dg.SensorResult(run_requests=[request], cursor=json.dumps(wanted, sort_keys=True))
