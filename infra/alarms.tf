# CloudWatch alarms, all notifying the alarm topic (alarm_topic.tf) when they fire and when they
# recover. Names start with "<name_prefix>-", which the topic policy relies on.
#
# Endpoints: gata's serverless endpoints are named by its deployer after two logical names,
# "<name_prefix>-router" (preprod, moved by retrain / redeploy) and "<name_prefix>-prod" (moved
# by promote_prod), GATA_SAGEMAKER_NAME_PREFIX being local.name (ecs.tf). The layout
# (var.endpoint_layout, GATA_ENDPOINT_LAYOUT) decides what runs for each: the router endpoint
# itself, or "<name>-general" and "<name>-low-volume" (deployer.py: layout_names). Each has one
# variant, AllTraffic. Their metrics are in AWS/SageMaker by EndpointName and VariantName;
# ModelLatency and ModelSetupTime are in microseconds, the budgets in milliseconds. An idle
# serverless endpoint publishes nothing (nor does a low-volume one that a fallback model never
# gets), so missing data is not breaching.
#
# Training failures and freshness breaches are EventBridge rules straight to the topic
# (monitoring_events.tf); the batch fallback rate is a metric from gata's batch run events.

locals {
  logical_endpoints = {
    router = "${local.name}-router"
    prod   = "${local.name}-prod"
  }
  # deployer.py model_endpoint_name: the model group with "_" as "-".
  model_endpoint_suffixes = ["general", "low-volume"]
  per_model_endpoints = merge([
    for key, name in local.logical_endpoints : {
      for suffix in local.model_endpoint_suffixes : "${key}-${suffix}" => "${name}-${suffix}"
    }
  ]...)
  # Key (alarm names: "<name_prefix>-<key>-<alarm>") -> endpoint name.
  endpoints        = var.endpoint_layout == "per-model" ? tomap(local.per_model_endpoints) : tomap(local.logical_endpoints)
  endpoint_variant = "AllTraffic"

  endpoint_alarms = {
    errors_5xx = {
      description         = "returned 5xx errors"
      metric              = "Invocation5XXErrors"
      statistic           = "Sum"
      threshold           = var.endpoint_5xx_threshold
      comparison          = "GreaterThanOrEqualToThreshold"
      evaluation_periods  = 1
      datapoints_to_alarm = 1
    }
    latency = {
      description         = "ModelLatency (average) is over model_latency_budget_ms"
      metric              = "ModelLatency"
      statistic           = "Average"
      threshold           = var.model_latency_budget_ms * 1000
      comparison          = "GreaterThanThreshold"
      evaluation_periods  = 3
      datapoints_to_alarm = 2
    }
    cold_start = {
      description         = "a serverless cold start (ModelSetupTime) took longer than cold_start_budget_ms"
      metric              = "ModelSetupTime"
      statistic           = "Maximum"
      threshold           = var.cold_start_budget_ms * 1000
      comparison          = "GreaterThanThreshold"
      evaluation_periods  = 1
      datapoints_to_alarm = 1
    }
  }

  endpoint_alarm_pairs = {
    for pair in setproduct(keys(local.endpoints), keys(local.endpoint_alarms)) :
    "${pair[0]}-${pair[1]}" => { endpoint = pair[0], alarm = pair[1] }
  }
}

resource "aws_cloudwatch_metric_alarm" "endpoint" {
  for_each = local.endpoint_alarm_pairs

  alarm_name        = "${local.name}-${replace(each.key, "_", "-")}"
  alarm_description = "${local.endpoints[each.value.endpoint]}: ${local.endpoint_alarms[each.value.alarm].description}"

  namespace   = "AWS/SageMaker"
  metric_name = local.endpoint_alarms[each.value.alarm].metric
  dimensions = {
    EndpointName = local.endpoints[each.value.endpoint]
    VariantName  = local.endpoint_variant
  }
  statistic           = local.endpoint_alarms[each.value.alarm].statistic
  period              = 300
  evaluation_periods  = local.endpoint_alarms[each.value.alarm].evaluation_periods
  datapoints_to_alarm = local.endpoint_alarms[each.value.alarm].datapoints_to_alarm
  threshold           = local.endpoint_alarms[each.value.alarm].threshold
  comparison_operator = local.endpoint_alarms[each.value.alarm].comparison
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "batch_fallback_rate" {
  alarm_name        = "${local.name}-batch-fallback-rate"
  alarm_description = "A day's batch inference routed more than batch_fallback_rate_budget of its tickets to the fallback label"

  namespace           = local.metric_namespace
  metric_name         = "BatchFallbackRate"
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = var.batch_fallback_rate_budget
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]
}
