"""The SageMaker model a transform job runs: the inference image on the served models.

The archive holds the models as gata-serve finds them under `/opt/ml/model`: the router
layout of `model_tarball` (`general/` + `low_volume/`) when both serve, else the general
model alone at the root (single-model mode, which hands a ticket it would pass to the
missing low-volume model to triage, as routing in process does). Archive and model are
named by their content, so every day predicted with the same models and image reuses them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from gata_assets.core.model_groups import LOW_VOLUME
from gata_assets.core.references import ServingModel
from gata_assets.resources import model_tarball
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import call_failed, is_not_found
from gata_assets.resources.batch_transform_io import NAME_LIMIT, models_tag


def ensure_tarball(models: Mapping[str, ServingModel], store: ArtifactStore) -> str:
    """The S3 URI of these models' archive, packed and uploaded if it is not there yet."""
    key = f"models/batch/{models_tag(models)}/model.tar.gz"
    model_uris = {role: model.uri for role, model in models.items()}
    return model_tarball.ensure_archive(
        store, key, model_uris, flat=LOW_VOLUME.name not in model_uris
    )


def ensure_model(sm: Any, prefix: str, image: str, model_data: str, role_arn: str) -> str:
    """The name of the SageMaker model running `image` on `model_data`, created if absent."""
    digest = hashlib.sha256(f"{image}|{model_data}".encode()).hexdigest()[:12]
    name = f"{prefix[: NAME_LIMIT - 22]}-bt-model-{digest}"
    try:
        sm.describe_model(ModelName=name)
        return name
    except sm.exceptions.ClientError as error:
        if not is_not_found(error):
            raise call_failed(error, f"DescribeModel {name}") from error
    container = {"Image": image, "ModelDataUrl": model_data}
    try:
        sm.create_model(ModelName=name, ExecutionRoleArn=role_arn, PrimaryContainer=container)
    except sm.exceptions.ClientError as error:
        if "already exist" not in str(error):  # else another run created it just now
            raise call_failed(error, f"CreateModel {name}") from error
    return name
