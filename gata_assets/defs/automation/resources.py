"""The lifecycle's resources, local or AWS, chosen from `GataSettings` like every other.

`definitions.build_resources` merges `lifecycle_resources(settings)`; the CLI builds the same
registry with `build_registry`. Options (GATA_* variables):

- GATA_REGISTRY_DB_URL: SQL registry URL (read through dg.EnvVar: it may hold a password);
  default SQLite `$GATA_HOME/gata.db`, or the SageMaker registry with GATA_MODE=aws;
- GATA_MODEL_PACKAGE_GROUP: SageMaker model package group (default gata-ticket-routing);
- GATA_EVENT_BUS_NAME: EventBridge bus (default "default"); local: `$GATA_HOME/events.jsonl`;
- GATA_FINETUNE_IMAGE_TAG_PARAMETER / GATA_SAGEMAKER_IMAGE_PARAMETER: the SSM parameters the
  trainer and deployer resolve their images from; local: `$GATA_HOME/image_tags.json`.
"""

from typing import Any

import dagster as dg

from gata_assets.resources.events import EventBridgeEvents, EventSink, LocalEventLog
from gata_assets.resources.image_tags import ImageTagSource, LocalImageTags, SsmImageTags
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.registry import ModelRegistry, SqlModelRegistry
from gata_assets.resources.sagemaker_registry import SageMakerModelRegistry
from gata_assets.settings import GataSettings


def build_registry(settings: GataSettings) -> ModelRegistry:
    if settings.options.get("registry_db_url"):
        return SqlModelRegistry(url=dg.EnvVar("GATA_REGISTRY_DB_URL"))
    if settings.mode == "aws":
        return SageMakerModelRegistry(
            package_group=settings.options.get("model_package_group", "gata-ticket-routing"),
            region_name=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
        )
    return SqlModelRegistry(url=f"sqlite:///{settings.home / 'gata.db'}")


def build_events(settings: GataSettings) -> EventSink:
    if settings.mode == "aws":
        return EventBridgeEvents(
            bus_name=settings.options.get("event_bus_name", "default"),
            region_name=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
        )
    return LocalEventLog(path=str(settings.home / "events.jsonl"))


def build_image_tags(settings: GataSettings) -> ImageTagSource:
    if settings.mode == "aws":
        names = {
            "finetune_parameter": settings.options.get("finetune_image_tag_parameter"),
            "inference_parameter": settings.options.get("sagemaker_image_parameter"),
        }
        return SsmImageTags(
            region_name=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
            **{field: name for field, name in names.items() if name},
        )
    return LocalImageTags(path=str(settings.home / "image_tags.json"))


def lifecycle_resources(settings: GataSettings) -> dict[str, Any]:
    return {
        "registry": build_registry(settings),
        "events": build_events(settings),
        "image_tags": build_image_tags(settings),
        "lifecycle": LifecycleConfig(**settings.options_for(LifecycleConfig.model_fields)),
    }
