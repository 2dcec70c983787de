"""Where the current fine-tune and inference container images are published.

Rolling out a new image is one write (an SSM parameter in AWS, `image_tags.json` under
GATA_HOME locally); the image-tag sensor notices it and retrains or redeploys. The trainer and
deployer resolve the image themselves when they run; this resource only lets the sensor
*watch* the tags. boto3 is imported lazily.
"""

import json
from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg

IMAGE_ROLES = ("finetune", "inference")


class ImageTagSource(dg.ConfigurableResource, ABC):
    @abstractmethod
    def current_tags(self) -> dict[str, str]:
        """{"finetune": image, "inference": image}; a role with no published tag is absent."""


class LocalImageTags(ImageTagSource):
    """`$GATA_HOME/image_tags.json`, e.g. {"finetune": "gata-finetune:7", "inference": "..."}."""

    path: str

    def current_tags(self) -> dict[str, str]:
        target = Path(self.path)
        if not target.is_file():
            return {}
        try:
            raw = json.loads(target.read_text())
        except json.JSONDecodeError as error:
            # A half-edited file must not look like "tags removed"; the sensor reports it.
            raise ValueError(f"{target} is not valid JSON: {error}") from None
        return {role: str(raw[role]) for role in IMAGE_ROLES if raw.get(role)}

    def publish(self, **tags: str) -> None:
        """Write tags atomically (what a local release script or a test does)."""
        target = Path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        current = self.current_tags() | tags
        staging = target.with_name(f".{target.name}.partial")
        staging.write_text(json.dumps(current, indent=1, sort_keys=True))
        staging.replace(target)


class SsmImageTags(ImageTagSource):
    """One SSM parameter per role, the same ones the SageMaker trainer and deployer read."""

    finetune_parameter: str = "/gata/images/finetune/tag"
    inference_parameter: str = "/gata/images/inference/tag"
    region_name: str | None = None
    endpoint_url: str | None = None

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.client("ssm", region_name=self.region_name, endpoint_url=self.endpoint_url)

    def current_tags(self) -> dict[str, str]:
        names = {"finetune": self.finetune_parameter, "inference": self.inference_parameter}
        tags = {}
        for role, name in names.items():
            try:
                tags[role] = self._client.get_parameter(Name=name)["Parameter"]["Value"]
            except self._client.exceptions.ParameterNotFound:
                continue  # not published yet: nothing to watch for this role
        return tags
