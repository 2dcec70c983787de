"""infra/'s security rules: no IAM `*` on `*`, every role namespaced and bounded, PassRole
narrow, buckets encrypted/versioned/private/TLS-only, log groups and ECR encrypted, only the
load balancer open to the outside."""

from __future__ import annotations

from gata_assets_tests.infra.bucket_helpers import (
    _first,
    bucket_problems,
)
from gata_assets_tests.infra.hcl_helpers import (
    Config,
)
from gata_assets_tests.infra.iam_helpers import (
    _as_list,
    iam_statements,
    roles_without_namespace_or_boundary,
    wildcard_grants,
)


def test_no_iam_statement_allows_everything(config: Config) -> None:
    assert list(iam_statements(config)), "no IAM statements found: the checker is blind"
    assert wildcard_grants(config) == []


def test_every_role_takes_namespace_and_permissions_boundary(config: Config) -> None:
    assert len(config.of_type("aws_iam_role")) >= 5
    assert roles_without_namespace_or_boundary(config) == []


def test_passrole_is_limited_to_named_roles_and_one_service(config: Config) -> None:
    passes = [s for _, s in iam_statements(config) if "iam:PassRole" in _as_list(s.get("actions"))]
    assert passes
    for statement in passes:
        assert "*" not in statement["resources"]
        assert any(c["variable"] == "iam:PassedToService" for c in statement.get("condition", []))


def test_buckets_are_encrypted_versioned_private_tls_only_with_lifecycle(config: Config) -> None:
    assert set(config.of_type("aws_s3_bucket")) >= {"artifacts", "logs"}
    assert bucket_problems(config) == []


def test_log_groups_are_encrypted_with_configurable_retention(config: Config) -> None:
    groups = config.of_type("aws_cloudwatch_log_group")
    assert groups
    for name, body in groups.items():
        assert body.get("kms_key_id"), name
        assert body.get("retention_in_days") == "${var.log_retention_days}", name


def test_ecr_repositories_are_immutable_scanned_and_encrypted(config: Config) -> None:
    (repo,) = config.of_type("aws_ecr_repository").values()
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert _first(repo, "image_scanning_configuration")["scan_on_push"] is True
    assert _first(repo, "encryption_configuration")["encryption_type"] == "KMS"
    assert config.of_type("aws_ecr_lifecycle_policy")
    assert set(config.locals["repositories"]) == {"finetune", "inference", "dagster"}


def test_only_the_load_balancer_takes_traffic_from_outside_the_vpc(config: Config) -> None:
    for name, rule in config.of_type("aws_vpc_security_group_ingress_rule").items():
        if "cidr_ipv4" in rule:
            assert 'aws_security_group.this["alb"]' in rule["security_group_id"], name
            assert rule["from_port"] == rule["to_port"] == 443, name
        else:
            assert "referenced_security_group_id" in rule, name
    for name, group in config.resources.items():
        if name[0] == "aws_security_group":
            assert "ingress" not in group and "egress" not in group, "rules are separate resources"
