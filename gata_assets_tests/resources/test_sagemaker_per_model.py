"""One SageMaker endpoint per model, against botocore's Stubber: the exact conversation.

Each model gets its own archive (the model's files at the root, which gata-serve serves
alone), model, config and endpoint; a failure of the second puts the first back on its old
config, so the old pair keeps serving together; a fallback low-volume model gets no
endpoint, and the endpoints of the layout replaced are deleted once the new ones serve.
"""

import io
import logging
import tarfile

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gata_assets.resources import sagemaker_deployer
from gata_assets.resources.deployer import DeploymentError, EndpointSpec
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets_tests.resources.sagemaker_stubs import (
    ARN,
    NAME,
    REGION,
    ROLE,
    STAMP,
    endpoint,
    expect_image,
    expect_listing,
    expect_other_layout,
    expect_rollout,
    stored_model_pair,
)

log = logging.getLogger("test-sagemaker-per-model")
GENERAL, LOW_VOLUME = f"{NAME}-general", f"{NAME}-low-volume"


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
        clients = {s: boto3.client(s, region_name=REGION) for s in ("sagemaker", "ssm")}
        deployer = SageMakerDeployer(
            region_name=REGION,
            role_arn=ROLE,
            memory_size_mb=4096,
            max_concurrency=7,
            poll_seconds=0,
            layout="per-model",
        ).with_clients(**clients)
        sm, ssm = Stubber(clients["sagemaker"]), Stubber(clients["ssm"])
        with sm, ssm:
            expect_image(ssm)
            yield deployer, store, models, sm
            sm.assert_no_pending_responses()


def tags(spec: EndpointSpec) -> dict[str, str]:
    return {unit.name: unit.tag() for unit in spec.units("per-model")}


def retire(sm, name: str, config: str) -> None:
    """The replaced endpoint's deletion: describe, delete, then its configs and models."""
    sm.add_response("describe_endpoint", endpoint("InService", config, name=name))
    sm.add_response("delete_endpoint", {}, {"EndpointName": name})
    expect_listing(sm, [config], [config], name=name)
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": config})
    sm.add_response("delete_model", {}, {"ModelName": config})


def test_both_models_get_their_own_endpoint_and_the_router_goes(world):
    deployer, store, models, sm = world
    spec = EndpointSpec(NAME, models, min_confidence=0.3)
    resources = {}
    for name, tag in tags(spec).items():
        resources[name] = expect_rollout(sm, name, tag, existing=None)
        sm.add_response("describe_endpoint", endpoint("InService", resources[name], name=name))
    for name, resource in resources.items():
        expect_listing(sm, [resource], [resource], name=name)
    old_router = f"{NAME}-0123abcd-20261101000000"
    # Another endpoint whose name merely contains ours is listed too, and left alone.
    expect_other_layout(sm, found=(NAME, GENERAL, LOW_VOLUME, f"{NAME}-canary"))
    retire(sm, NAME, old_router)
    result = deployer.deploy(spec, store, log)
    assert result["layout"] == "per-model" and result["retired"] == [NAME]
    rows = result["endpoints"]
    assert {role: row["name"] for role, row in rows.items()} == {
        "general": GENERAL,
        "low_volume": LOW_VOLUME,
    }
    assert rows["general"]["arn"].endswith(f"endpoint/{GENERAL}")
    archive = store.read_bytes(rows["low_volume"]["model_data_url"])
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert "gata_model.json" in tar.getnames()  # one model, at the root


def test_a_failed_low_volume_update_puts_the_general_endpoint_back(world):
    deployer, store, models, sm = world
    spec = EndpointSpec(NAME, models, min_confidence=0.3)
    old = {name: f"{name}-0123abcd-20261101000000" for name in (GENERAL, LOW_VOLUME)}
    first = expect_rollout(
        sm, GENERAL, tags(spec)[GENERAL], endpoint("InService", old[GENERAL], name=GENERAL)
    )
    sm.add_response("describe_endpoint", endpoint("InService", first, name=GENERAL))
    second = expect_rollout(
        sm,
        LOW_VOLUME,
        tags(spec)[LOW_VOLUME],
        endpoint("InService", old[LOW_VOLUME], name=LOW_VOLUME),
    )
    reason = "The primary container did not pass the ping health check"
    failed = endpoint("InService", old[LOW_VOLUME], reason, name=LOW_VOLUME)
    sm.add_response("describe_endpoint", failed)
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": second})
    sm.add_response("delete_model", {}, {"ModelName": second})
    # ... and the general endpoint goes back to the config it served before.
    back = {"EndpointName": GENERAL, "EndpointConfigName": old[GENERAL]}
    sm.add_response("update_endpoint", {"EndpointArn": f"{ARN}:endpoint/{GENERAL}"}, back)
    sm.add_response("describe_endpoint", endpoint("InService", old[GENERAL], name=GENERAL))
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": first})
    sm.add_response("delete_model", {}, {"ModelName": first})
    with pytest.raises(DeploymentError) as failure:
        deployer.deploy(spec, store, log)
    message = str(failure.value)
    assert reason in message and f"config {old[LOW_VOLUME]} keeps serving" in message
    assert f"{GENERAL} is back on config {old[GENERAL]}" in message


def test_a_fallback_low_volume_model_leaves_only_the_general_endpoint(world):
    deployer, store, models, sm = world
    models = {**models, "low_volume": {**models["low_volume"], "fallback": True}}
    spec = EndpointSpec(NAME, models, min_confidence=0.3)
    resource = expect_rollout(sm, GENERAL, tags(spec)[GENERAL], existing=None)
    sm.add_response("describe_endpoint", endpoint("InService", resource, name=GENERAL))
    expect_listing(sm, [resource], [resource], name=GENERAL)
    expect_other_layout(sm, found=(GENERAL, LOW_VOLUME))
    retire(sm, LOW_VOLUME, f"{LOW_VOLUME}-0123abcd-20261101000000")
    result = deployer.deploy(spec, store, log)
    assert list(result["endpoints"]) == ["general"] and result["retired"] == [LOW_VOLUME]
    assert result["model_versions"] == {"general": "general-1", "low_volume": "low_volume-1"}
