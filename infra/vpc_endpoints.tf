# Interface VPC endpoints a team already has (ECR, CloudWatch Logs, STS, SSM, Secrets Manager,
# SageMaker, ECS, EventBridge, KMS...) are not created here. Their security groups, named in
# var.existing_vpc_endpoint_security_group_ids, each get HTTPS ingress from every gata group
# that calls AWS APIs (the Dagster tasks, and training jobs when sagemaker_in_vpc); gata's own
# groups already allow HTTPS egress (network.tf). Nothing is added when the list is empty.

locals {
  vpc_endpoint_client_groups = merge(
    { for name in local.aws_api_clients : name => aws_security_group.this[name].id },
    var.sagemaker_in_vpc ? { sagemaker = aws_security_group.sagemaker[0].id } : {},
  )
  vpc_endpoint_clients = concat(local.aws_api_clients, var.sagemaker_in_vpc ? ["sagemaker"] : [])

  vpc_endpoint_access = {
    for pair in setproduct(local.vpc_endpoint_clients, var.existing_vpc_endpoint_security_group_ids) :
    "${pair[0]}-${pair[1]}" => { client = pair[0], group = pair[1] }
  }
}

resource "aws_vpc_security_group_ingress_rule" "vpc_endpoints" {
  for_each = local.vpc_endpoint_access

  security_group_id            = each.value.group
  description                  = "HTTPS from gata ${each.value.client}"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = local.vpc_endpoint_client_groups[each.value.client]
}
