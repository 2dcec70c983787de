"""Plugging into what a team already has: an ECS cluster, ECR repositories, an Aurora
cluster with its secret and VPC endpoint security groups are taken by ARN / URL / ID; with
none given everything is created, with them given the conditional resources have count 0
and every reference (services, task definitions, IAM) resolves to the given ones."""

from __future__ import annotations

import re

import pytest

from gata_assets_tests.infra.expression_helpers import (
    accepted,
    chosen_branch,
    conditional,
    count_for,
    hcl_unescape,
    referrers,
    unwrap,
)
from gata_assets_tests.infra.hcl_helpers import Config
from gata_assets_tests.infra.iam_helpers import _document_statements

CLUSTER_ARN = "arn:aws:ecs:eu-west-1:123456789012:cluster/team-cluster"
AURORA_ARN = "arn:aws:rds:eu-west-1:123456789012:cluster:team-aurora"
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/aurora-AbCdEf"
DAGSTER_URL = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/gata-dagster"
EXISTING = {
    "existing_ecs_cluster_arn": CLUSTER_ARN,
    "existing_aurora_cluster_arn": AURORA_ARN,
    "existing_aurora_secret_arn": SECRET_ARN,
}
CREATE: dict[str, str] = {}

# What only gata's own cluster / database needs; none of it with existing ones.
CLUSTER_RESOURCES = [("aws_ecs_cluster", "this")]
DATABASE_RESOURCES = [
    ("random_password", "dagster_db"),
    ("aws_db_subnet_group", "dagster"),
    ("aws_db_parameter_group", "dagster"),
    ("aws_iam_role", "rds_monitoring"),
    ("aws_iam_role_policy_attachment", "rds_monitoring"),
    ("aws_db_instance", "dagster"),
    ("aws_secretsmanager_secret", "dagster_db"),
    ("aws_secretsmanager_secret_version", "dagster_db"),
    ("aws_security_group", "rds"),
]


def _statement(config: Config, document: str, sid: str) -> dict:
    body = config.data[("aws_iam_policy_document", document)]
    (found,) = [s for s in _document_statements(body) if s.get("sid") == sid]
    return found


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


# --- every reference resolves through one local ------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "allowed"),
    [
        ("aws_ecs_cluster.this", {"local.ecs_cluster_arn"}),
        (
            "aws_ecr_repository.this",
            {"local.repository_urls", "local.repository_arns", "aws_ecr_lifecycle_policy.this"},
        ),
        (
            "aws_db_instance.dagster",
            {
                "local.dagster_db_host",
                "local.dagster_db_port",
                "aws_secretsmanager_secret_version.dagster_db",
            },
        ),
        (
            "aws_secretsmanager_secret.dagster_db",
            {"local.dagster_db_secret_arn", "aws_secretsmanager_secret_version.dagster_db"},
        ),
        ("data.aws_rds_cluster.existing", {"local.dagster_db_host", "local.dagster_db_port"}),
    ],
)
def test_created_or_existing_resources_are_read_through_locals(
    config: Config, reference: str, allowed: set[str]
) -> None:
    # Whatever else needs them (services, task definitions, IAM, outputs) reads the local.
    users = referrers(config, reference)
    if reference == "data.aws_rds_cluster.existing":
        users -= {"local.existing_aurora_access"}  # its security groups
    assert users == allowed, reference


