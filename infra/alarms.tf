# CloudWatch alarms, all notifying the alarm topic (alarm_topic.tf) when they fire and when they
# recover. Names start with "<name_prefix>-", which the topic policy relies on.
#
# Endpoints: gata's serverless endpoints are named by its deployer, "<name_prefix>-router"
# (preprod, moved by retrain / redeploy) and "<name_prefix>-prod" (moved by promote_prod), each
# with one variant, AllTraffic (GATA_SAGEMAKER_NAME_PREFIX is local.name, ecs.tf). Their metrics
# are in AWS/SageMaker by EndpointName and VariantName; ModelLatency and ModelSetupTime are in
# microseconds, the budgets in milliseconds. An idle serverless endpoint publishes nothing, so
# missing data is not breaching.
#
# Training failures and freshness breaches are EventBridge rules straight to the topic
# (monitoring_events.tf); the batch fallback rate is a metric from gata's batch run events.

locals {
  endpoints = {
    router = "${local.name}-router"
    prod   = "${local.name}-prod"
  }
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
