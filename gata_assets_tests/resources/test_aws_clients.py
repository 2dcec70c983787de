"""One seam for AWS clients: every AWS resource gets region, the one endpoint URL and the
retry mode from settings; tests hand clients in without touching the original resource; the
trainer and the deployer read an SSM image parameter the same way."""

from __future__ import annotations

import boto3
import dagster as dg
import pytest
from moto import mock_aws

from gata_assets.options import SettingsError
from gata_assets.resources.aws import AwsResource
from gata_assets.resources.build import build_resources
from gata_assets.resources.deployer import DeploymentError
from gata_assets.resources.events import EventBridgeEvents
from gata_assets.resources.image_tags import ImageNotResolved, image_uri
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets.resources.sagemaker_trainer import SageMakerTrainer
from gata_assets.settings import GataSettings

REGION, URL = "eu-west-1", "http://127.0.0.1:4566"
REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gata/inference"
DIGEST = "sha256:" + "ab" * 32
AWS_ENV = {
    "GATA_MODE": "aws",
    "GATA_ARTIFACT_BUCKET": "gata-artifacts",
    "GATA_TICKET_DB_SECRET_ID": "gata/ticket-db",
    "AWS_REGION": REGION,
    "GATA_AWS_ENDPOINT_URL": URL,
    "GATA_AWS_RETRY_MODE": "adaptive",
}
SERVICES = {
    "artifact_store": "s3",
    "ticket_db": "secretsmanager",
    "trainer": "sagemaker",
    "deployer": "sagemaker",
    "batch_scoring": "sagemaker",
    "prod_deployer": "sagemaker",
    "registry": "sagemaker",
    "events": "events",
    "image_tags": "ssm",
    "cost_meter": "cloudwatch",
}


def test_every_aws_resource_makes_its_clients_from_the_same_settings():
    resources = build_resources(GataSettings.from_env(AWS_ENV))
    aws = {key: r for key, r in resources.items() if isinstance(r, AwsResource)}
    assert set(aws) == set(SERVICES)  # the trainer and deployer included
    for key, resource in aws.items():
        client = resource.client(SERVICES[key])
        assert client.meta.endpoint_url == URL, key
        assert client.meta.region_name == REGION, key
        assert client.meta.config.retries["mode"] == "adaptive", key
        assert resource.client(SERVICES[key]) is client  # made once per resource instance


def test_retry_mode_defaults_to_standard_and_rejects_others():
    assert (
        SageMakerTrainer(region_name=REGION).client("sagemaker").meta.config.retries["mode"]
        == "standard"
    )
    with pytest.raises(SettingsError, match=r"GATA_AWS_RETRY_MODE='fast'.*standard or adaptive"):
        GataSettings.from_env({**AWS_ENV, "GATA_AWS_RETRY_MODE": "fast"})


def test_handing_in_a_client_leaves_the_frozen_original_alone():
    given = boto3.client("events", region_name=REGION)
    sink = EventBridgeEvents(bus_name="gata-events", region_name=REGION)
    stubbed = sink.with_clients(events=given)
    assert stubbed.client("events") is given and stubbed.bus_name == "gata-events"
    assert sink.client("events") is not given
    runtime = boto3.client("sagemaker-runtime", region_name=REGION)
    deployer = SageMakerDeployer(region_name=REGION).with_clients(sagemaker_runtime=runtime)
    assert deployer.client("sagemaker-runtime") is runtime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", f"{REPO}:7"),
        ("1.4.0 ", f"{REPO}:1.4.0"),
        (DIGEST, f"{REPO}@{DIGEST}"),
        (f"@{DIGEST}", f"{REPO}@{DIGEST}"),
        (f"{REPO}:9", f"{REPO}:9"),
        (f"{REPO}@{DIGEST}", f"{REPO}@{DIGEST}"),
    ],
)
def test_image_uri_tag_vs_digest(value, expected):
    assert image_uri(value, "/p", REPO, "REPOSITORY_SETTING") == expected


def test_a_bare_tag_or_digest_without_repository_is_refused():
    for value in ("7", DIGEST):
        with pytest.raises(ImageNotResolved, match="REPOSITORY_SETTING"):
            image_uri(value, "/p", "", "REPOSITORY_SETTING")


@pytest.mark.parametrize(
    ("value", "expected"), [("42", f"{REPO}:42"), (DIGEST, f"{REPO}@{DIGEST}")]
)
def test_trainer_and_deployer_resolve_the_parameter_alike(monkeypatch, value, expected):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        ssm = boto3.client("ssm", region_name=REGION)
        ssm.put_parameter(Name="/gata/images/finetune/tag", Value=value, Type="String")
        ssm.put_parameter(Name="/gata/images/inference/tag", Value=value, Type="String")
        trainer = SageMakerTrainer(region_name=REGION, image_repository=REPO)
        deployer = SageMakerDeployer(region_name=REGION, image_repository=REPO)
        assert trainer.resolve_image() == deployer.image() == expected
        with pytest.raises(dg.Failure, match="GATA_FINETUNE_IMAGE_REPOSITORY"):
            SageMakerTrainer(region_name=REGION).resolve_image()
        with pytest.raises(DeploymentError, match="GATA_SAGEMAKER_IMAGE_REPOSITORY"):
            SageMakerDeployer(region_name=REGION).image()


def test_aws_definitions_load_with_these_resources():
    from gata_assets.definitions import build_definitions

    dg.Definitions.validate_loadable(build_definitions(GataSettings.from_env(AWS_ENV)))