def test_locals_resolve_to_the_given_resources(config: Config) -> None:
    resolved = {
        "ecs_cluster_arn": ("aws_ecs_cluster.this[0].arn", "var.existing_ecs_cluster_arn"),
        "cluster_name": (
            "local.name",
            'element(split("/", var.existing_ecs_cluster_arn), 1)',
        ),
        "dagster_db_host": (
            "aws_db_instance.dagster[0].address",
            "data.aws_rds_cluster.existing[0].endpoint",
        ),
        "dagster_db_port": (
            "aws_db_instance.dagster[0].port",
            "data.aws_rds_cluster.existing[0].port",
        ),
        "dagster_db_name": ("local.db_name", "var.existing_aurora_database_name"),
        "dagster_db_secret_arn": (
            "aws_secretsmanager_secret.dagster_db[0].arn",
            "var.existing_aurora_secret_arn",
        ),
    }
    for name, (created, existing) in resolved.items():
        expression = config.locals[name]
        assert chosen_branch(config, expression, CREATE) == created, name
        assert chosen_branch(config, expression, EXISTING) == existing, name
    # The Aurora cluster is looked up by the identifier in its ARN.
    identifier = conditional(config.locals["existing_aurora_cluster_id"])[2]
    assert identifier == 'element(split(":", var.existing_aurora_cluster_arn), 6)'
    assert AURORA_ARN.split(":")[6] == "team-aurora"
    assert CLUSTER_ARN.split("/")[1] == "team-cluster"
    lookup = config.data[("aws_rds_cluster", "existing")]
    assert lookup["cluster_identifier"] == "${local.existing_aurora_cluster_id}"
    assert "aurora-postgresql" in lookup["lifecycle"][0]["postcondition"][0]["condition"]


def test_existing_repository_urls_become_their_arns(config: Config) -> None:
    parts = config.locals["existing_repository_parts"]
    (pattern,) = re.findall(r'regex\("((?:[^"\\]|\\.)*)"', parts)
    account, region, name = re.fullmatch(hcl_unescape(pattern), DAGSTER_URL).groups()
    arns = config.locals["repository_arns"]
    template = re.search(r'"(arn:[^"]*repository/[^"]*)"', arns)[1]
    arn = (
        template.replace("${local.partition}", "aws")
        .replace("${part[1]}", region)
        .replace("${part[0]}", account)
        .replace("${part[2]}", name)
    )
    assert arn == "arn:aws:ecr:eu-west-1:123456789012:repository/team/gata-dagster"
    # A given URL wins over a created repository of the same image.
    urls = unwrap(config.locals["repository_urls"])
    assert urls.rstrip(", )").endswith("var.existing_ecr_repository_urls")


def test_services_tasks_and_images_use_the_resolved_values(config: Config) -> None:
    for service in ("webserver", "daemon", "code_server"):
        body = config.resources[("aws_ecs_service", service)]
        assert body["cluster"] == "${local.ecs_cluster_arn}", service
    assert config.locals["dagster_image"].startswith('${local.repository_urls["dagster"]}:')
    gata = config.locals["gata_environment"]
    assert gata["GATA_SAGEMAKER_IMAGE_REPOSITORY"] == '${local.repository_urls["inference"]}'
    assert gata["GATA_FINETUNE_IMAGE_REPOSITORY"] == '${local.repository_urls["finetune"]}'
    dagster = config.locals["dagster_environment"]
    assert dagster["DAGSTER_PG_HOST"] == "${local.dagster_db_host}"
    assert dagster["DAGSTER_PG_PORT"] == "${tostring(local.dagster_db_port)}"
    assert dagster["DAGSTER_PG_DB"] == "${local.dagster_db_name}"
    # User name and password both come from the secret in use, never from the environment.
    assert "DAGSTER_PG_USERNAME" not in dagster
    secrets = {s["name"]: s["valueFrom"] for s in config.locals["dagster_secrets"]}
    assert secrets == {
        "DAGSTER_PG_USERNAME": "${local.dagster_db_secret_arn}:username::",
        "DAGSTER_PG_PASSWORD": "${local.dagster_db_secret_arn}:password::",
    }
    outputs = config.outputs
    assert outputs["ecs_cluster_arn"]["value"] == "${local.ecs_cluster_arn}"
    assert outputs["ecs_cluster_name"]["value"] == "${local.cluster_name}"
    assert outputs["dagster_db_secret_arn"]["value"] == "${local.dagster_db_secret_arn}"
    assert outputs["dagster_repository_url"]["value"] == '${local.repository_urls["dagster"]}'


