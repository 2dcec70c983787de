"""Where the current fine-tune and inference container images are published.

Rolling out a new image is one write (an SSM parameter in AWS, `image_tags.json` under
GATA_HOME locally); the image-tag sensor notices it and retrains or redeploys. The trainer and
deployer resolve the image themselves when they run, through `resolve_image` below, so both
read a parameter's value the same way; this resource only lets the sensor *watch* the tags.
"""

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.resources.aws import AwsResource

IMAGE_ROLES = ("finetune", "inference")


class ImageNotResolved(ValueError):
    """An image parameter's value names no image: a bare tag or digest with no repository."""


def image_uri(value: str, parameter: str, repository: str, repository_setting: str) -> str:
    """The image an SSM parameter's value names.

    A full URI (it has a registry path: `host/repo:tag` or `host/repo@sha256:...`) is used as
    is; a bare tag becomes `<repository>:<tag>`, a bare digest (`sha256:...`, with or without
    a leading `@`) `<repository>@sha256:...`.
    """
    value = value.strip()
    if "/" in value:
        return value
    if not repository:
        raise ImageNotResolved(
            f"SSM parameter {parameter} holds {value!r}, not an image URI; set "
            f"{repository_setting} or publish the full URI"
        )
    digest = value.removeprefix("@")
    if digest.startswith("sha256:"):
        return f"{repository}@{digest}"
    return f"{repository}:{value}"


def resolve_image(ssm: Any, parameter: str, repository: str, repository_setting: str) -> str:
    """Read `parameter` with the SSM client `ssm` and return the image URI it names."""
    value = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
    return image_uri(value, parameter, repository, repository_setting)


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


class SsmImageTags(ImageTagSource, AwsResource):
    """One SSM parameter per role, the same ones the SageMaker trainer and deployer read."""

    finetune_parameter: str = "/gata/images/finetune/tag"
    inference_parameter: str = "/gata/images/inference/tag"

    def current_tags(self) -> dict[str, str]:
        names = {"finetune": self.finetune_parameter, "inference": self.inference_parameter}
        ssm, tags = self.client("ssm"), {}
        for role, name in names.items():
            try:
                tags[role] = ssm.get_parameter(Name=name)["Parameter"]["Value"]
            except ssm.exceptions.ParameterNotFound:
                continue  # not published yet: nothing to watch for this role
        return tags
