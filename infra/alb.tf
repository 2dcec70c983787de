# The Dagster UI behind an Application Load Balancer: HTTPS only (TLS 1.2+), access logs to
# the log bucket, invalid headers dropped, optional WAF. Only the ALB accepts traffic from
# outside the VPC (network.tf); it is internal by default because the open-source Dagster UI
# has no login of its own — reach it over VPN/Direct Connect, or put an authenticating proxy
# or WAF in front (README.md).

resource "aws_lb" "webserver" {
  #checkov:skip=CKV2_AWS_28:A WAF web ACL is optional (var.waf_web_acl_arn) and associated below; the ALB is internal by default and only reachable from var.alb_ingress_cidrs.
  name                       = "${local.name}-dagster"
  load_balancer_type         = "application"
  internal                   = var.alb_internal
  subnets                    = var.alb_subnet_ids
  security_groups            = [aws_security_group.this["alb"].id]
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "defensive"
  enable_deletion_protection = var.alb_deletion_protection
  idle_timeout               = 120

  access_logs {
    enabled = true
    bucket  = aws_s3_bucket.logs.id
    prefix  = local.alb_access_log_dir
  }

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_lb_target_group" "webserver" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the ALB; ALB-to-task traffic stays in the private subnets and only the ALB's security group may reach the webserver port.
  name                 = "${local.name}-dagster-web"
  port                 = local.webserver_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    enabled             = true
    path                = "/server_info"
    matcher             = "200"
    interval            = 30
    timeout             = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.webserver.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.webserver.arn
  }
}

resource "aws_wafv2_web_acl_association" "webserver" {
  count = var.waf_web_acl_arn == "" ? 0 : 1

  resource_arn = aws_lb.webserver.arn
  web_acl_arn  = var.waf_web_acl_arn
}