def test_plugging_in_is_checked_before_anything_is_built(config: Config) -> None:
    task = config.resources[("aws_ecs_task_definition", "this")]
    conditions = " ".join(p["condition"] for p in task["lifecycle"][0]["precondition"])
    assert 'startswith(var.existing_ecs_cluster_arn, "${local.ecs_arn}:cluster/")' in conditions
    assert "part[1] == local.region" in conditions
    assert '(var.existing_aurora_cluster_arn == "") == (var.existing_aurora_secret_arn == "")' in (
        conditions
    )


# --- least privilege holds with existing resources -----------------------------------------------


def test_iam_names_exactly_the_resources_in_use(config: Config) -> None:
    pull = _statement(config, "task_execution", "PullDagsterImage")
    assert pull["resources"] == ['${local.repository_arns["dagster"]}']
    secret = _statement(config, "task_execution", "ReadDagsterDatabaseSecret")
    assert secret["resources"] == ["${local.dagster_db_secret_arn}"]
    decrypt = _statement(config, "task_execution", "DecryptDagsterDatabaseSecret")
    assert decrypt["resources"] == "${local.dagster_db_secret_kms_keys}"
    assert decrypt["condition"][0]["variable"] == "kms:ViaService"
    keys = unwrap(config.locals["dagster_db_secret_kms_keys"])
    assert "local.kms_key_arn" in keys and "var.existing_aurora_secret_kms_key_arn" in keys
    for sid in ("RunGataRunWorkerTasks", "MonitorAndStopTasksInGataCluster"):
        statement = _statement(config, "dagster_control", sid)
        (cluster,) = [c for c in statement["condition"] if c["variable"] == "ecs:cluster"]
        assert cluster["values"] == ["${local.ecs_cluster_arn}"], sid
    for sid in ("TagRunWorkerTasksAtLaunch", "MonitorAndStopTasksInGataCluster"):
        statement = _statement(config, "dagster_control", sid)
        assert statement["resources"] == ["${local.ecs_arn}:task/${local.cluster_name}/*"], sid
    images = _statement(config, "dagster_code", "CheckImageTagsExist")
    assert images["resources"] == [
        '${local.repository_arns["finetune"]}',
        '${local.repository_arns["inference"]}',
    ]
    for document, image in (
        ("sagemaker_training", "finetune"),
        ("sagemaker_inference", "inference"),
    ):
        body = config.data[("aws_iam_policy_document", document)]
        pulls = [s for s in _document_statements(body) if "ecr:BatchGetImage" in s["actions"]]
        assert [s["resources"] for s in pulls] == [[f'${{local.repository_arns["{image}"]}}']]


# --- network: the existing Aurora cluster and VPC endpoints ----------------------------------


def test_existing_aurora_cluster_is_reached_on_its_own_port(config: Config) -> None:
    for rule, own, other in (
        ("aws_vpc_security_group_ingress_rule", "each.value.group", "client"),
        ("aws_vpc_security_group_egress_rule", "client", "each.value.group"),
    ):
        name = "existing_aurora" if "ingress" in rule else "to_existing_aurora"
        body = config.resources[(rule, name)]
        assert body["for_each"] == "${local.existing_aurora_access}"
        assert body["from_port"] == body["to_port"] == "${local.dagster_db_port}"
        assert own in body["security_group_id"] and other in body["referenced_security_group_id"]


def test_vpc_endpoint_groups_get_https_from_gata_only_when_given(config: Config) -> None:
    access = unwrap(config.locals["vpc_endpoint_access"])
    assert (
        "setproduct(local.vpc_endpoint_clients, var.existing_vpc_endpoint_security_group_ids)"
        in (access)
    )  # an empty list gives an empty product: nothing is added
    clients = config.locals["vpc_endpoint_clients"]
    assert "local.aws_api_clients" in clients and 'var.sagemaker_in_vpc ? ["sagemaker"]' in clients
    rule = config.resources[("aws_vpc_security_group_ingress_rule", "vpc_endpoints")]
    assert rule["for_each"] == "${local.vpc_endpoint_access}"
    assert rule["from_port"] == rule["to_port"] == 443
    assert rule["security_group_id"] == "${each.value.group}"
    assert "local.vpc_endpoint_client_groups" in rule["referenced_security_group_id"]
    assert "cidr_ipv4" not in rule
