"""Whole SageMaker deployments of both layouts against moto (mock_aws), no stubs.

moto records models, configs and endpoints (and reports InService at once), so these show
what a deployment leaves in the account: the router endpoint with its archive, then, after
switching to one endpoint per model, two endpoints with an archive each and the router, its
config and its model gone.
"""

import io
import logging
import tarfile

import boto3
import pytest
from moto import mock_aws

from gata_assets.resources.deployer import EndpointSpec
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets_tests.resources.sagemaker_stubs import IMAGE, REGION, ROLE, stored_model_pair

log = logging.getLogger("test-sagemaker-moto")


@pytest.fixture
def account(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket="gata-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        boto3.client("ssm", region_name=REGION).put_parameter(
            Name="/gata/images/inference/tag", Value=IMAGE, Type="String"
        )
        store = S3ArtifactStore(bucket="gata-artifacts", region_name=REGION)
        models = stored_model_pair(store, tmp_path)
        yield store, EndpointSpec("gata-router", models), boto3.client("sagemaker", REGION)


def deployer(layout: str) -> SageMakerDeployer:
    return SageMakerDeployer(region_name=REGION, role_arn=ROLE, poll_seconds=0, layout=layout)


def names(sm, listing: str, key: str) -> set[str]:
    return {item[f"{key}Name"] for item in getattr(sm, listing)()[f"{key}s"]}


def test_router_then_per_model_leaves_one_endpoint_per_model(account):
    store, spec, sm = account
    router = deployer("router").deploy(spec, store, log)
    assert names(sm, "list_endpoints", "Endpoint") == {"gata-router"}
    config = sm.describe_endpoint_config(EndpointConfigName=router["endpoint_config"])
    assert config["ProductionVariants"][0]["ServerlessConfig"]["MaxConcurrency"] == 5
    with tarfile.open(fileobj=io.BytesIO(store.read_bytes(router["model_data_url"]))) as tar:
        assert {"general/gata_model.json", "low_volume/gata_model.json"} <= set(tar.getnames())

    split = deployer("per-model").deploy(spec, store, log)
    endpoints = names(sm, "list_endpoints", "Endpoint")
    assert endpoints == {"gata-router-general", "gata-router-low-volume"}
    assert split["retired"] == ["gata-router"]
    # The router's config and model went with it; each model endpoint has its own.
    configs = names(sm, "list_endpoint_configs", "EndpointConfig")
    assert router["endpoint_config"] not in configs and len(configs) == 2
    assert router["model_name"] not in names(sm, "list_models", "Model")
    for role, row in split["endpoints"].items():
        found = sm.describe_endpoint(EndpointName=row["name"])
        assert found["EndpointStatus"] == "InService" and found["EndpointArn"] == row["arn"]
        model = sm.describe_model(ModelName=row["model_name"])["PrimaryContainer"]
        assert model["ModelDataUrl"] == row["model_data_url"] and model["Image"] == IMAGE
        archive = store.read_bytes(row["model_data_url"])
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            assert "gata_model.json" in tar.getnames(), role  # the model alone, at the root

    assert deployer("per-model").stop("gata-router") is True
    assert names(sm, "list_endpoints", "Endpoint") == set()
    assert names(sm, "list_models", "Model") == set()
