"""infra/'s outputs and the GATA_* environment the ECS tasks get: they match what
gata_assets/settings.py reads and build gata's AWS resources."""

from __future__ import annotations

import re

from gata_assets_tests.infra.hcl_helpers import (
    INFRA,
    REPO,
    Config,
)
from gata_assets_tests.infra.terraform_expectations import (
    DEPLOYMENT_OUTPUTS,
    EXAMPLE_ENVIRONMENT,
    GATA_OUTPUTS,
    LOCAL_ONLY_SETTINGS,
)


def test_outputs_gata_reads_exist_and_match_its_environment(config: Config) -> None:
    assert set(GATA_OUTPUTS) | DEPLOYMENT_OUTPUTS <= set(config.outputs)
    environment = config.locals["gata_environment"]
    assert set(GATA_OUTPUTS.values()) <= set(environment)
    assert environment["GATA_MODE"] == "aws"
    assert "local.gata_environment" in config.outputs["gata_environment"]["value"]
    # Each output exposes the same value its environment variable gets.
    for output, env_name in GATA_OUTPUTS.items():
        value = config.outputs[output]["value"]
        env_value = environment[env_name]
        if "join(" not in env_value:
            assert value == env_value, (output, value, env_value)


def test_gata_environment_covers_what_settings_reads(config: Config) -> None:
    from gata_assets.settings import GataSettings

    source = (REPO / "gata_assets" / "settings.py").read_text()
    read = set(re.findall(r"env\.get\(\s*\"((?:GATA|AWS)_[A-Z0-9_]+)\"", source))
    environment = config.locals["gata_environment"]
    missing = read - set(environment) - LOCAL_ONLY_SETTINGS
    assert missing == set(), (
        f"settings.py reads {sorted(missing)}: set them in local.gata_environment (infra/ecs.tf) "
        "or list them in LOCAL_ONLY_SETTINGS here"
    )
    assert set(EXAMPLE_ENVIRONMENT) == set(environment)
    settings = GataSettings.from_env(EXAMPLE_ENVIRONMENT)
    assert settings.mode == "aws"
    assert settings.artifact_bucket == EXAMPLE_ENVIRONMENT["GATA_ARTIFACT_BUCKET"]
    assert settings.kms_key_id == EXAMPLE_ENVIRONMENT["GATA_KMS_KEY_ID"]
    assert settings.ticket_db_secret_id == EXAMPLE_ENVIRONMENT["GATA_TICKET_DB_SECRET_ID"]
    assert settings.aws_region == "eu-west-1"


def test_gata_builds_its_aws_resources_from_this_environment() -> None:
    from gata_assets.definitions import build_resources
    from gata_assets.settings import GataSettings

    env = EXAMPLE_ENVIRONMENT
    resources = build_resources(GataSettings.from_env(env))

    assert resources["artifact_store"].bucket == env["GATA_ARTIFACT_BUCKET"]
    assert resources["artifact_store"].kms_key_id == env["GATA_KMS_KEY_ID"]
    assert resources["ticket_db"].secret_id == env["GATA_TICKET_DB_SECRET_ID"]
    assert resources["pipeline"].low_volume_fallback_label == "triage"
    # Each AWS resource takes its settings from this environment (checked for the resources
    # definitions.py builds; a stage not wired yet is simply absent).
    expected = {
        "SageMakerDeployer": {
            "role_arn": env["GATA_SAGEMAKER_ROLE_ARN"],
            "image_parameter": env["GATA_SAGEMAKER_IMAGE_PARAMETER"],
            "image_repository": env["GATA_SAGEMAKER_IMAGE_REPOSITORY"],
            "memory_size_mb": 3072,
            "max_concurrency": 5,
            "name_prefix": env["GATA_SAGEMAKER_NAME_PREFIX"],
        },
        "SageMakerTrainer": {
            "role_arn": env["GATA_SAGEMAKER_TRAINING_ROLE_ARN"],
            "image_tag_parameter": env["GATA_FINETUNE_IMAGE_TAG_PARAMETER"],
            "image_repository": env["GATA_FINETUNE_IMAGE_REPOSITORY"],
            "name_prefix": env["GATA_SAGEMAKER_NAME_PREFIX"],
            "instance_type": "ml.g6.xlarge",
            "use_spot": False,
            "max_runtime_seconds": 7200,
            "max_wait_seconds": 14400,
            "volume_size_gb": 30,
            "kms_key_id": env["GATA_KMS_KEY_ID"],
            "subnet_ids": [],
        },
        "SageMakerModelRegistry": {"package_group": env["GATA_MODEL_PACKAGE_GROUP"]},
        "EventBridgeEvents": {"bus_name": env["GATA_EVENT_BUS_NAME"]},
        "SsmImageTags": {
            "finetune_parameter": env["GATA_FINETUNE_IMAGE_TAG_PARAMETER"],
            "inference_parameter": env["GATA_SAGEMAKER_IMAGE_PARAMETER"],
        },
    }
    built = {type(resource).__name__: resource for resource in resources.values()}
    assert "SageMakerDeployer" in built or "deployer" not in resources
    for class_name, fields in expected.items():
        if class_name in built:
            actual = {name: getattr(built[class_name], name) for name in fields}
            assert actual == fields, class_name


def test_env_file_template_renders_the_environment(config: Config) -> None:
    template = (INFRA / "gata.env.tftpl").read_text()
    assert "for name in sort(keys(environment))" in template
    assert "gata.env.tftpl" in config.outputs["gata_env_file"]["value"]
