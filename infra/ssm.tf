# The image tags gata resolves at run time. The SageMaker trainer reads the fine-tune tag, the
# deployer the inference tag, and the image-tag sensor watches both: rolling out a new image
# is `aws ssm put-parameter --overwrite` (see README.md), not a Terraform change, so Terraform
# sets the first value and then ignores it.
#
# Type String, not SecureString: an image tag is a build identifier, not a secret. Keeping it
# plain lets the sensor and the trainer read it without kms:Decrypt and without
# WithDecryption, and shows it in parameter history and EventBridge change events.

locals {
  image_tag_parameters = {
    finetune  = { name = "/${local.name}/images/finetune/tag", initial = var.finetune_image_tag }
    inference = { name = "/${local.name}/images/inference/tag", initial = var.inference_image_tag }
  }
}

resource "aws_ssm_parameter" "image_tag" {
  #checkov:skip=CKV2_AWS_34:Image tags are public build identifiers, not secrets (see the note above).
  for_each = local.image_tag_parameters

  name        = each.value.name
  description = "Tag of the ${each.key} image in ${local.repository_urls[each.key]}"
  type        = "String"
  value       = each.value.initial
  tier        = "Standard"

  lifecycle {
    ignore_changes = [value]
  }
}
