"""`routing_endpoint`: the general + low-volume model pair behind one endpoint.

Production traffic calls the router (general model first, hand-offs to the low-volume
model, unsure tickets to triage), so one endpoint asset depends on both model assets and the
UI shows model → endpoint lineage. Where it runs (a local process or SageMaker serverless)
is the `deployer` resource's choice. A deployment that does not go live fails the
materialization with the deployer's reason; the previous version keeps serving.
"""

import dagster as dg

from gata_assets.defs.common import REFS_IO_MANAGER, lineage_metadata
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import Deployer


def _model_in(key: str) -> dg.AssetIn:
    # Model references are always JSON refs, whichever IO manager the training side names.
    return dg.AssetIn(key=key, input_manager_key=REFS_IO_MANAGER)


@dg.asset(
    group_name="deployment",
    kinds={"fastapi", "sagemaker"},
    io_manager_key=REFS_IO_MANAGER,
    ins={
        "general_model": _model_in("general_model"),
        "low_volume_model": _model_in("low_volume_model"),
    },
    description="Router endpoint: the general model decides, hand-offs go to the low-volume "
    "model, low-confidence tickets to the fallback label. Blue/green locally, serverless "
    "on SageMaker.",
    tags={"gata/stage": "deployment"},
)
def routing_endpoint(
    context: dg.AssetExecutionContext,
    general_model: dict,
    low_volume_model: dict,
    deployer: Deployer,
    artifact_store: ArtifactStore,
) -> dg.Output[dict]:
    from gata_assets.resources.deployer import DeploymentError, EndpointSpec

    spec = EndpointSpec(
        name=deployer.endpoint_name("router"),
        models={"general": general_model, "low_volume": low_volume_model},
        min_confidence=deployer.min_confidence,
    )
    try:
        deployed = deployer.deploy(spec, artifact_store, context.log)
    except DeploymentError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    ref = {
        **deployed,
        "endpoint": spec.name,
        "batch_id": general_model["batch_id"],
        "model_versions": spec.versions(),
        "model_uris": {role: spec.models[role]["uri"] for role in spec.models},
        "low_volume_fallback": bool(low_volume_model.get("fallback", False)),
        "min_confidence": spec.min_confidence,
    }
    context.log.info(
        f"{spec.name} serves {ref['model_versions']} at {ref.get('url') or ref.get('arn')}"
    )
    metadata = {
        **lineage_metadata(ref),
        "endpoint": dg.MetadataValue.text(spec.name),
        "general_model_version": dg.MetadataValue.text(spec.versions()["general"]),
        "low_volume_model_version": dg.MetadataValue.text(spec.versions()["low_volume"]),
        "low_volume_fallback": dg.MetadataValue.bool(ref["low_volume_fallback"]),
        "min_confidence": dg.MetadataValue.float(spec.min_confidence),
        "deployment": dg.MetadataValue.json(deployed),
    }
    if ref.get("url"):
        metadata["url"] = dg.MetadataValue.url(ref["url"])
    if ref.get("arn"):
        metadata["endpoint_arn"] = dg.MetadataValue.text(ref["arn"])
    return dg.Output(ref, metadata=metadata)
