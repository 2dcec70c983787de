# Prod deploys driven by the approval event. SageMaker announces every state change of a
# model package on the account's default event bus; this rule takes the approvals of gata's
# package group and puts them on an SQS queue that gata's approval_queue_sensor reads
# (GATA_APPROVAL_QUEUE_URL, set in ecs.tf), so prod moves seconds after someone approves.
# prod_promotion_sensor keeps polling the registry as the fallback.
#
# Encryption is SQS-managed (SSE-SQS): EventBridge can only deliver to a KMS-encrypted queue
# whose key policy lets events.amazonaws.com use the key, and gata's key (kms.tf, or a
# bring-your-own kms_key_arn) is not opened to EventBridge for that. The messages are
# SageMaker's own events (package ARN, status, gata's metadata), never ticket data.

locals {
  approval_queue_name = "${local.name}-model-approvals"
  # A body gata cannot read is received this many times, one visibility timeout apart,
  # before SQS moves it to the dead-letter queue for someone to look at.
  approval_max_receives = 5
}

resource "aws_sqs_queue" "approvals_dlq" {
  name                    = "${local.approval_queue_name}-dlq"
  sqs_managed_sse_enabled = true
  # SQS's maximum: two weeks to look at what could not be read.
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "approvals" {
  name                    = local.approval_queue_name
  sqs_managed_sse_enabled = true
  # An approval still matters after a stopped daemon comes back; after a day the polling
  # sensor has long promoted it.
  message_retention_seconds = 86400
  # Longer than one sensor tick (receive, evaluate, delete), so a message is not handed out
  # twice while a tick works on it.
  visibility_timeout_seconds = 60

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.approvals_dlq.arn
    maxReceiveCount     = local.approval_max_receives
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "approvals_dlq" {
  queue_url = aws_sqs_queue.approvals_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.approvals.arn]
  })
}

resource "aws_cloudwatch_event_rule" "model_approved" {
  name        = "${local.name}-model-approved"
  description = "A model package of gata's group was approved: promote prod at once"

  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Model Package State Change"]
    detail = {
      ModelPackageGroupName = [aws_sagemaker_model_package_group.this.model_package_group_name]
      ModelApprovalStatus   = ["Approved"]
    }
  })
}

resource "aws_cloudwatch_event_target" "model_approved" {
  rule      = aws_cloudwatch_event_rule.model_approved.name
  target_id = "approval-queue"
  arn       = aws_sqs_queue.approvals.arn
}

data "aws_iam_policy_document" "approval_queue" {
  statement {
    sid       = "OnlyTheApprovalRuleSends"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.approvals.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.model_approved.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.approvals.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "approvals" {
  queue_url = aws_sqs_queue.approvals.id
  policy    = data.aws_iam_policy_document.approval_queue.json
}

# The sensor evaluates in the code server, which runs as the dagster_code role (iam_ecs.tf):
# it only reads and acknowledges messages, on this queue alone.
data "aws_iam_policy_document" "dagster_code_approval_queue" {
  statement {
    sid       = "ReadAndAcknowledgeApprovalEvents"
    effect    = "Allow"
    actions   = ["sqs:DeleteMessage", "sqs:ReceiveMessage"]
    resources = [aws_sqs_queue.approvals.arn]
  }
}

resource "aws_iam_role_policy" "dagster_code_approval_queue" {
  name   = "gata-dagster-code-approval-queue"
  role   = aws_iam_role.dagster_code.id
  policy = data.aws_iam_policy_document.dagster_code_approval_queue.json
}

output "approval_queue_url" {
  description = "GATA_APPROVAL_QUEUE_URL: SQS queue of SageMaker's approvals of gata's model packages (approval_queue_sensor)."
  value       = aws_sqs_queue.approvals.url
}

output "approval_dead_letter_queue_url" {
  description = "Dead-letter queue of approval events gata could not read."
  value       = aws_sqs_queue.approvals_dlq.url
}
