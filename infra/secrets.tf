# The help desk's ticket database is not created here. gata reads its credentials from a
# Secrets Manager secret in the RDS JSON shape (username, password, host, port, dbname) —
# GATA_TICKET_DB_SECRET_ID. Point var.ticket_db_secret_arn at an existing secret, or leave it
# empty and an empty, KMS-encrypted secret is created for you to fill in (README.md):
#
#   aws secretsmanager put-secret-value --secret-id <ticket_db_secret_arn output> \
#     --secret-string '{"username":"...","password":"...","host":"...","port":5432,"dbname":"..."}'

locals {
  create_ticket_db_secret = var.ticket_db_secret_arn == ""
  ticket_db_secret_arn    = local.create_ticket_db_secret ? aws_secretsmanager_secret.ticket_db[0].arn : var.ticket_db_secret_arn
  # Keys that may decrypt the ticket secret: gata's, plus the existing secret's own key.
  ticket_db_secret_kms_keys = compact([local.kms_key_arn, var.ticket_db_secret_kms_key_arn])
}

resource "aws_secretsmanager_secret" "ticket_db" {
  #checkov:skip=CKV2_AWS_57:The help desk owns these credentials and rotates them on its side; gata reads the current value on every run.
  count = local.create_ticket_db_secret ? 1 : 0

  name                    = "${local.name}/ticket-db"
  description             = "Read-only credentials of the help-desk ticket database (RDS JSON shape), filled in by an operator"
  kms_key_id              = local.kms_key_arn
  recovery_window_in_days = 7
}
