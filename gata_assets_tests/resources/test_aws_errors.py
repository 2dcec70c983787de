"""An AWS error is never read as "absent": only a real not-found is (botocore Stubber).

Under a throttle or a 403 the gate would otherwise find "no champion" and pass, and batch
inference "no approved model" and fall back; so everything but a not-found fails, naming
AWS's error code and message. Throttling itself is retried by botocore (the retry mode every
client gets from `AwsResource`) before it ever reaches these callers.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from gata_assets.resources.aws import AwsCallError, AwsResource
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_registry import SageMakerModelRegistry
from gata_assets_tests.resources.test_registry_sagemaker import GROUP, listing, summary

REGION = "eu-west-1"


@pytest.fixture
def s3():
    client = boto3.client("s3", region_name=REGION)
    store = S3ArtifactStore(bucket="b", prefix="gata", region_name=REGION)
    with Stubber(client) as stub:
        yield store.with_clients(s3=client), stub
        stub.assert_no_pending_responses()


@pytest.fixture
def sagemaker():
    client = boto3.client("sagemaker", region_name=REGION)
    registry = SageMakerModelRegistry(package_group=GROUP, region_name=REGION)
    with Stubber(client) as stub:
        yield registry.with_clients(sagemaker=client), stub
        stub.assert_no_pending_responses()


@pytest.mark.parametrize("code", ["404", "NoSuchKey", "NotFound"])
def test_s3_not_found_is_absent(s3, code):
    store, stub = s3
    stub.add_client_error("head_object", service_error_code=code, http_status_code=404)
    assert store.exists("s3://b/gata/refs/general_model.json") is False


@pytest.mark.parametrize(
    ("code", "status"),
    [("AccessDenied", 403), ("403", 403), ("SlowDown", 503), ("InternalError", 500)],
)
def test_s3_other_errors_raise_with_the_aws_code(s3, code, status):
    store, stub = s3
    stub.add_client_error(
        "head_object", service_error_code=code, service_message="nope", http_status_code=status
    )
    with pytest.raises(AwsCallError, match=f"S3 HeadObject of s3://b/gata/x failed: {code}: nope"):
        store.exists("s3://b/gata/x")


def test_s3_download_denied_is_not_file_not_found(s3, tmp_path):
    store, stub = s3
    stub.add_client_error("head_object", service_error_code="AccessDenied", http_status_code=403)
    with pytest.raises(AwsCallError, match="AccessDenied"):
        store.get_file("s3://b/gata/x", tmp_path / "x")


def test_registry_missing_group_means_nothing_registered(sagemaker):
    registry, stub = sagemaker
    stub.add_client_error(
        "list_model_packages",
        service_error_code="ValidationException",
        service_message=f"Model Package Group {GROUP} does not exist.",
    )
    assert registry.list() == []


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("AccessDeniedException", "not authorized to perform sagemaker:ListModelPackages"),
        ("ThrottlingException", "Rate exceeded"),
        ("ValidationException", "1 validation error detected"),
    ],
)
def test_registry_other_errors_raise_instead_of_empty(sagemaker, code, message):
    registry, stub = sagemaker
    stub.add_client_error("list_model_packages", service_error_code=code, service_message=message)
    with pytest.raises(AwsCallError, match=f"ListModelPackages {GROUP} failed: {code}: {message}"):
        registry.latest_approved("general")


def test_registry_denied_group_lookup_does_not_create_a_group(sagemaker):
    registry, stub = sagemaker
    stub.add_client_error(
        "describe_model_package_group", service_error_code="AccessDeniedException"
    )
    with pytest.raises(AwsCallError, match="AccessDeniedException"):
        registry._ensure_group()


def test_record_check_adds_the_verdict_to_the_package(sagemaker):
    from gata_assets_tests.resources.test_registry_sagemaker import ARN, described

    registry, stub = sagemaker
    listing(stub, [summary()])
    described(stub)
    update = {
        "ModelPackageArn": ARN,
        "CustomerMetadataProperties": {
            "check_beats_tfidf_baseline": "failed",
            "why_beats_tfidf_baseline": "macro-F1 0.5 vs TF-IDF baseline 0.9",
        },
    }
    stub.add_response("update_model_package", {"ModelPackageArn": ARN}, update)
    registry.record_check(
        "general-v1",
        "beats_tfidf_baseline",
        False,
        update["CustomerMetadataProperties"]["why_beats_tfidf_baseline"],
    )


def test_every_client_retries_throttling_with_backoff():
    resource = AwsResource(region_name=REGION, retry_mode="adaptive")
    for service in ("s3", "sagemaker"):
        retries = resource.client(service).meta.config.retries
        assert retries["mode"] == "adaptive" and retries["total_max_attempts"] > 1
