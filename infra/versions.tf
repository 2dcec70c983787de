# Terraform and provider versions, the provider configuration and the names every other file
# derives from. Plain resources only: no modules are downloaded from any registry.

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State holds the Dagster database password (random_password), so keep it in an encrypted,
  # versioned S3 bucket. Partial configuration: `terraform init -backend-config=backend.hcl`
  # (see README.md).
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Every named resource starts with this; IAM policies are scoped with it.
  name = var.name_prefix

  tags = merge(
    {
      "gata:project" = var.name_prefix
      "managed-by"   = "terraform"
    },
    var.tags,
  )

  # Optional permissions boundary, set on every role.
  permissions_boundary = var.role_permissions_boundary == "" ? null : var.role_permissions_boundary

  # IAM role names: optional organisation namespace, then the gata prefix.
  role_name_prefix = "${var.role_namespace}${var.name_prefix}"
}
