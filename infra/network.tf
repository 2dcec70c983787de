# Security groups in the existing VPC (var.vpc_id). Nothing has ingress from outside the VPC
# except the load balancer, and only on 443 from var.alb_ingress_cidrs:
#
#   clients ─443─► alb ─3000─► webserver ─4000─► code_server ◄─4000─ tasks (daemon, run workers)
#                              webserver, code_server, tasks ─5432─► rds (Dagster storage)
#   code_server, tasks ─ticket_db_port─► ticket database (var.ticket_db_cidr_blocks)
#   everything ─443─► AWS APIs (S3, ECR, SageMaker, ECS, SSM, Secrets Manager, Logs, Events)
#
# Run workers inherit the daemon's network configuration (the EcsRunLauncher launches each run
# with the configuration of the task that launches it), so they share the `tasks` group.
#
# With an existing Aurora cluster there is no `rds` group: aurora.tf opens the cluster's own
# groups to the same clients. vpc_endpoints.tf opens existing interface endpoints to them.

locals {
  security_groups = {
    alb         = "gata load balancer: HTTPS from allowed CIDRs, forwards to the webserver"
    webserver   = "gata Dagster webserver: ingress from the load balancer only"
    tasks       = "gata Dagster daemon and run workers: no ingress"
    code_server = "gata Dagster code-location gRPC server: ingress from the webserver, daemon and run workers"
  }

  # Who may reach the code server (4000) and the database (5432).
  code_server_clients = ["webserver", "tasks"]
  database_clients    = ["webserver", "tasks", "code_server"]
  # Who calls AWS APIs over HTTPS.
  aws_api_clients = ["webserver", "tasks", "code_server"]
  # Who reads the ticket database.
  ticket_db_clients = { for pair in setproduct(["tasks", "code_server"], var.ticket_db_cidr_blocks) : "${pair[0]}-${pair[1]}" => { group = pair[0], cidr = pair[1] } }
}

resource "aws_security_group" "this" {
  for_each = local.security_groups

  name        = "${local.name}-${replace(each.key, "_", "-")}"
  description = each.value
  vpc_id      = var.vpc_id
}

# Only for the database gata creates (rds.tf); an existing Aurora cluster keeps its own groups.
resource "aws_security_group" "rds" {
  count = local.create_dagster_db ? 1 : 0

  name        = "${local.name}-rds"
  description = "gata Dagster storage (PostgreSQL): ingress from the Dagster tasks only"
  vpc_id      = var.vpc_id
}

moved {
  from = aws_security_group.this["rds"]
  to   = aws_security_group.rds[0]
}

# --- load balancer ------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each = toset(var.alb_ingress_cidrs)

  security_group_id = aws_security_group.this["alb"].id
  description       = "HTTPS to the Dagster UI from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "alb_to_webserver" {
  security_group_id            = aws_security_group.this["alb"].id
  description                  = "Forward to the Dagster webserver"
  ip_protocol                  = "tcp"
  from_port                    = local.webserver_port
  to_port                      = local.webserver_port
  referenced_security_group_id = aws_security_group.this["webserver"].id
}

resource "aws_vpc_security_group_ingress_rule" "webserver_from_alb" {
  security_group_id            = aws_security_group.this["webserver"].id
  description                  = "Dagster UI from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = local.webserver_port
  to_port                      = local.webserver_port
  referenced_security_group_id = aws_security_group.this["alb"].id
}

# --- code server ----------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "code_server" {
  for_each = toset(local.code_server_clients)

  security_group_id            = aws_security_group.this["code_server"].id
  description                  = "Dagster gRPC from ${each.value}"
  ip_protocol                  = "tcp"
  from_port                    = local.code_server_port
  to_port                      = local.code_server_port
  referenced_security_group_id = aws_security_group.this[each.value].id
}

resource "aws_vpc_security_group_egress_rule" "to_code_server" {
  for_each = toset(local.code_server_clients)

  security_group_id            = aws_security_group.this[each.value].id
  description                  = "Dagster gRPC to the code server"
  ip_protocol                  = "tcp"
  from_port                    = local.code_server_port
  to_port                      = local.code_server_port
  referenced_security_group_id = aws_security_group.this["code_server"].id
}

# --- Dagster storage ------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "rds" {
  for_each = toset(local.create_dagster_db ? local.database_clients : [])

  security_group_id            = aws_security_group.rds[0].id
  description                  = "PostgreSQL from ${each.value}"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.this[each.value].id
}

resource "aws_vpc_security_group_egress_rule" "to_rds" {
  for_each = toset(local.create_dagster_db ? local.database_clients : [])

  security_group_id            = aws_security_group.this[each.value].id
  description                  = "PostgreSQL to Dagster storage"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.rds[0].id
}

# --- AWS APIs and the ticket database ---------------------------------------------------------

resource "aws_vpc_security_group_egress_rule" "aws_apis" {
  for_each = toset(local.aws_api_clients)

  security_group_id = aws_security_group.this[each.value].id
  description       = "HTTPS to AWS APIs (through NAT or VPC endpoints)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "ticket_db" {
  for_each = local.ticket_db_clients

  security_group_id = aws_security_group.this[each.value.group].id
  description       = "Ticket database"
  ip_protocol       = "tcp"
  from_port         = var.ticket_db_port
  to_port           = var.ticket_db_port
  cidr_ipv4         = each.value.cidr
}
