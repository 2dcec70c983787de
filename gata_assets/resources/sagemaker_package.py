"""What makes a registered model package deployable without gata: its InferenceSpecification.

A SageMaker model package that names an image and model data can be deployed from the
console's "Deploy" button, `CreateModel(ModelPackageName=...)` or any other tool. gata's
packages name the inference image (the SSM parameter the deployer reads,
`image_tags.resolve_image`) and a `model.tar.gz` of that one model version. gata-serve takes a
single model directory at `/opt/ml/model` as well as the router layout, so the archive holds
the version's files at its root, nothing else. It is written through the artifact store
(S3, with the store's KMS key) under a key derived from the model's URI, so a registration
that is retried, or repeated after a package was deleted, reuses the upload.

Both content types are JSON (`{"instances": [...]}` in, predictions out). The instance types
are hints for real-time endpoints and transform jobs (optional for a package in a group, shown
by the console); a serverless endpoint takes memory and concurrency instead and needs none.
"""

from __future__ import annotations

import hashlib
from typing import Any

from gata_assets.core.errors import GataInputError
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import call_failed
from gata_assets.resources.image_tags import ImageNotResolved, resolve_image
from gata_assets.resources.model_tarball import ensure_archive

IMAGE_REPOSITORY = "GATA_SAGEMAKER_IMAGE_REPOSITORY"
CONTENT_TYPE = "application/json"
# CPU models of a few dozen MB: the smallest general-purpose and compute instances do.
DEFAULT_INSTANCE_TYPES = ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge"]


def archive_key(store: ArtifactStore, model_uri: str) -> str:
    """`packages/<the model's key>/model.tar.gz`, beside the model (never inside it: a model
    directory is complete with its manifest); a URI outside the store gets a hashed key."""
    base = store.uri("")
    if model_uri.startswith(base) and model_uri.rstrip("/") != base.rstrip("/"):
        relative = model_uri[len(base) :].strip("/")
    else:
        relative = f"by-uri/{hashlib.sha256(model_uri.encode()).hexdigest()[:24]}"
    return f"packages/{relative}/model.tar.gz"


def ensure_model_data(store: ArtifactStore, model_uri: str) -> str:
    """The S3 URI of this model version's archive, packing and uploading it if missing."""
    # One model directory at the archive's root (`flat`), as gata-serve serves it alone.
    return ensure_archive(store, archive_key(store, model_uri), {"model": model_uri}, flat=True)


def inference_specification(
    image: str, model_data_url: str, instance_types: list[str]
) -> dict[str, Any]:
    """The `InferenceSpecification` of CreateModelPackage for one gata model version."""
    spec: dict[str, Any] = {
        "Containers": [{"Image": image, "ModelDataUrl": model_data_url}],
        "SupportedContentTypes": [CONTENT_TYPE],
        "SupportedResponseMIMETypes": [CONTENT_TYPE],
    }
    if instance_types:
        spec["SupportedRealtimeInferenceInstanceTypes"] = list(instance_types)
        spec["SupportedTransformInstanceTypes"] = list(instance_types)
    return spec


def package_inference(
    store: ArtifactStore, model_uri: str, ssm: Any, image_parameter: str, image_repository: str
) -> tuple[str, str]:
    """(inference image, model data URL) for one version; a missing image fails, named."""
    try:
        image = resolve_image(ssm, image_parameter, image_repository, IMAGE_REPOSITORY)
    except ImageNotResolved as error:
        raise GataInputError(str(error)) from None
    except ssm.exceptions.ParameterNotFound:
        raise GataInputError(
            f"SSM parameter {image_parameter} (GATA_SAGEMAKER_IMAGE_PARAMETER) names no "
            "inference image yet: publish one (containers/inference/README.md) before "
            "registering models on SageMaker"
        ) from None
    except ssm.exceptions.ClientError as error:
        raise call_failed(error, f"SSM GetParameter {image_parameter}") from None
    return image, ensure_model_data(store, model_uri)
