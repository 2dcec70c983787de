# Prod in its own account (gata_assets/resources/target_account.py, assumed_role.py): with
# var.prod_role_arn set, prod_endpoint deploys through that role, so gata's code role may
# assume it (nothing else in that account), the GATA_PROD_* settings reach the code server and
# run workers, and the prod account's model role may pull the inference image from this
# account's repository (prod's endpoints run the image published here). The prod account's
# roles are not created here: infra/README.md ("Prod in its own account") says what their
# trust and permission policies must allow. Unset, nothing here exists and prod is deployed
# in this account, as before.

locals {
  prod_account = var.prod_role_arn != ""
  # The account part of each role ARN (empty when unset).
  prod_account_id    = try(split(":", var.prod_role_arn)[4], "")
  prod_model_account = try(split(":", var.prod_sagemaker_role_arn)[4], "")

  # GATA_* name -> value; the optional two only when set.
  prod_settings = {
    GATA_PROD_ROLE_ARN           = var.prod_role_arn
    GATA_PROD_ARTIFACT_BUCKET    = var.prod_artifact_bucket
    GATA_PROD_SAGEMAKER_ROLE_ARN = var.prod_sagemaker_role_arn
    GATA_PROD_KMS_KEY_ID         = var.prod_kms_key_id
    GATA_PROD_EXTERNAL_ID        = var.prod_external_id
  }
  # Empty without a prod role: an empty GATA_PROD_* here would also override one given in
  # gata_options (this configuration's settings win), and the role could not be assumed anyway.
  prod_environment = local.prod_account ? { for name, value in local.prod_settings : name => value if value != "" } : {}

  # Only a repository gata creates gets the policy; an existing one is its owner's to share.
  prod_pulls_created_inference_repository = local.prod_account && var.prod_sagemaker_role_arn != "" && contains(keys(local.created_repositories), "inference")
}

data "aws_iam_policy_document" "dagster_code_prod_account" {
  count = local.prod_account ? 1 : 0

  statement {
    sid       = "AssumeProdDeployerRole"
    effect    = "Allow"
    actions   = ["sts:AssumeRole"]
    resources = [var.prod_role_arn]
  }
}

resource "aws_iam_role_policy" "dagster_code_prod_account" {
  count = local.prod_account ? 1 : 0

  name   = "gata-dagster-code-prod-account"
  role   = aws_iam_role.dagster_code.id
  policy = data.aws_iam_policy_document.dagster_code_prod_account[0].json

  lifecycle {
    # What build_prod_deployer refuses at load time, refused at plan time instead.
    precondition {
      condition     = var.prod_artifact_bucket != "" && var.prod_sagemaker_role_arn != ""
      error_message = "prod_role_arn needs prod_artifact_bucket (the prod account's bucket) and prod_sagemaker_role_arn (the prod account's model role)."
    }

    precondition {
      condition     = var.prod_sagemaker_role_arn == "" || local.prod_model_account == local.prod_account_id
      error_message = "prod_sagemaker_role_arn must be a role in prod_role_arn's account."
    }
  }
}

data "aws_iam_policy_document" "inference_image_for_prod" {
  count = local.prod_pulls_created_inference_repository ? 1 : 0

  statement {
    sid    = "ProdModelRolePullsInferenceImage"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]

    # The account as principal, narrowed to its model role by ARN: ECR refuses a policy whose
    # principal is a role that does not exist (yet), and this one survives the role's re-creation.
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.prod_model_account}:root"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:PrincipalArn"
      values   = [var.prod_sagemaker_role_arn]
    }
  }
}

resource "aws_ecr_repository_policy" "inference_for_prod" {
  count = local.prod_pulls_created_inference_repository ? 1 : 0

  repository = aws_ecr_repository.this["inference"].name
  policy     = data.aws_iam_policy_document.inference_image_for_prod[0].json
}
