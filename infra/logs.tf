# CloudWatch log groups, KMS-encrypted, with var.log_retention_days retention. Created here
# (before anything writes to them) so that no service creates them unencrypted and kept
# forever. SageMaker training jobs and endpoints log to the account-wide /aws/sagemaker/...
# groups that SageMaker creates itself (see README.md).

locals {
  # ECS Exec's group belongs to the cluster's configuration: only for a cluster gata creates.
  ecs_log_groups = merge(
    {
      webserver   = "/ecs/${local.name}/webserver"
      daemon      = "/ecs/${local.name}/daemon"
      code_server = "/ecs/${local.name}/code-server"
      run         = "/ecs/${local.name}/run"
    },
    local.create_ecs_cluster ? { exec = "/ecs/${local.name}/exec" } : {},
  )

  # RDS exports into groups with fixed names; creating them first gives them retention and KMS.
  db_identifier = "${local.name}-dagster"
  db_log_groups = {
    postgresql = "/aws/rds/instance/${local.db_identifier}/postgresql"
    upgrade    = "/aws/rds/instance/${local.db_identifier}/upgrade"
  }
}

resource "aws_cloudwatch_log_group" "ecs" {
  for_each = local.ecs_log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
}

resource "aws_cloudwatch_log_group" "rds" {
  for_each = local.create_dagster_db ? local.db_log_groups : {}

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
}
