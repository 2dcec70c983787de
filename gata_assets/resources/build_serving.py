"""The resources that serve and price what was trained: deployers, batch scoring, cost meter.

Split from `build.py` (which assembles them with the rest) so each file reads in one go.
Prod has its own deployer so that, in AWS, it can act in another account (GATA_PROD_*)
while `routing_endpoint` stays in this one; locally both are the same local deployer.
"""

from __future__ import annotations

from gata_assets.options import SettingsError
from gata_assets.resources.batch_scoring import BatchScoring, InProcessBatchScoring
from gata_assets.resources.cost_meter import AwsCostMeter, CostMeter, LocalCostMeter
from gata_assets.resources.deployer import Deployer
from gata_assets.resources.local_deployer import LocalDeployer
from gata_assets.resources.option_values import make
from gata_assets.resources.sagemaker_batch_transform import SageMakerBatchScoring
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets.settings import GataSettings


def build_deployer(settings: GataSettings) -> Deployer:
    """Local gata-serve processes, or SageMaker serverless endpoints."""
    if settings.mode == "aws":
        return make(SageMakerDeployer, settings, "deployer", "sagemaker_deployer", **settings.aws())
    return make(LocalDeployer, settings, "deployer", home=str(settings.home))


def build_prod_deployer(settings: GataSettings) -> Deployer:
    """`prod_endpoint`'s deployer: preprod's, except that with GATA_PROD_* in AWS it acts in
    the prod account (assumed role, that account's bucket and model role)."""
    if settings.mode != "aws":
        return build_deployer(settings)
    prod = settings.fields("prod_deployer")
    if prod.get("assume_role_arn") and not (prod.get("artifact_bucket") and prod.get("role_arn")):
        raise SettingsError(
            "GATA_PROD_ROLE_ARN needs GATA_PROD_ARTIFACT_BUCKET (the prod account's bucket) "
            "and GATA_PROD_SAGEMAKER_ROLE_ARN (the prod account's model role)"
        )
    shared = settings.fields("deployer", "sagemaker_deployer")
    fixed = {name: value for name, value in shared.items() if name not in prod}
    return make(SageMakerDeployer, settings, "prod_deployer", **fixed, **settings.aws())


def build_batch_scoring(settings: GataSettings) -> BatchScoring:
    """Batch predictions in the run worker; in AWS, days over GATA_BATCH_TRANSFORM_MIN_TICKETS
    as SageMaker Batch Transform jobs."""
    if settings.mode == "aws":
        return make(
            SageMakerBatchScoring,
            settings,
            "batch_scoring",
            kms_key_id=settings.kms_key_id,
            **settings.aws(),
        )
    return InProcessBatchScoring()


def build_cost_meter(settings: GataSettings) -> CostMeter:
    """Prices what AWS records (GATA_PRICE_TABLE over the built-in table); a malformed
    table fails here, when the definitions load, in either world."""
    from gata_assets.core.errors import GataInputError

    if settings.mode == "aws":
        meter: CostMeter = make(AwsCostMeter, settings, "cost", **settings.aws())
    else:
        meter = make(LocalCostMeter, settings, "cost")
    try:
        meter.prices()
    except GataInputError as error:
        raise SettingsError(f"GATA_PRICE_TABLE: {error}") from None
    return meter
