"""Every resource gata uses, built from `GataSettings`: the one place local vs AWS is chosen.

`definitions.py` assembles these with the stages; the `gata` CLI builds its registry and
deployer and finds the ticket database here too, so both always make the same choice. Each
resource takes its fields from the options table (`settings.fields(consumer)`, see
gata_assets/options.py) and nowhere else; AWS resources share `settings.aws()`. A value a
resource refuses (say a drift threshold of 25) fails here, naming the variable and the field
(`option_values.make`). Deployers, batch scoring and the cost meter: `build_serving.py`.
"""

from __future__ import annotations

from typing import Any

from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.options import OPTIONS, SettingsError
from gata_assets.resources.approval_queue import SqsApprovalQueue
from gata_assets.resources.artifact_store import ArtifactStore, LocalArtifactStore
from gata_assets.resources.build_serving import (
    build_batch_scoring,
    build_cost_meter,
    build_deployer,
    build_prod_deployer,
)
from gata_assets.resources.events import EventBridgeEvents, EventSink, LocalEventLog
from gata_assets.resources.image_tags import ImageTagSource, LocalImageTags, SsmImageTags
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.local_trainer import LocalTrainer
from gata_assets.resources.mlflow_registry import MlflowModelRegistry
from gata_assets.resources.mlflow_settings import (
    TRACKING_URI,
    check_mlflow,
    mlflow_on,
    registry_kind,
)
from gata_assets.resources.mlflow_tracking import MlflowTracking
from gata_assets.resources.option_values import make, secret_url
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager
from gata_assets.resources.registry import ModelRegistry, SqlModelRegistry
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_registry import SageMakerModelRegistry
from gata_assets.resources.sagemaker_trainer import SageMakerTrainer
from gata_assets.resources.ticket_db import AuroraTicketDatabase, TicketColumns, TicketDatabase
from gata_assets.resources.tracking import ExperimentTracker, NoTracking
from gata_assets.resources.trainer import Trainer, TrainingConfig
from gata_assets.settings import GataSettings


def ticket_db_url(settings: GataSettings, explicit: str | None = None) -> str:
    """For the CLI: --db-url, else GATA_TICKET_DB_URL, else the embedded SQLite file."""
    if explicit:
        return explicit
    if settings.ticket_db_url_from_env:
        return secret_url("GATA_TICKET_DB_URL", resolve=True)
    return settings.default_ticket_db_url


def build_ticket_db(settings: GataSettings) -> TicketDatabase:
    columns = make(TicketColumns, settings, "columns")
    if settings.ticket_db_secret_id:
        return make(
            AuroraTicketDatabase,
            settings,
            "ticket_db",
            secret_id=settings.ticket_db_secret_id,
            columns=columns,
            **settings.aws(),
        )
    # GATA_TICKET_DB_HOST/_PORT/_NAME complete a secret; without one they would do nothing.
    given = settings.fields("ticket_db")
    stray = [r.name for r in OPTIONS.values() for f in given if ("ticket_db", f) in r.targets]
    if stray:
        raise SettingsError(
            f"{' and '.join(stray)} apply only with GATA_TICKET_DB_SECRET_ID; "
            "with GATA_TICKET_DB_URL put them in the URL"
        )
    url = settings.default_ticket_db_url
    if settings.ticket_db_url_from_env:
        url = secret_url("GATA_TICKET_DB_URL", resolve=False)
    return TicketDatabase(url=url, columns=columns)


def build_artifact_store(settings: GataSettings) -> ArtifactStore:
    if settings.mode == "aws":
        return make(
            S3ArtifactStore,
            settings,
            bucket=settings.artifact_bucket,
            prefix=settings.artifact_prefix,
            kms_key_id=settings.kms_key_id,
            **settings.aws(),
        )
    return LocalArtifactStore(root=str(settings.artifact_root))


def build_trainer(settings: GataSettings) -> Trainer:
    """gata-train as a local Pipes subprocess, or SageMaker training jobs."""
    if settings.mode == "aws":
        return make(
            SageMakerTrainer, settings, "trainer", kms_key_id=settings.kms_key_id, **settings.aws()
        )
    return LocalTrainer(checkpoint_root=str(settings.home / "checkpoints"))


def build_registry(settings: GataSettings, resolve_secrets: bool = False) -> ModelRegistry:
    """GATA_REGISTRY (`mlflow_settings.registry_kind`); unset: SQL by GATA_REGISTRY_DB_URL,
    else SageMaker in AWS, else SQLite under GATA_HOME."""
    check_mlflow(settings)
    kind = registry_kind(settings)
    if kind == "mlflow":
        uri = secret_url(TRACKING_URI, resolve_secrets)
        return make(MlflowModelRegistry, settings, "mlflow_registry", tracking_uri=uri)
    if kind == "sagemaker":
        # The store holds each package's model.tar.gz (its InferenceSpecification).
        store = build_artifact_store(settings)
        return make(
            SageMakerModelRegistry, settings, "registry", artifact_store=store, **settings.aws()
        )
    if settings.registry_db_url_from_env:
        return SqlModelRegistry(url=secret_url("GATA_REGISTRY_DB_URL", resolve_secrets))
    return SqlModelRegistry(url=f"sqlite:///{settings.home / 'gata.db'}")


def build_tracking(settings: GataSettings) -> ExperimentTracker:
    """MLflow when GATA_MLFLOW_TRACKING_URI is set, else none (and no mlflow import)."""
    check_mlflow(settings)
    if not mlflow_on(settings):
        return NoTracking()
    return make(MlflowTracking, settings, "mlflow", tracking_uri=secret_url(TRACKING_URI, False))


def build_events(settings: GataSettings) -> EventSink:
    if settings.mode == "aws":
        return make(EventBridgeEvents, settings, "events", **settings.aws())
    return LocalEventLog(path=str(settings.home / "events.jsonl"))


def build_image_tags(settings: GataSettings) -> ImageTagSource:
    if settings.mode == "aws":
        return make(SsmImageTags, settings, "image_tags", **settings.aws())
    return LocalImageTags(path=str(settings.home / "image_tags.json"))


def build_approval_queue(settings: GataSettings) -> dict[str, Any]:
    """SageMaker's approval events on SQS, only when GATA_APPROVAL_QUEUE_URL names a queue
    (its sensor exists only then, `defs/automation/__init__.py`)."""
    queue = make(SqsApprovalQueue, settings, "approval_queue", **settings.aws())
    return {"approval_queue": queue} if queue.queue_url else {}


def build_resources(settings: GataSettings) -> dict[str, Any]:
    """Every resource the stages use, by key; references are stored through the same store."""
    store = build_artifact_store(settings)
    return {
        "ticket_db": build_ticket_db(settings),
        "artifact_store": store,
        "pipeline": make(PipelineConfig, settings, "pipeline"),
        "trainer": build_trainer(settings),
        "training": make(TrainingConfig, settings, "training"),
        "tracking": build_tracking(settings),
        "deployer": build_deployer(settings),
        "prod_deployer": build_prod_deployer(settings),
        "batch_scoring": build_batch_scoring(settings),
        "registry": build_registry(settings),
        "events": build_events(settings),
        "image_tags": build_image_tags(settings),
        "lifecycle": make(LifecycleConfig, settings, "lifecycle"),
        "cost_meter": build_cost_meter(settings),
        REFS_IO_MANAGER: ArtifactRefIOManager(store=store),
        **build_approval_queue(settings),
    }
