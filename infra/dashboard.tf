# One CloudWatch dashboard, named after name_prefix: the two serverless endpoints (invocations,
# 5xx, model latency, cold starts, each latency against its budget), training jobs by outcome
# and batch inference (runs, tickets, fallback rate against its budget). The body is
# dashboard.json.tftpl; the metrics are those the alarms watch (alarms.tf) and the ones
# monitoring_events.tf derives from events.

locals {
  dashboard_variables = {
    name                       = local.name
    region                     = local.region
    router_endpoint            = local.endpoints.router
    prod_endpoint              = local.endpoints.prod
    variant                    = local.endpoint_variant
    metric_namespace           = local.metric_namespace
    alarm_topic_name           = local.alarm_topic_name
    model_latency_budget_us    = var.model_latency_budget_ms * 1000
    cold_start_budget_us       = var.cold_start_budget_ms * 1000
    batch_fallback_rate_budget = var.batch_fallback_rate_budget
  }
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.name
  dashboard_body = templatefile("${path.module}/dashboard.json.tftpl", local.dashboard_variables)
}
