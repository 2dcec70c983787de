# Dagster's storage in an Aurora PostgreSQL cluster a team already runs
# (var.existing_aurora_cluster_arn with var.existing_aurora_secret_arn) instead of the RDS
# instance of rds.tf. Terraform reads the cluster (writer endpoint, port, security groups),
# lets the Dagster tasks reach it on its port (an ingress rule on each of its security groups,
# egress from gata's) and gives the tasks the secret's username and password; it changes
# nothing else on the cluster. The database var.existing_aurora_database_name must exist;
# Dagster creates its tables in it.
#
# Whichever way, the rest of the configuration reads the dagster_db_* locals below.

locals {
  existing_aurora_cluster_id = local.create_dagster_db ? "" : element(split(":", var.existing_aurora_cluster_arn), 6)

  dagster_db_host       = local.create_dagster_db ? aws_db_instance.dagster[0].address : data.aws_rds_cluster.existing[0].endpoint
  dagster_db_port       = local.create_dagster_db ? aws_db_instance.dagster[0].port : data.aws_rds_cluster.existing[0].port
  dagster_db_name       = local.create_dagster_db ? local.db_name : var.existing_aurora_database_name
  dagster_db_secret_arn = local.create_dagster_db ? aws_secretsmanager_secret.dagster_db[0].arn : var.existing_aurora_secret_arn
  # Keys the ECS agent may decrypt the secret with (through Secrets Manager only): gata's, and
  # the existing secret's own customer-managed key if it has one.
  dagster_db_secret_kms_keys = compact([local.kms_key_arn, local.create_dagster_db ? "" : var.existing_aurora_secret_kms_key_arn])

  # Each Dagster task group x each of the cluster's security groups.
  existing_aurora_access = {
    for pair in(local.create_dagster_db ? [] : setproduct(local.database_clients, sort(data.aws_rds_cluster.existing[0].vpc_security_group_ids))) :
    "${pair[0]}-${pair[1]}" => { client = pair[0], group = pair[1] }
  }
}

data "aws_rds_cluster" "existing" {
  count = local.create_dagster_db ? 0 : 1

  cluster_identifier = local.existing_aurora_cluster_id

  lifecycle {
    postcondition {
      condition     = self.engine == "aurora-postgresql"
      error_message = "existing_aurora_cluster_arn must be an Aurora PostgreSQL cluster (Dagster's storage is dagster-postgres)."
    }
  }
}

resource "aws_vpc_security_group_ingress_rule" "existing_aurora" {
  for_each = local.existing_aurora_access

  security_group_id            = each.value.group
  description                  = "PostgreSQL from gata Dagster ${each.value.client}"
  ip_protocol                  = "tcp"
  from_port                    = local.dagster_db_port
  to_port                      = local.dagster_db_port
  referenced_security_group_id = aws_security_group.this[each.value.client].id
}

resource "aws_vpc_security_group_egress_rule" "to_existing_aurora" {
  for_each = local.existing_aurora_access

  security_group_id            = aws_security_group.this[each.value.client].id
  description                  = "PostgreSQL to Dagster storage (existing Aurora cluster)"
  ip_protocol                  = "tcp"
  from_port                    = local.dagster_db_port
  to_port                      = local.dagster_db_port
  referenced_security_group_id = each.value.group
}
