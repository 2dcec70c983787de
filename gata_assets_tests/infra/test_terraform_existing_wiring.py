"""Plugging into existing resources, wired through: every reference resolves through one
local to the created or the given resource, IAM names exactly the resources in use, and the
network reaches an existing Aurora cluster and VPC endpoints from gata's groups only."""

from __future__ import annotations

import re

import pytest

from gata_assets_tests.infra.existing_helpers import (
    AURORA_ARN,
    CLUSTER_ARN,
    CREATE,
    DAGSTER_URL,
    EXISTING,
    _statement,
)
from gata_assets_tests.infra.expression_helpers import (
    chosen_branch,
    conditional,
    hcl_unescape,
    referrers,
    unwrap,
)
from gata_assets_tests.infra.hcl_helpers import Config
from gata_assets_tests.infra.iam_helpers import _document_statements

# --- every reference resolves through one local ------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "allowed"),
    [
        ("aws_ecs_cluster.this", {"local.ecs_cluster_arn"}),
        (
            # Besides the locals, only what exists for created repositories alone.
            "aws_ecr_repository.this",
            {
                "local.repository_urls",
                "local.repository_arns",
                "aws_ecr_lifecycle_policy.this",
                "aws_ecr_repository_policy.inference_for_prod",
            },
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
