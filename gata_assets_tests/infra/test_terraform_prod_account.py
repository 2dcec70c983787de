"""Prod in its own account (infra/prod_account.tf), both ways: without prod_role_arn nothing
is granted or set and prod_endpoint deploys here; with it, gata's code role may assume that
one role, the GATA_PROD_* settings reach the tasks and build the prod deployer, and the prod
model role may pull the inference image."""

from __future__ import annotations

import re

import pytest

from gata_assets.options import OPTIONS
from gata_assets_tests.infra.expression_helpers import accepted, chosen_branch, count_for, unwrap
from gata_assets_tests.infra.hcl_helpers import Config
from gata_assets_tests.infra.policy_helpers import allowing, condition, role_statements
from gata_assets_tests.infra.terraform_expectations import EXAMPLE_ENVIRONMENT

PROD_ROLE = "arn:aws:iam::210987654321:role/gata-prod-deployer"
PROD_MODEL_ROLE = "arn:aws:iam::210987654321:role/gata-prod-model"
PROD = {
    "prod_role_arn": PROD_ROLE,
    "prod_artifact_bucket": "gata-prod-artifacts",
    "prod_sagemaker_role_arn": PROD_MODEL_ROLE,
}
OPTIONAL = {
    "prod_kms_key_id": "arn:aws:kms:eu-west-1:210987654321:key/abcd",
    "prod_external_id": "x7",
}
UNSET: dict[str, str] = {}
PROD_RESOURCES = [
    ("aws_iam_role_policy", "dagster_code_prod_account"),
    ("aws_ecr_repository_policy", "inference_for_prod"),
]


def prod_environment(config: Config, variables: dict[str, str]) -> dict[str, str]:
    """local.prod_environment for these variables (the expression's shape is checked first)."""
    branch = chosen_branch(config, config.locals["prod_environment"], variables)
    if branch == "{}":
        return {}
    comprehension = branch.strip("{} ")
    assert comprehension == 'for name, value in local.prod_settings : name => value if value != ""'
    settings = {name: unwrap(value) for name, value in config.locals["prod_settings"].items()}
    values = {name: variables.get(var.removeprefix("var."), "") for name, var in settings.items()}
    return {name: value for name, value in values.items() if value != ""}


def test_each_prod_setting_is_a_variable_of_its_own_and_an_option_of_the_prod_deployer(config):
    settings = config.locals["prod_settings"]
    rows = {name for name, o in OPTIONS.items() if any(t[0] == "prod_deployer" for t in o.targets)}
    assert set(settings) == rows
    for name, value in settings.items():
        variable = unwrap(value).removeprefix("var.")
        assert config.variables[variable]["default"] == "" == OPTIONS[name].default, name
        assert name in config.variables[variable]["description"], name


@pytest.mark.parametrize("variables", [UNSET, {"prod_artifact_bucket": "gata-prod-artifacts"}])
def test_without_a_prod_role_nothing_is_granted_set_or_shared(config, variables):
    for address in PROD_RESOURCES:
        assert count_for(config, config.resources[address], variables) == 0, address
    code = role_statements(config, "dagster_code", variables)
    assert not [s for s in code if any(a.startswith("sts:") for a in s["actions"])]
    assert prod_environment(config, variables) == {}
    from gata_assets.definitions import build_resources
    from gata_assets.settings import GataSettings

    environment = EXAMPLE_ENVIRONMENT | prod_environment(config, variables)
    resources = build_resources(GataSettings.from_env(environment))
    assert resources["prod_deployer"].assume_role_arn == ""  # preprod's account


