"""Botocore Stubber conversations for the SageMaker deployer tests.

Each helper queues the exact calls (and parameters) one step of a deployment must make, so
the tests read as the story of a deployment: start, wait, list, clean up.
"""

from datetime import UTC, datetime

from botocore.stub import ANY

from gata_assets_tests.serving_fixtures import make_fallback_dir

REGION, NAME, STAMP = "eu-west-1", "gata-router", "20261124030000"
ROLE = "arn:aws:iam::123456789012:role/gata-sagemaker"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gata-inference:7"
OLD = "gata-router-0123abcd-20261101000000"
NOW = datetime(2026, 11, 24, tzinfo=UTC)
ACCOUNT = "123456789012"
ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def endpoint(status: str, config: str, reason: str | None = None, name: str = NAME) -> dict:
    found = {
        "EndpointName": name,
        "EndpointArn": f"{ARN}:endpoint/{name}",
        "EndpointConfigName": config,
        "EndpointStatus": status,
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
    }
    return {**found, "FailureReason": reason} if reason else found


def expect_image(ssm) -> None:
    ssm.add_response(
        "get_parameter",
        {"Parameter": {"Name": "p", "Value": IMAGE, "Type": "String"}},
        {"Name": "/gata/images/inference/tag"},
    )


def expect_rollout(sm, name: str, tag: str, existing: dict | None) -> str:
    """One endpoint's create-or-update: describe, model, config, start; its resource name."""
    resource = f"{name}-{tag[:8]}-{STAMP}"
    if existing is None:
        sm.add_client_error(
            "describe_endpoint",
            "ValidationException",
            f'Could not find endpoint "{name}".',
            expected_params={"EndpointName": name},
        )
    else:
        sm.add_response("describe_endpoint", existing, {"EndpointName": name})
    sm.add_response(
        "create_model",
        {"ModelArn": f"{ARN}:model/x"},
        {
            "ModelName": resource,
            "ExecutionRoleArn": ROLE,
            "PrimaryContainer": {
                "Image": IMAGE,
                "ModelDataUrl": ANY,
                "Environment": {"GATA_SERVE_MIN_CONFIDENCE": "0.3"},
            },
        },
    )
    sm.add_response(
        "create_endpoint_config",
        {"EndpointConfigArn": f"{ARN}:endpoint-config/x"},
        {
            "EndpointConfigName": resource,
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": resource,
                    "ServerlessConfig": {"MemorySizeInMB": 4096, "MaxConcurrency": 7},
                }
            ],
        },
    )
    call = "create_endpoint" if existing is None else "update_endpoint"
    sm.add_response(
        call,
        {"EndpointArn": f"{ARN}:endpoint/x"},
        {"EndpointName": name, "EndpointConfigName": resource},
    )
    return resource


def expect_start(spec, sm, ssm, existing: dict | None) -> str:
    expect_image(ssm)
    return expect_rollout(sm, NAME, spec.tag(), existing)


def expect_listing(sm, configs: list[str], models: list[str], name: str = NAME) -> None:
    sm.add_response(
        "list_endpoint_configs",
        {
            "EndpointConfigs": [
                {
                    "EndpointConfigName": c,
                    "EndpointConfigArn": f"{ARN}:endpoint-config/c",
                    "CreationTime": NOW,
                }
                for c in configs
            ]
        },
        {"NameContains": name, "MaxResults": 100},
    )
    sm.add_response(
        "list_models",
        {
            "Models": [
                {"ModelName": m, "ModelArn": f"{ARN}:model/m", "CreationTime": NOW} for m in models
            ]
        },
        {"NameContains": name, "MaxResults": 100},
    )


def expect_other_layout(sm, found: tuple[str, ...] = (), name: str = NAME) -> None:
    """After a success: the look for `name`'s endpoints of the other layout (`found`)."""
    listed = [
        {
            "EndpointName": one,
            "EndpointArn": f"{ARN}:endpoint/{one}",
            "EndpointStatus": "InService",
            "CreationTime": NOW,
            "LastModifiedTime": NOW,
        }
        for one in found
    ]
    sm.add_response(
        "list_endpoints", {"Endpoints": listed}, {"NameContains": name, "MaxResults": 100}
    )


def stored_model_pair(store, tmp_path) -> dict[str, dict[str, str]]:
    """A fallback model per role, put in `store` (`m/<role>`): what an EndpointSpec takes."""
    return {
        role: {
            "uri": store.put_dir(make_fallback_dir(tmp_path / role, role), f"m/{role}").uri,
            "model_version": f"{role}-1",
        }
        for role in ("general", "low_volume")
    }
