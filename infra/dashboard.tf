# One CloudWatch dashboard, named after name_prefix: the serverless endpoints (invocations,
# 5xx, model latency, cold starts, each latency against its budget), training jobs by outcome
# and batch inference (runs, tickets, fallback rate against its budget). The body is
# dashboard.json.tftpl; the metrics are those the alarms watch (alarms.tf) and the ones
# monitoring_events.tf derives from events. The endpoint widgets show every endpoint of the
# layout (local.endpoints): the two routers, or the four per-model endpoints.

locals {
  # Widget -> the metrics it plots for each endpoint, and how a line is labelled.
  dashboard_endpoint_widgets = {
    traffic    = { Invocations = "invocations", Invocation5XXErrors = "5xx" }
    latency    = { ModelLatency = "" }
    cold_start = { ModelSetupTime = "" }
  }
  # Each widget's "metrics" array, as JSON: one line per metric and endpoint.
  dashboard_endpoint_metrics = {
    for widget, metrics in local.dashboard_endpoint_widgets : widget => jsonencode(concat([
      for metric, label in metrics : [
        for key, endpoint in local.endpoints :
        ["AWS/SageMaker", metric, "EndpointName", endpoint, "VariantName", local.endpoint_variant, { label = trimspace("${key} ${label}") }]
      ]
    ]...))
  }

  dashboard_variables = {
    name                       = local.name
    region                     = local.region
    endpoint_layout            = var.endpoint_layout
    endpoint_names             = join(", ", sort(values(local.endpoints)))
    traffic_metrics            = local.dashboard_endpoint_metrics.traffic
    latency_metrics            = local.dashboard_endpoint_metrics.latency
    cold_start_metrics         = local.dashboard_endpoint_metrics.cold_start
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
