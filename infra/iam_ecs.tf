# Roles of the Dagster tasks on ECS:
#
#   task_execution   ECS agent: pull the Dagster image, write container logs, inject the
#                    Dagster database password.
#   dagster_control  webserver and daemon: launch one ECS task per run (EcsRunLauncher),
#                    monitor and stop it, read compute logs. No access to gata's data.
#   dagster_code     code-location server (sensors, schedules) and run workers (the assets):
#                    S3 artifacts, KMS, SageMaker training jobs / models / endpoint configs /
#                    endpoints / model registry under gata's prefix, image-tag parameters,
#                    ticket-database secret, events on gata's bus. Policies of their own:
#                    Batch Transform (iam_batch_transform.tf), endpoint metrics for costs
#                    (iam_cost_meter.tf), the prod role (prod_account.tf), the approval
#                    queue (approval_events.tf), registry listing (below).
#
# ECS permissions name the cluster in use: gata's own, or var.existing_ecs_cluster_arn's
# (local.cluster_name is the last part of that ARN).

locals {
  ecs_arn           = "arn:${local.partition}:ecs:${local.region}:${local.account_id}"
  cluster_name      = local.create_ecs_cluster ? local.name : element(split("/", var.existing_ecs_cluster_arn), 1)
  run_family        = "${local.name}-run"
  compute_logs_arn  = "${aws_s3_bucket.artifacts.arn}/${local.compute_log_prefix}*"
  ssm_parameter_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${local.name}/*"

  training_log_group_arn = "${local.logs_arn}:log-group:/aws/sagemaker/TrainingJobs"
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    sid     = "EcsTasksAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["${local.ecs_arn}:*"]
    }
  }
}

# --- task execution ---------------------------------------------------------------------------

resource "aws_iam_role" "task_execution" {
  name                 = "${local.role_name_prefix}-ecs-execution"
  description          = "ECS agent for gata's Dagster tasks: image pull, logs, database password"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = local.permissions_boundary
}

data "aws_iam_policy_document" "task_execution" {
  statement {
    sid       = "EcrLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid    = "PullDagsterImage"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [local.repository_arns["dagster"]]
  }

  statement {
    sid       = "WriteContainerLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for group in aws_cloudwatch_log_group.ecs : "${group.arn}:*"]
  }

  statement {
    sid       = "ReadDagsterDatabaseSecret"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.dagster_db_secret_arn]
  }

  statement {
    sid       = "DecryptDagsterDatabaseSecret"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = local.dagster_db_secret_kms_keys

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "task_execution" {
  name   = "gata-ecs-execution"
  role   = aws_iam_role.task_execution.id
  policy = data.aws_iam_policy_document.task_execution.json
}

# --- webserver and daemon -----------------------------------------------------------------------

resource "aws_iam_role" "dagster_control" {
  name                 = "${local.role_name_prefix}-dagster-control"
  description          = "gata Dagster webserver and daemon: launch, monitor and stop run tasks"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = local.permissions_boundary
}

data "aws_iam_policy_document" "dagster_control" {
  statement {
    sid       = "RunGataRunWorkerTasks"
    effect    = "Allow"
    actions   = ["ecs:RunTask"]
    resources = ["${local.ecs_arn}:task-definition/${local.run_family}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.ecs_cluster_arn]
    }
  }

  statement {
    sid       = "TagRunWorkerTasksAtLaunch"
    effect    = "Allow"
    actions   = ["ecs:TagResource"]
    resources = ["${local.ecs_arn}:task/${local.cluster_name}/*"]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  statement {
    sid       = "MonitorAndStopTasksInGataCluster"
    effect    = "Allow"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = ["${local.ecs_arn}:task/${local.cluster_name}/*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.ecs_cluster_arn]
    }
  }

  statement {
    # DescribeTaskDefinition has no resource-level permissions; the launcher resolves the run
    # worker family to its latest revision with it. DescribeNetworkInterfaces is how it copies
    # the launching task's subnets and security groups onto the run task.
    sid       = "ReadOnlyLookupsWithoutResourceLevelPermissions"
    effect    = "Allow"
    actions   = ["ecs:DescribeTaskDefinition", "ec2:DescribeNetworkInterfaces"]
    resources = ["*"]
  }

  statement {
    sid       = "PassRunWorkerRolesToEcs"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.dagster_code.arn, aws_iam_role.task_execution.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "ReadFailedRunWorkerLogs"
    effect    = "Allow"
    actions   = ["logs:GetLogEvents"]
    resources = ["${aws_cloudwatch_log_group.ecs["run"].arn}:log-stream:*"]
  }

  statement {
    sid       = "ListComputeLogs"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.artifacts.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.compute_log_prefix}*"]
    }
  }

  statement {
    sid       = "ReadComputeLogs"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [local.compute_logs_arn]
  }

  statement {
    sid       = "DecryptComputeLogs"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "dagster_control" {
  name   = "gata-dagster-control"
  role   = aws_iam_role.dagster_control.id
  policy = data.aws_iam_policy_document.dagster_control.json
}

# --- code server and run workers ----------------------------------------------------------------

resource "aws_iam_role" "dagster_code" {
  name                 = "${local.role_name_prefix}-dagster-code"
  description          = "gata code-location server and run workers: artifacts, SageMaker, registry, events"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = local.permissions_boundary
}

data "aws_iam_policy_document" "dagster_code" {
  statement {
    sid       = "ListArtifactBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.artifacts.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.artifact_prefix}/*", "${local.compute_log_prefix}*"]
    }
  }

  statement {
    sid    = "ReadWriteArtifactsAndComputeLogs"
    effect = "Allow"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:PutObject",
    ]
    resources = [local.artifact_objects_arn, local.compute_logs_arn]
  }

  statement {
    sid    = "UseGataKey"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
    ]
    resources = [local.kms_key_arn]
  }

  statement {
    # SageMaker creates grants on the caller's behalf for encrypted training volumes.
    sid       = "GrantKeyToSageMaker"
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
    sid    = "RunGataTrainingJobs"
    effect = "Allow"
    actions = [
      "sagemaker:CreateTrainingJob",
    ]
    resources = ["${local.sagemaker_arn}:training-job/${local.name}-*"]

    # Cost guard: fine-tune jobs only on the configured instance type.
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "sagemaker:InstanceTypes"
      values   = [var.finetune_instance_type]
    }
  }

  statement {
    sid    = "ManageGataSageMakerResources"
    effect = "Allow"
    actions = [
      "sagemaker:AddTags",
      "sagemaker:CreateEndpoint",
      "sagemaker:CreateEndpointConfig",
      "sagemaker:CreateModel",
      "sagemaker:DeleteEndpoint",
      "sagemaker:DeleteEndpointConfig",
      "sagemaker:DeleteModel",
      "sagemaker:DescribeEndpoint",
      "sagemaker:DescribeEndpointConfig",
      "sagemaker:DescribeModel",
      "sagemaker:DescribeTrainingJob",
      "sagemaker:InvokeEndpoint",
      "sagemaker:ListTags",
      "sagemaker:StopTrainingJob",
      "sagemaker:UpdateEndpoint",
    ]
    resources = [
      "${local.sagemaker_arn}:training-job/${local.name}-*",
      "${local.sagemaker_arn}:model/${local.name}-*",
      "${local.sagemaker_arn}:endpoint-config/${local.name}-*",
      "${local.sagemaker_arn}:endpoint/${local.name}-*",
    ]
  }

  statement {
    sid    = "UseGataModelRegistry"
    effect = "Allow"
    actions = [
      "sagemaker:AddTags",
      "sagemaker:CreateModelPackage",
      "sagemaker:DescribeModelPackage",
      "sagemaker:DescribeModelPackageGroup",
      "sagemaker:ListTags",
      "sagemaker:UpdateModelPackage",
    ]
    resources = [
      aws_sagemaker_model_package_group.this.arn,
      "${local.sagemaker_arn}:model-package/${aws_sagemaker_model_package_group.this.model_package_group_name}/*",
    ]
  }

  statement {
    # List calls have no resource-level permissions; they are how stale endpoint configs and
    # models are found after an update.
    sid    = "ListSageMakerResources"
    effect = "Allow"
    actions = [
      "sagemaker:ListEndpointConfigs",
      "sagemaker:ListEndpoints",
      "sagemaker:ListModels",
      "sagemaker:ListTrainingJobs",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "PassSageMakerExecutionRoles"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.sagemaker_training.arn, aws_iam_role.sagemaker_inference.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }

  # SageMaker Pipes (sagemaker_pipes.py, cloudwatch_tail.py): the run follows its training job's
  # stream "<job name>/algo-1-<epoch>". DescribeLogStreams is authorized on the group's ARN
  # with its ":*" suffix, GetLogEvents on the stream's ARN.
  statement {
    sid       = "FindTrainingJobLogStreams"
    effect    = "Allow"
    actions   = ["logs:DescribeLogStreams"]
    resources = ["${local.training_log_group_arn}:*"]
  }

  statement {
    sid       = "ReadGataTrainingJobLogs"
    effect    = "Allow"
    actions   = ["logs:GetLogEvents"]
    resources = ["${local.training_log_group_arn}:log-stream:${local.name}-*"]
  }

  statement {
    sid    = "ReadImageTagParameters"
    effect = "Allow"
    actions = [
      "ssm:GetParameter",
      "ssm:GetParameterHistory",
      "ssm:GetParameters",
    ]
    resources = [local.ssm_parameter_arn]
  }

  statement {
    sid    = "CheckImageTagsExist"
    effect = "Allow"
    actions = [
      "ecr:DescribeImages",
    ]
    resources = [
      local.repository_arns["finetune"],
      local.repository_arns["inference"],
    ]
  }

  statement {
    sid       = "ReadTicketDatabaseSecret"
    effect    = "Allow"
    actions   = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    resources = [local.ticket_db_secret_arn]
  }

  statement {
    sid       = "DecryptTicketDatabaseSecret"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = local.ticket_db_secret_kms_keys

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "PutGataEvents"
    effect    = "Allow"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.this.arn]
  }
}

resource "aws_iam_role_policy" "dagster_code" {
  name   = "gata-dagster-code"
  role   = aws_iam_role.dagster_code.id
  policy = data.aws_iam_policy_document.dagster_code.json
}

# Kept apart so that its one checkov exception covers exactly one read-only action.
data "aws_iam_policy_document" "dagster_code_registry_listing" {
  #checkov:skip=CKV_AWS_356:ListModelPackages is a read-only list whose request is not authorized against the package group's ARN (AWS's own model-registry policies grant it on "*"); scoping it would break listing registry versions.
  statement {
    sid       = "ListModelRegistryVersions"
    effect    = "Allow"
    actions   = ["sagemaker:ListModelPackages"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "dagster_code_registry_listing" {
  name   = "gata-dagster-code-registry-listing"
  role   = aws_iam_role.dagster_code.id
  policy = data.aws_iam_policy_document.dagster_code_registry_listing.json
}
