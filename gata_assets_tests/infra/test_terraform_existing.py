"""Plugging into what a team already has: an ECS cluster, ECR repositories, an Aurora
cluster with its secret and VPC endpoint security groups are taken by ARN / URL / ID; with
none given everything is created, with them given the conditional resources have count 0
and every reference (services, task definitions, IAM) resolves to the given ones."""

from __future__ import annotations

import pytest

from gata_assets_tests.infra.existing_helpers import (
    AURORA_ARN,
    CLUSTER_ARN,
    CLUSTER_RESOURCES,
    CREATE,
    DAGSTER_URL,
    DATABASE_RESOURCES,
    EXISTING,
    SECRET_ARN,
)
from gata_assets_tests.infra.expression_helpers import (
    accepted,
    count_for,
    unwrap,
)
from gata_assets_tests.infra.hcl_helpers import Config

# --- the variables ----------------------------------------------------------------------------


def test_existing_resource_variables_default_to_create(config: Config) -> None:
    defaults = {
        "existing_ecs_cluster_arn": "",
        "existing_ecr_repository_urls": {},
        "existing_aurora_cluster_arn": "",
        "existing_aurora_secret_arn": "",
        "existing_aurora_secret_kms_key_arn": "",
        "existing_vpc_endpoint_security_group_ids": [],
    }
    for name, default in defaults.items():
        assert config.variables[name]["default"] == default, name
        assert config.variables[name].get("validation"), f"{name} has no validation block"


@pytest.mark.parametrize(
    ("variable", "good", "bad"),
    [
        (
            "existing_ecs_cluster_arn",
            [CLUSTER_ARN, "arn:aws-cn:ecs:cn-north-1:123456789012:cluster/x"],
            ["team-cluster", "arn:aws:ecs:eu-west-1:123456789012:service/c/s"],
        ),
        (
            "existing_aurora_cluster_arn",
            [AURORA_ARN],
            ["team-aurora", "arn:aws:rds:eu-west-1:123456789012:db:team-instance"],
        ),
        (
            "existing_aurora_secret_arn",
            [SECRET_ARN],
            ["team/aurora", "arn:aws:ssm:eu-west-1:123456789012:parameter/x"],
        ),
        (
            "existing_aurora_secret_kms_key_arn",
            ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
            ["alias/team", "1234abcd-12ab-34cd-56ef-1234567890ab"],
        ),
        (
            "existing_ecr_repository_urls",
            [DAGSTER_URL, "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/gata/finetune"],
            [f"{DAGSTER_URL}:v1", "docker.io/team/gata", "arn:aws:ecr:eu-west-1:1:repository/x"],
        ),
        (
            "existing_vpc_endpoint_security_group_ids",
            ["sg-0123456789abcdef0", "sg-01234567"],
            ["vpce-0123456789abcdef0", "sg-XYZ"],
        ),
    ],
)
def test_validation_blocks_take_well_formed_values_only(
    config: Config, variable: str, good: list[str], bad: list[str]
) -> None:
    body = config.variables[variable]
    for value in good:
        assert accepted(body, value), (variable, value)
    for value in bad:
        assert not accepted(body, value), (variable, value)


def test_ecr_repositories_are_named_by_image(config: Config) -> None:
    (keys_rule, _) = config.variables["existing_ecr_repository_urls"]["validation"]
    assert '["dagster", "finetune", "inference"]' in keys_rule["condition"]
    assert set(config.locals["repositories"]) == {"dagster", "finetune", "inference"}


# --- defaults create everything, existing ones create nothing ------------------------------------


@pytest.mark.parametrize(("variables", "expected"), [(CREATE, 1), (EXISTING, 0)])
def test_cluster_and_database_resources_exist_only_when_not_given(
    config: Config, variables: dict, expected: int
) -> None:
    for address in CLUSTER_RESOURCES + DATABASE_RESOURCES:
        assert count_for(config, config.resources[address], variables) == expected, address
    # The Aurora cluster is read (not created) exactly when it is given.
    aurora = config.data[("aws_rds_cluster", "existing")]
    assert count_for(config, aurora, variables) == 1 - expected


def test_only_one_kind_of_database_has_log_groups_and_security_rules(config: Config) -> None:
    assert config.locals["create_dagster_db"] == '${var.existing_aurora_cluster_arn == ""}'
    assert config.locals["create_ecs_cluster"] == '${var.existing_ecs_cluster_arn == ""}'
    groups = config.resources[("aws_cloudwatch_log_group", "rds")]["for_each"]
    assert unwrap(groups) == "local.create_dagster_db ? local.db_log_groups : {}"
    for rule in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        name = "rds" if "ingress" in rule else "to_rds"
        for_each = config.resources[(rule, name)]["for_each"]
        assert "local.create_dagster_db ? local.database_clients : []" in for_each
    # The existing cluster's groups get rules only in the other case.
    access = config.locals["existing_aurora_access"]
    assert "local.create_dagster_db ? [] : setproduct(local.database_clients" in access
    assert "data.aws_rds_cluster.existing[0].vpc_security_group_ids" in access
    assert 'aws_security_group.this["rds"]' in config.files["network.tf"]["moved"][0]["from"]


def test_ecs_exec_log_group_only_for_a_cluster_gata_creates(config: Config) -> None:
    groups = config.locals["ecs_log_groups"]
    assert 'local.create_ecs_cluster ? {exec = "/ecs/${local.name}/exec"} : {}' in groups


def test_only_missing_ecr_repositories_are_created(config: Config) -> None:
    created = unwrap(config.locals["created_repositories"])
    assert "for image, name in local.repositories" in created
    assert "if !contains(keys(var.existing_ecr_repository_urls), image)" in created
    repository = config.resources[("aws_ecr_repository", "this")]
    assert repository["for_each"] == "${local.created_repositories}"
    # Lifecycle policies only on the repositories gata created (not on a team's own).
    lifecycle = config.resources[("aws_ecr_lifecycle_policy", "this")]
    assert lifecycle["for_each"] == "${aws_ecr_repository.this}"
