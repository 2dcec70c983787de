"""The SageMaker deployer against botocore's Stubber: every call and its parameters.

S3 (where the model.tar.gz goes) is moto; SageMaker and SSM are stubbed, so the test pins
the exact API conversation: image from SSM, ServerlessConfig, create vs update, waiting,
FailureReason surfaced with the old config still serving, stale configs and models deleted.
"""

import io
import logging
import tarfile

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from moto import mock_aws

from gata_assets.resources import sagemaker_deployer
from gata_assets.resources.deployer import DeploymentError, EndpointSpec
from gata_assets.resources.model_tarball import tarball_key
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets_tests.resources.sagemaker_stubs import (
    ACCOUNT,
    IMAGE,
    NAME,
    OLD,
    REGION,
    ROLE,
    STAMP,
    endpoint,
    expect_listing,
    expect_other_layout,
    expect_start,
    stored_model_pair,
)

log = logging.getLogger("test-sagemaker")


@pytest.fixture
def world(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setattr(sagemaker_deployer, "deployment_stamp", lambda: STAMP)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket="gata-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        store = S3ArtifactStore(bucket="gata-artifacts", region_name=REGION)
        models = stored_model_pair(store, tmp_path)
        spec = EndpointSpec(NAME, models, min_confidence=0.3)
        clients = {
            service: boto3.client(service, region_name=REGION)
            for service in ("sagemaker", "ssm", "sagemaker-runtime")
        }
        deployer = SageMakerDeployer(
            region_name=REGION,
            role_arn=ROLE,
            memory_size_mb=4096,
            max_concurrency=7,
            poll_seconds=0,
        ).with_clients(**clients)
        sm, ssm = Stubber(clients["sagemaker"]), Stubber(clients["ssm"])
        with sm, ssm:
            yield deployer, store, spec, sm, ssm
            sm.assert_no_pending_responses()


def test_create_path_packs_model_and_waits_for_in_service(world):
    deployer, store, spec, sm, ssm = world
    resource = expect_start(spec, sm, ssm, existing=None)
    sm.add_response("describe_endpoint", endpoint("Creating", resource), {"EndpointName": NAME})
    sm.add_response("describe_endpoint", endpoint("InService", resource), {"EndpointName": NAME})
    expect_listing(sm, [resource], [resource])
    expect_other_layout(sm)
    result = deployer.deploy(spec, store, log)
    assert result["action"] == "create" and result["endpoint_config"] == resource
    assert result["arn"].endswith(f"endpoint/{NAME}") and result["image"] == IMAGE
    assert result["serverless"] == {"MemorySizeInMB": 4096, "MaxConcurrency": 7}
    assert result["model_data_url"] == store.uri(tarball_key(spec))
    assert (result["layout"], result["retired"], result["account_id"]) == ("router", [], ACCOUNT)
    assert result["assumed_role_arn"] == ""  # the run's own credentials
    with tarfile.open(fileobj=io.BytesIO(store.read_bytes(result["model_data_url"]))) as tar:
        names = set(tar.getnames())
    assert {"general/gata_model.json", "low_volume/labels.json"} <= names


def test_update_path_deletes_stale_configs_and_models(world):
    deployer, store, spec, sm, ssm = world
    resource = expect_start(spec, sm, ssm, existing=endpoint("InService", OLD))
    sm.add_response("describe_endpoint", endpoint("Updating", OLD), {"EndpointName": NAME})
    sm.add_response("describe_endpoint", endpoint("InService", resource), {"EndpointName": NAME})
    other = "gata-router-canary"  # not ours by name pattern: never touched
    expect_listing(sm, [OLD, resource, other], [OLD, resource])
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": OLD})
    sm.add_response("delete_model", {}, {"ModelName": OLD})
    expect_other_layout(sm)
    result = deployer.deploy(spec, store, log)
    assert result["action"] == "update" and result["previous_config"] == OLD
    assert result["deleted_stale"] == [OLD, OLD]


def test_failed_update_surfaces_reason_and_old_config_keeps_serving(world):
    deployer, store, spec, sm, ssm = world
    resource = expect_start(spec, sm, ssm, existing=endpoint("InService", OLD))
    sm.add_response("describe_endpoint", endpoint("Updating", OLD), {"EndpointName": NAME})
    reason = "The primary container for production variant AllTraffic did not pass the ping"
    sm.add_response("describe_endpoint", endpoint("InService", OLD, reason), {"EndpointName": NAME})
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": resource})
    sm.add_response("delete_model", {}, {"ModelName": resource})
    with pytest.raises(DeploymentError) as failure:
        deployer.deploy(spec, store, log)
    assert reason in str(failure.value) and f"config {OLD} keeps serving" in str(failure.value)


def test_failed_create_surfaces_reason(world):
    deployer, store, spec, sm, ssm = world
    resource = expect_start(spec, sm, ssm, existing=None)
    sm.add_response(
        "describe_endpoint", endpoint("Failed", resource, "Image not found"), {"EndpointName": NAME}
    )
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": resource})
    sm.add_response("delete_model", {}, {"ModelName": resource})
    with pytest.raises(DeploymentError, match="Image not found; nothing was serving"):
        deployer.deploy(spec, store, log)


def test_bare_tag_in_ssm_needs_a_repository(world):
    deployer, _, _, _, ssm = world
    ssm.add_response("get_parameter", {"Parameter": {"Name": "p", "Value": "7", "Type": "String"}})
    with pytest.raises(DeploymentError, match="not an image URI"):
        deployer.image()


def test_invoke_uses_sagemaker_runtime(world):
    deployer = world[0]
    body = b'{"predictions": [{"id": "1", "category": "billing"}]}'
    with Stubber(deployer.client("sagemaker-runtime")) as runtime:
        runtime.add_response(
            "invoke_endpoint",
            {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentType": "application/json"},
            {
                "EndpointName": NAME,
                "ContentType": "application/json",
                "Accept": "application/json",
                "Body": ANY,
            },
        )
        assert deployer.invoke(NAME, [{"id": "1", "text": "refund"}])["predictions"][0]["id"] == "1"


def test_status_and_stop_delete_endpoint_configs_and_models(world):
    deployer, _, _, sm, _ = world
    sm.add_response("describe_endpoint", endpoint("InService", OLD), {"EndpointName": NAME})
    [row] = deployer.status(NAME)
    assert (row["name"], row["status"], row["endpoint_config"]) == (NAME, "InService", OLD)
    sm.add_response("describe_endpoint", endpoint("InService", OLD), {"EndpointName": NAME})
    sm.add_response("delete_endpoint", {}, {"EndpointName": NAME})
    expect_listing(sm, [OLD], [OLD])
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": OLD})
    sm.add_response("delete_model", {}, {"ModelName": OLD})
    assert deployer.stop(NAME) is True
    sm.add_client_error("describe_endpoint", "ValidationException", "Could not find endpoint")
    assert deployer.stop(NAME) is False
