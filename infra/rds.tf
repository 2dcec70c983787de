# Dagster's own storage (runs, event logs, schedules): RDS PostgreSQL read by dagster-postgres.
# Private, encrypted with gata's key, TLS enforced, Multi-AZ by default, logs exported to the
# KMS-encrypted groups in logs.tf.
#
# Credentials: a random password kept in a Secrets Manager secret (encrypted with gata's key)
# in the RDS JSON shape (username, password, host, port, dbname, engine). ECS injects the
# password into the Dagster containers as DAGSTER_PG_PASSWORD; it never appears in a task
# definition, dagster.yaml or the Dagster UI. RDS-managed rotation
# (manage_master_user_password) is deliberately not used: Dagster opens a new connection per
# storage operation and reads the password only at task start, so a rotation would break every
# Dagster task until it restarts. Rotate by replacing random_password.dagster_db and forcing a
# new ECS deployment (README.md).
#
# All of it is created only when var.existing_aurora_cluster_arn is empty; with an existing
# Aurora cluster, aurora.tf plugs Dagster into that instead.

locals {
  create_dagster_db = var.existing_aurora_cluster_arn == ""

  db_major_version = split(".", var.db_engine_version)[0]
  db_name          = "dagster"
  db_username      = "dagster"
}

resource "random_password" "dagster_db" {
  count = local.create_dagster_db ? 1 : 0

  length  = 40
  special = false
}

resource "aws_db_subnet_group" "dagster" {
  count = local.create_dagster_db ? 1 : 0

  name        = local.db_identifier
  description = "gata Dagster storage"
  subnet_ids  = var.private_subnet_ids
}

resource "aws_db_parameter_group" "dagster" {
  count = local.create_dagster_db ? 1 : 0

  name_prefix = "${local.db_identifier}-pg${local.db_major_version}-"
  family      = "postgres${local.db_major_version}"
  description = "gata Dagster storage: TLS only, slow and DDL statement logging"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    sid     = "RdsEnhancedMonitoring"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  count = local.create_dagster_db ? 1 : 0

  name                 = "${local.role_name_prefix}-rds-monitoring"
  description          = "RDS enhanced monitoring of gata's Dagster database"
  assume_role_policy   = data.aws_iam_policy_document.rds_monitoring_assume.json
  permissions_boundary = local.permissions_boundary
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  count = local.create_dagster_db ? 1 : 0

  role       = aws_iam_role.rds_monitoring[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "dagster" {
  count = local.create_dagster_db ? 1 : 0

  identifier     = local.db_identifier
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class

  db_name  = local.db_name
  username = local.db_username
  password = random_password.dagster_db[0].result
  port     = 5432

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = local.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.dagster[0].name
  vpc_security_group_ids = [aws_security_group.rds[0].id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.dagster[0].name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  multi_az                   = var.db_multi_az
  backup_retention_period    = var.db_backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.db_deletion_protection
  skip_final_snapshot        = false
  final_snapshot_identifier  = "${local.db_identifier}-final"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = keys(local.db_log_groups)
  monitoring_interval                 = 60
  monitoring_role_arn                 = aws_iam_role.rds_monitoring[0].arn
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = local.kms_key_arn

  depends_on = [aws_cloudwatch_log_group.rds]
}

resource "aws_secretsmanager_secret" "dagster_db" {
  #checkov:skip=CKV2_AWS_57:Automatic rotation would break the running Dagster tasks, which read the password at start; rotate by replacing random_password.dagster_db (see the note above).
  count = local.create_dagster_db ? 1 : 0

  name                    = "${local.name}/dagster-db"
  description             = "Credentials of gata's Dagster storage database (RDS JSON shape)"
  kms_key_id              = local.kms_key_arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "dagster_db" {
  count = local.create_dagster_db ? 1 : 0

  secret_id = aws_secretsmanager_secret.dagster_db[0].id
  secret_string = jsonencode({
    engine   = "postgres"
    username = local.db_username
    password = random_password.dagster_db[0].result
    host     = aws_db_instance.dagster[0].address
    port     = aws_db_instance.dagster[0].port
    dbname   = local.db_name
  })
}
