# Container image repositories: the SageMaker fine-tune image (gata-train), the SageMaker
# inference image (gata-serve) and the Dagster code-location image (webserver, daemon, code
# server and run workers). Immutable tags, scan on push, KMS-encrypted, old images expire.
#
# A team that already has repositories names them in var.existing_ecr_repository_urls (per
# image); those are used as they are (their own tag mutability, scanning, lifecycle) and only
# the missing ones are created. Every reference goes through local.repository_urls and
# local.repository_arns, so IAM names exactly the repositories in use.

locals {
  repositories = {
    finetune  = "${local.name}/finetune"
    inference = "${local.name}/inference"
    dagster   = "${local.name}/dagster"
  }

  created_repositories = { for image, name in local.repositories : image => name if !contains(keys(var.existing_ecr_repository_urls), image) }

  # <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name> -> [account, region, name]
  existing_repository_parts = {
    for image, url in var.existing_ecr_repository_urls :
    image => regex("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/(.+)$", url)
  }

  repository_urls = merge(
    { for image, repository in aws_ecr_repository.this : image => repository.repository_url },
    var.existing_ecr_repository_urls,
  )
  repository_arns = merge(
    { for image, repository in aws_ecr_repository.this : image => repository.arn },
    { for image, part in local.existing_repository_parts : image => "arn:${local.partition}:ecr:${part[1]}:${part[0]}:repository/${part[2]}" },
  )
}

resource "aws_ecr_repository" "this" {
  for_each = local.created_repositories

  name                 = each.value
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = local.kms_key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after ${var.ecr_untagged_expiration_days} days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.ecr_untagged_expiration_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the ${var.ecr_keep_tagged_images} most recent tagged images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.ecr_keep_tagged_images
        }
        action = { type = "expire" }
      },
    ]
  })
}