@pytest.mark.parametrize("optional", [{}, OPTIONAL])
def test_with_a_prod_role_the_code_role_assumes_it_and_gata_deploys_through_it(config, optional):
    variables = PROD | optional
    policy = config.resources[("aws_iam_role_policy", "dagster_code_prod_account")]
    assert count_for(config, policy, variables) == 1
    code = role_statements(config, "dagster_code", variables)
    (assume,) = allowing(code, "sts:AssumeRole", PROD_ROLE)
    assert assume["actions"] == ["sts:AssumeRole"] and assume["resources"] == [PROD_ROLE]
    assert allowing(code, "sts:AssumeRole", PROD_ROLE.replace("deployer", "admin")) == []
    environment = prod_environment(config, variables)
    assert set(environment) == {
        "GATA_PROD_ROLE_ARN",
        "GATA_PROD_ARTIFACT_BUCKET",
        "GATA_PROD_SAGEMAKER_ROLE_ARN",
    } | ({"GATA_PROD_KMS_KEY_ID", "GATA_PROD_EXTERNAL_ID"} if optional else set())
    from gata_assets.definitions import build_resources
    from gata_assets.settings import GataSettings

    prod = build_resources(GataSettings.from_env(EXAMPLE_ENVIRONMENT | environment))
    deployer = prod["prod_deployer"]
    assert deployer.assume_role_arn == PROD_ROLE and deployer.role_arn == PROD_MODEL_ROLE
    assert deployer.artifact_bucket == PROD["prod_artifact_bucket"]
    assert deployer.artifact_kms_key_id == optional.get("prod_kms_key_id", "")
    assert deployer.external_id == optional.get("prod_external_id", "")
    assert prod["deployer"].assume_role_arn == ""  # preprod stays in this account


def test_the_prod_settings_reach_the_tasks_and_the_environment_outputs(config):
    tasks = config.locals["tasks"]
    for expression in (
        tasks["code_server"]["env"],
        tasks["run"]["env"],
        config.outputs["gata_environment"]["value"],
        config.outputs["gata_env_file"]["value"],
    ):
        # After gata_options, so what this configuration sets wins over it.
        assert re.search(
            r"var\.gata_options, .*local\.gata_environment, local\.prod_environment", expression
        )
    for daemon in ("webserver", "daemon"):
        assert "prod_environment" not in tasks[daemon]["env"]


def test_a_plan_refuses_a_prod_role_without_its_bucket_and_model_role(config):
    policy = config.resources[("aws_iam_role_policy", "dagster_code_prod_account")]
    conditions = [p["condition"] for p in policy["lifecycle"][0]["precondition"]]
    assert (
        unwrap(conditions[0])
        == 'var.prod_artifact_bucket != "" && var.prod_sagemaker_role_arn != ""'
    )
    assert "local.prod_model_account == local.prod_account_id" in conditions[1]
    for variable, good, bad in (
        ("prod_role_arn", PROD_ROLE, "gata-prod-deployer"),
        ("prod_sagemaker_role_arn", PROD_MODEL_ROLE, "arn:aws:iam::210987654321:user/x"),
        ("prod_artifact_bucket", "gata-prod-artifacts", "s3://gata-prod-artifacts"),
        ("prod_kms_key_id", OPTIONAL["prod_kms_key_id"], "alias/prod"),
        ("prod_external_id", "gata-7f3a", "with space"),
    ):
        body = config.variables[variable]
        assert accepted(body, good) and not accepted(body, bad), variable


def test_the_prod_model_role_may_pull_the_inference_image_from_gatas_repository(config):
    repository = config.resources[("aws_ecr_repository_policy", "inference_for_prod")]
    assert repository["repository"] == '${aws_ecr_repository.this["inference"].name}'
    assert "local.prod_pulls_created_inference_repository" in repository["count"]
    shared = unwrap(config.locals["prod_pulls_created_inference_repository"])
    assert shared.startswith("local.prod_account && ")
    assert 'contains(keys(local.created_repositories), "inference")' in shared
    document = config.data[("aws_iam_policy_document", "inference_image_for_prod")]
    (pull,) = document["statement"]
    inference = role_statements(config, "sagemaker_inference")
    (own,) = [s for s in inference if s.get("sid") == "PullInferenceImage"]
    assert sorted(pull["actions"]) == sorted(own["actions"])  # what a model role pulls with
    (principal,) = pull["principals"]
    assert principal["identifiers"] == [
        "arn:${local.partition}:iam::${local.prod_model_account}:root"
    ]
    assert condition(pull, "aws:PrincipalArn")["values"] == ["${var.prod_sagemaker_role_arn}"]
    assert (
        config.locals["prod_model_account"]
        == '${try(split(":", var.prod_sagemaker_role_arn)[4], "")}'
    )
    assert PROD_MODEL_ROLE.split(":")[4] == "210987654321"
