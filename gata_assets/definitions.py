"""Everything Dagster loads: the stages' assets and checks, jobs, and the chosen resources.

This is the one place where the local and AWS worlds differ: `build_resources` picks each
capability's implementation from `GataSettings`. The `@dg.definitions` entry point reads the
environment when Dagster loads the code location, not when this module is imported.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

from gata_assets.defs import (
    automation,
    deployment,
    extraction,
    inference,
    preparation,
    training,
)
from gata_assets.defs.automation.jobs import TRAINING_GROUPS
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.resources.artifact_store import ArtifactStore, LocalArtifactStore
from gata_assets.resources.deployer import Deployer
from gata_assets.resources.local_deployer import LocalDeployer
from gata_assets.resources.local_trainer import LocalTrainer
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets.resources.sagemaker_trainer import SageMakerTrainer
from gata_assets.resources.ticket_db import AuroraTicketDatabase, TicketColumns, TicketDatabase
from gata_assets.resources.trainer import Trainer, TrainingConfig
from gata_assets.settings import GataSettings

STAGES = (
    extraction.defs,
    preparation.defs,
    training.defs,
    deployment.defs,
    inference.defs,
    automation.defs,
)

# The main job (`retrain`: extract → prepare → train → gate → deploy preprod) as a selection
# string for `gata up` and `dagster asset materialize --select`.
MAIN_SELECTION = " or ".join(f"group:{group}" for group in TRAINING_GROUPS)


def build_ticket_db(settings: GataSettings) -> TicketDatabase:
    columns = TicketColumns(**settings.options_for(TicketColumns.model_fields, "column_"))
    if settings.ticket_db_secret_id:
        return AuroraTicketDatabase(
            secret_id=settings.ticket_db_secret_id, region_name=settings.aws_region, columns=columns
        )
    if settings.ticket_db_url_from_env:
        return TicketDatabase(url=dg.EnvVar("GATA_TICKET_DB_URL"), columns=columns)
    return TicketDatabase(url=settings.default_ticket_db_url, columns=columns)


def build_artifact_store(settings: GataSettings) -> ArtifactStore:
    if settings.mode == "aws":
        return S3ArtifactStore(
            bucket=settings.artifact_bucket,
            prefix=settings.artifact_prefix,
            region_name=settings.aws_region,
            kms_key_id=settings.kms_key_id,
            endpoint_url=settings.aws_endpoint_url,
        )
    return LocalArtifactStore(root=str(settings.artifact_root))


def build_trainer(settings: GataSettings) -> Trainer:
    """gata-train as a local Pipes subprocess, or SageMaker training jobs (GATA_FINETUNE_*)."""
    if settings.mode == "aws":
        return SageMakerTrainer.from_options(
            settings.options, settings.aws_region, settings.kms_key_id
        )
    return LocalTrainer(checkpoint_root=str(settings.home / "checkpoints"))


def build_deployer(settings: GataSettings) -> Deployer:
    """Local gata-serve processes, or SageMaker serverless (GATA_SAGEMAKER_* options)."""
    common = settings.options_for(
        ("min_confidence", "latency_budget_ms", "name_prefix"), "endpoint_"
    )
    if settings.mode == "aws":
        fields = [f for f in SageMakerDeployer.model_fields if f != "region_name"]
        return SageMakerDeployer(
            region_name=settings.aws_region, **common, **settings.options_for(fields, "sagemaker_")
        )
    return LocalDeployer(home=str(settings.home), **common)


def build_resources(settings: GataSettings) -> dict[str, Any]:
    store = build_artifact_store(settings)
    return {
        "ticket_db": build_ticket_db(settings),
        "artifact_store": store,
        "pipeline": PipelineConfig(**settings.options_for(PipelineConfig.model_fields)),
        "trainer": build_trainer(settings),
        "training": TrainingConfig(**settings.options_for(TrainingConfig.model_fields, "train_")),
        "deployer": build_deployer(settings),
        REFS_IO_MANAGER: ArtifactRefIOManager(store=store),
        **automation.lifecycle_resources(settings),
    }


def build_definitions(settings: GataSettings) -> dg.Definitions:
    # Freshness policies go on every stage's assets; sensors and schedules follow GATA_* switches.
    return automation.with_freshness(
        dg.Definitions.merge(
            *STAGES,
            automation.build_automation(settings.options),
            dg.Definitions(resources=build_resources(settings)),
        )
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(GataSettings.from_env())
