"""The endpoint layout and the prod deployer as settings make them, and the per-model invoke.

GATA_ENDPOINT_LAYOUT picks router or per-model for both deployers (a wrong value stops the
definitions from loading); GATA_PROD_* make `prod_deployer` act in another account while
`deployer` stays in the run's own. Per model, `invoke` asks the general endpoint and only
the hand-offs go to the low-volume one, through SageMaker's runtime (stubbed here).
"""

from __future__ import annotations

import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from gata_assets.definitions import build_definitions
from gata_assets.options import SettingsError
from gata_assets.resources.deployer import EndpointSpec
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets.settings import GataSettings

REGION = "eu-west-1"
PROD_ROLE = "arn:aws:iam::210987654321:role/gata-prod-deployer"
AWS = {"GATA_MODE": "aws", "GATA_ARTIFACT_BUCKET": "gata-artifacts", "AWS_REGION": REGION}
MODELS = {
    "general": {"uri": "s3://b/m/general", "model_version": "g1"},
    "low_volume": {"uri": "s3://b/m/low_volume", "model_version": "l1"},
}


def test_units_per_layout_and_a_fallback_model_gets_no_endpoint():
    spec = EndpointSpec("gata-router", MODELS)
    (router,) = spec.units("router")
    assert (router.name, router.is_router, router.tag()) == ("gata-router", True, spec.tag())
    names = [unit.name for unit in spec.units("per-model")]
    assert names == ["gata-router-general", "gata-router-low-volume"]
    assert {u.tag() for u in spec.units("per-model")}.isdisjoint({spec.tag()})
    fallback = {**MODELS, "low_volume": {**MODELS["low_volume"], "fallback": True}}
    (only,) = EndpointSpec("gata-prod", fallback).units("per-model")
    assert (only.name, list(only.models)) == ("gata-prod-general", ["general"])


def test_the_layout_reaches_both_deployers_and_a_wrong_one_fails_at_load(tmp_path):
    env = {"GATA_HOME": str(tmp_path), "GATA_ENDPOINT_LAYOUT": "per-model"}
    resources = build_definitions(GataSettings.from_env(env)).resources
    assert resources["deployer"].layout == resources["prod_deployer"].layout == "per-model"
    with pytest.raises(SettingsError, match=r"GATA_ENDPOINT_LAYOUT='one-each'.*router or per-mod"):
        build_definitions(GataSettings.from_env({**env, "GATA_ENDPOINT_LAYOUT": "one-each"}))


def test_prod_settings_make_a_second_deployer_in_the_prod_account(tmp_path):
    prod = {
        "GATA_PROD_ROLE_ARN": PROD_ROLE,
        "GATA_PROD_EXTERNAL_ID": "gata-7",
        "GATA_PROD_ARTIFACT_BUCKET": "gata-prod-artifacts",
        "GATA_PROD_KMS_KEY_ID": "alias/gata-prod",
        "GATA_PROD_SAGEMAKER_ROLE_ARN": "arn:aws:iam::210987654321:role/gata-endpoint",
    }
    env = {**AWS, "GATA_HOME": str(tmp_path), "GATA_SAGEMAKER_ROLE_ARN": "arn:preprod-role"}
    env["GATA_SAGEMAKER_MEMORY_SIZE_MB"] = "4096"
    resources = build_definitions(GataSettings.from_env({**env, **prod})).resources
    preprod, prod_deployer = resources["deployer"], resources["prod_deployer"]
    assert (preprod.assume_role_arn, preprod.role_arn, preprod.artifact_bucket) == (
        "",
        "arn:preprod-role",
        "",
    )
    assert prod_deployer.assume_role_arn == PROD_ROLE and prod_deployer.external_id == "gata-7"
    assert prod_deployer.role_arn == prod["GATA_PROD_SAGEMAKER_ROLE_ARN"]
    assert prod_deployer.artifact_bucket == "gata-prod-artifacts"
    assert prod_deployer.artifact_kms_key_id == "alias/gata-prod"
    assert prod_deployer.memory_size_mb == 4096  # everything else as preprod's
    half = {**env, "GATA_PROD_ROLE_ARN": PROD_ROLE}
    with pytest.raises(SettingsError, match="GATA_PROD_ROLE_ARN needs GATA_PROD_ARTIFACT_BUCKET"):
        build_definitions(GataSettings.from_env(half))


def reply(predictions: list[dict]) -> dict:
    body = json.dumps({"predictions": predictions}).encode()
    return {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentType": "application/json"}


def answer(ticket: str, category: str, route: str, label=None, top=None) -> dict:
    best = top or {"label": label, "category": category, "confidence": 0.9}
    return {
        "id": ticket,
        "label": label,
        "category": category,
        "confidence": 0.9,
        "top_k": [best],
        "route": route,
    }


HANDOFF = {"label": -1, "category": "__low_volume__", "confidence": 0.8}
TICKETS = [{"id": "1", "text": "charged twice"}, {"id": "2", "text": "gdpr request"}]


def expect(runtime: Stubber, name: str, instances: list[dict], predictions: list[dict]):
    body = json.dumps({"instances": instances}).encode()
    params = {
        "EndpointName": name,
        "ContentType": "application/json",
        "Accept": "application/json",
        "Body": body,
    }
    runtime.add_response("invoke_endpoint", reply(predictions), params)


@pytest.mark.parametrize("low_volume_deployed", [True, False])
def test_per_model_invoke_asks_the_low_volume_endpoint_only_for_hand_offs(low_volume_deployed):
    client = boto3.client("sagemaker-runtime", region_name=REGION)
    deployer = SageMakerDeployer(region_name=REGION, layout="per-model")
    deployer = deployer.with_clients(sagemaker_runtime=client)
    general = [
        answer("1", "billing", "general", label=11),
        answer("2", "triage", "fallback", top=HANDOFF),
    ]
    with Stubber(client) as runtime:
        expect(runtime, "gata-prod-general", TICKETS, general)
        if low_volume_deployed:
            expect(runtime, "gata-prod-low-volume", TICKETS[1:], [answer("2", "gdpr", "general")])
        else:
            message = "Endpoint gata-prod-low-volume of account 123456789012 not found."
            runtime.add_client_error("invoke_endpoint", "ValidationError", message)
        predictions = deployer.invoke("gata-prod", TICKETS)["predictions"]
        runtime.assert_no_pending_responses()
    assert predictions[0]["category"] == "billing" and predictions[0]["route"] == "general"
    if low_volume_deployed:
        assert (predictions[1]["category"], predictions[1]["route"]) == ("gdpr", "low_volume")
    else:
        assert (predictions[1]["category"], predictions[1]["confidence"]) == ("triage", 1.0)
        assert predictions[1]["route"] == "fallback"
