# One customer-managed key for everything gata stores: S3 objects, SageMaker training volumes
# and outputs, ECR images, CloudWatch logs, Secrets Manager secrets, RDS storage and
# Performance Insights. Bring your own with var.kms_key_arn; otherwise one is created with
# automatic rotation.

locals {
  create_kms_key = var.kms_key_arn == ""
  kms_key_arn    = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" means this key only; the account root statement is AWS's default and keeps the key manageable.
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" means this key only.
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" means this key only.
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid    = "CloudWatchLogsEncryptsGataLogGroups"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "${local.name}: artifacts, SageMaker volumes, images, logs, secrets, Dagster storage"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this[0].key_id
}
