# Execution roles SageMaker assumes: one for the fine-tune training jobs, one for the serverless
# inference endpoints. Each reads only what it needs under gata's artifact prefix, pulls only
# its own image, decrypts with gata's key and logs only to gata-named streams.
# Every role in this configuration takes the optional role_namespace name prefix and the
# optional permissions boundary.

locals {
  artifact_objects_arn = "${aws_s3_bucket.artifacts.arn}/${var.artifact_prefix}/*"
  sagemaker_arn        = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"
  logs_arn             = "arn:${local.partition}:logs:${local.region}:${local.account_id}"
}

data "aws_iam_policy_document" "sagemaker_assume" {
  statement {
    sid     = "SageMakerAssumesRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# --- training ---------------------------------------------------------------------------------

resource "aws_iam_role" "sagemaker_training" {
  name                 = "${local.role_name_prefix}-sagemaker-training"
  description          = "gata fine-tune training jobs"
  assume_role_policy   = data.aws_iam_policy_document.sagemaker_assume.json
  permissions_boundary = local.permissions_boundary
}

data "aws_iam_policy_document" "sagemaker_training" {
  statement {
    sid       = "ListArtifactPrefix"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.artifacts.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.artifact_prefix}/*"]
    }
  }

  statement {
    sid    = "ReadInputsWriteModelOutputsAndCheckpoints"
    effect = "Allow"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:GetObject",
      "s3:PutObject",
    ]
    resources = [local.artifact_objects_arn]
  }

  statement {
    sid       = "PruneCheckpoints"
    effect    = "Allow"
    actions   = ["s3:DeleteObject"]
    resources = ["${aws_s3_bucket.artifacts.arn}/${local.checkpoint_prefix}*"]
  }

  statement {
    sid    = "UseGataKey"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = [local.kms_key_arn]
  }

  statement {
    sid       = "GrantKeyToAwsResources"
    effect    = "Allow"
    actions   = ["kms:CreateGrant"]
    resources = [local.kms_key_arn]

    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }

  statement {
    sid       = "EcrLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid    = "PullFinetuneImage"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [local.repository_arns["finetune"]]
  }

  statement {
    sid       = "CreateTrainingLogGroup"
    effect    = "Allow"
    actions   = ["logs:CreateLogGroup"]
    resources = [
      "${local.logs_arn}:log-group:/aws/sagemaker/TrainingJobs",
      "${local.logs_arn}:log-group:/aws/sagemaker/TrainingJobs:*",
    ]
  }

  statement {
    sid    = "WriteGataTrainingLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
    ]
    resources = [
      "${local.logs_arn}:log-group:/aws/sagemaker/TrainingJobs:log-stream:${local.name}-*",
    ]
  }

  statement {
    sid       = "PublishTrainingMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*"]
    }
  }

  dynamic "statement" {
    for_each = var.sagemaker_in_vpc ? [1] : []

    content {
      sid    = "DescribeVpcForTrainingJobs"
      effect = "Allow"
      actions = [
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
      ]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.sagemaker_in_vpc ? [1] : []

    content {
      sid    = "TrainingJobNetworkInterfacesInGataVpc"
      effect = "Allow"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:CreateNetworkInterfacePermission",
        "ec2:DeleteNetworkInterface",
        "ec2:DeleteNetworkInterfacePermission",
      ]
      resources = [
        "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*",
        "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/*",
        "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*",
      ]

      condition {
        test     = "ArnEquals"
        variable = "ec2:Vpc"
        values   = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc/${var.vpc_id}"]
      }
    }
  }
}

resource "aws_iam_role_policy" "sagemaker_training" {
  name   = "gata-training"
  role   = aws_iam_role.sagemaker_training.id
  policy = data.aws_iam_policy_document.sagemaker_training.json
}

# --- inference ----------------------------------------------------------------------------------

resource "aws_iam_role" "sagemaker_inference" {
  name                 = "${local.role_name_prefix}-sagemaker-inference"
  description          = "gata serverless inference endpoints"
  assume_role_policy   = data.aws_iam_policy_document.sagemaker_assume.json
  permissions_boundary = local.permissions_boundary
}

data "aws_iam_policy_document" "sagemaker_inference" {
  statement {
    sid       = "ReadModelArtifacts"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [local.artifact_objects_arn]
  }

  statement {
    sid       = "DecryptWithGataKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [local.kms_key_arn]
  }

  statement {
    sid       = "EcrLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid    = "PullInferenceImage"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [local.repository_arns["inference"]]
  }

  statement {
    sid    = "WriteGataEndpointLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
    ]
    resources = [
      "${local.logs_arn}:log-group:/aws/sagemaker/Endpoints/${local.name}-*",
      "${local.logs_arn}:log-group:/aws/sagemaker/Endpoints/${local.name}-*:log-stream:*",
    ]
  }

  statement {
    sid       = "PublishEndpointMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*"]
    }
  }
}

resource "aws_iam_role_policy" "sagemaker_inference" {
  name   = "gata-inference"
  role   = aws_iam_role.sagemaker_inference.id
  policy = data.aws_iam_policy_document.sagemaker_inference.json
}
