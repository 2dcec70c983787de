"""What the existing-resource tests share: the ARNs a team would pass, and what only gata's
own cluster and database need."""

from __future__ import annotations

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
