# SageMaker resources that live longer than one run. Training jobs, models, endpoint configs
# and endpoints are created by gata itself (the trainer and deployer resources), with names
# starting with "${name_prefix}-" — the IAM policies in iam_ecs.tf are scoped to that prefix.

resource "aws_sagemaker_model_package_group" "this" {
  model_package_group_name        = "${local.name}-ticket-routing"
  model_package_group_description = "gata ticket-routing models (general and low-volume), with metrics, data hash and approval status"
}

# Training jobs inside the VPC (optional): egress-only security group.
resource "aws_security_group" "sagemaker" {
  #checkov:skip=CKV2_AWS_5:Attached by gata at run time: the trainer passes it in each training job's VpcConfig (GATA_SAGEMAKER_SECURITY_GROUP_IDS).
  count = var.sagemaker_in_vpc ? 1 : 0

  name        = "${local.name}-sagemaker-training"
  description = "gata SageMaker training jobs: no ingress, HTTPS egress to AWS APIs"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "sagemaker_https" {
  count = var.sagemaker_in_vpc ? 1 : 0

  security_group_id = aws_security_group.sagemaker[0].id
  description       = "HTTPS to S3, ECR, CloudWatch and SageMaker APIs"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
