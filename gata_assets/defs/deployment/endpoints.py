"""`routing_endpoint`: the general + low-volume model pair behind one endpoint.

Production traffic calls the router (general model first, hand-offs to the low-volume
model, unsure tickets to triage), so one endpoint asset depends on both model assets and the
UI shows model → endpoint lineage. Where it runs (a local process or SageMaker serverless)
and in which layout (one router endpoint, or one endpoint per model) is the `deployer`
resource's choice. A deployment that does not go live fails the
materialization with the deployer's reason; the previous version keeps serving.

Only servable versions (every blocking check passed, `serving.py`) are deployed: a
`redeploy` run after a failed retrain keeps the last servable pair, and with no servable
pair the asset says so and materializes nothing.
"""

import dagster as dg

from gata_assets.core.model_groups import GENERAL, LOW_VOLUME, MODEL_GROUPS
from gata_assets.core.references import ModelRef, ServingModel
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.defs.deployment.described import endpoint_metadata, endpoint_ref
from gata_assets.defs.deployment.serving import servable_model
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import Deployer
from gata_assets.resources.registry import ModelRegistry


def _model_in(key: str) -> dg.AssetIn:
    # Model references are always JSON refs, whichever IO manager the training side names.
    return dg.AssetIn(key=key, input_manager_key=REFS_IO_MANAGER)


@dg.asset(
    group_name="deployment",
    kinds={"fastapi", "sagemaker"},
    io_manager_key=REFS_IO_MANAGER,
    ins={group.model_asset: _model_in(group.model_asset) for group in MODEL_GROUPS},
    output_required=False,
    description="Router endpoint: the general model decides, hand-offs go to the low-volume "
    "model, low-confidence tickets to the fallback label. Blue/green locally, serverless "
    "on SageMaker.",
    tags={"gata/stage": "deployment"},
)
def routing_endpoint(
    context: dg.AssetExecutionContext,
    general_model: ModelRef,
    low_volume_model: ModelRef,
    deployer: Deployer,
    artifact_store: ArtifactStore,
    registry: ModelRegistry,
):
    from gata_assets.resources.deployer import DeploymentError, EndpointSpec

    inputs = {GENERAL.name: general_model, LOW_VOLUME.name: low_volume_model}
    chosen = {role: servable_model(role, m, registry, context.log) for role, m in inputs.items()}
    models: dict[str, ServingModel] = {r: m for r, m in chosen.items() if m is not None}
    if len(models) < len(chosen):
        context.log.warning("no servable model pair: the router is not deployed or changed")
        return
    spec = EndpointSpec(
        name=deployer.endpoint_name("router"),
        models=models,
        min_confidence=deployer.min_confidence,
    )
    try:
        deployed = deployer.deploy(spec, artifact_store, context.log)
    except DeploymentError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    ref = endpoint_ref(spec, deployed, deployer.layout)
    where = ref.url or ref.arn or ", ".join(e["name"] for e in ref.model_endpoints.values())
    context.log.info(f"{spec.name} serves {ref.model_versions} at {where}")
    yield dg.Output(ref, metadata=endpoint_metadata(ref, deployed))
