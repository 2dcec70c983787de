# Batch Transform for big batch-inference days (gata_assets/resources/sagemaker_batch_transform.py,
# transform_model.py). The run worker uploads the day as JSON Lines under
# <artifact_prefix>/batch-transform/<day>/<input tag>/input/, creates the model
# <name_prefix>-bt-model-<hash> (the existing model statement covers it) and the job
# <name_prefix>-bt-<day>-<tag>-<hash>[-r<n>], then reads the job's output/ back; all of it
# under the artifact prefix it already reads and writes. The job runs as the inference role:
# it lists and reads the input, writes only below output/, encrypts with gata's key and logs
# to SageMaker's TransformJobs group.

locals {
  batch_transform_prefix      = "${var.artifact_prefix}/batch-transform/"
  transform_job_arn           = "${local.sagemaker_arn}:transform-job/${local.name}-bt-*"
  transform_log_group_arn     = "${local.logs_arn}:log-group:/aws/sagemaker/TransformJobs"
  transform_output_object_arn = "${aws_s3_bucket.artifacts.arn}/${local.batch_transform_prefix}*/output/*"
}

# --- the run worker starts and follows the jobs -------------------------------------------------

data "aws_iam_policy_document" "dagster_code_batch_transform" {
  statement {
    sid       = "StartGataTransformJobs"
    effect    = "Allow"
    actions   = ["sagemaker:CreateTransformJob"]
    resources = [local.transform_job_arn]

    # Cost guard, as for training: only the configured instance type.
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "sagemaker:InstanceTypes"
      values   = [var.batch_transform_instance_type]
    }

    # gata passes GATA_KMS_KEY_ID (this key's ARN) for the output and the instances' volumes.
    condition {
      test     = "ArnEquals"
      variable = "sagemaker:OutputKmsKey"
      values   = [local.kms_key_arn]
    }

    condition {
      test     = "ArnEquals"
      variable = "sagemaker:VolumeKmsKey"
      values   = [local.kms_key_arn]
    }
  }

  statement {
    # gata never stops a job: a run that gives up waiting leaves it running for its retry.
    sid       = "FollowGataTransformJobs"
    effect    = "Allow"
    actions   = ["sagemaker:DescribeTransformJob"]
    resources = [local.transform_job_arn]
  }
}

resource "aws_iam_role_policy" "dagster_code_batch_transform" {
  name   = "gata-dagster-code-batch-transform"
  role   = aws_iam_role.dagster_code.id
  policy = data.aws_iam_policy_document.dagster_code_batch_transform.json
}

# --- the job, as the inference role -------------------------------------------------------------

data "aws_iam_policy_document" "sagemaker_inference_batch_transform" {
  statement {
    # An S3Prefix input is listed before it is read (GetObject: ReadModelArtifacts).
    sid       = "ListBatchTransformInput"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.artifacts.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.batch_transform_prefix}*"]
    }
  }

  statement {
    sid       = "WriteBatchTransformOutput"
    effect    = "Allow"
    actions   = ["s3:AbortMultipartUpload", "s3:PutObject"]
    resources = [local.transform_output_object_arn]
  }

  statement {
    # SageMaker asks the execution role for kms:Encrypt on the output key (TransformOutput.
    # KmsKeyId), not only through S3, so no kms:ViaService condition here.
    sid       = "EncryptBatchTransformOutput"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [local.kms_key_arn]
  }

  statement {
    # Both ARN forms: CloudWatch Logs authorizes a group by either, depending on the call.
    sid       = "CreateTransformLogGroupAndListItsStreams"
    effect    = "Allow"
    actions   = ["logs:CreateLogGroup", "logs:DescribeLogStreams"]
    resources = [local.transform_log_group_arn, "${local.transform_log_group_arn}:*"]
  }

  statement {
    # Streams are "<job name>/<instance id>".
    sid       = "WriteGataTransformLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.transform_log_group_arn}:log-stream:${local.name}-bt-*"]
  }
}

resource "aws_iam_role_policy" "sagemaker_inference_batch_transform" {
  name   = "gata-inference-batch-transform"
  role   = aws_iam_role.sagemaker_inference.id
  policy = data.aws_iam_policy_document.sagemaker_inference_batch_transform.json
}
