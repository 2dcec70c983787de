# EventBridge rules behind gata's alerts and pipeline figures:
#
#   training_failed     default bus: a "<name_prefix>-..." SageMaker training job failed
#                       -> alarm topic, with the job name and SageMaker's FailureReason
#   freshness_breached  gata's bus: gata.freshness.breached (the freshness sensor)
#                       -> alarm topic, with the asset, its age and its fail window
#   training_runs       default bus: every gata training job that ended (Completed, Failed,
#                       Stopped) -> the monitoring log group
#   batch_runs          gata's bus: gata.run.succeeded / gata.run.failed of the batch_inference
#                       job (gata's run-status sensors) -> the monitoring log group
#
# Metric filters on the monitoring log group turn those events into metrics in
# local.metric_namespace (TrainingJobs and BatchRuns by Status, BatchFallbackRate, BatchTickets)
# for the dashboard and the fallback-rate alarm. SageMaker's own events arrive on the default
# bus; gata's on its bus (events.tf).
#
# BatchFallbackRate and BatchTickets read detail.predictions.{fallback_rate,rows} of the batch
# run's event (gata_assets/core/lifecycle_events.py); other runs carry predictions = null and
# match no filter. BatchRuns and TrainingJobs count every run and job.

locals {
  metric_namespace         = "gata/${local.name}"
  monitoring_log_group     = "/aws/events/${local.name}/monitoring" # EventBridge log targets live under /aws/events/
  training_job_name_prefix = "${local.name}-"

  monitoring_event_patterns = {
    training_failed = {
      source        = ["aws.sagemaker"]
      "detail-type" = ["SageMaker Training Job State Change"]
      detail = {
        TrainingJobName   = [{ prefix = local.training_job_name_prefix }]
        TrainingJobStatus = ["Failed"]
      }
    }
    training_runs = {
      source        = ["aws.sagemaker"]
      "detail-type" = ["SageMaker Training Job State Change"]
      detail = {
        TrainingJobName   = [{ prefix = local.training_job_name_prefix }]
        TrainingJobStatus = ["Completed", "Failed", "Stopped"]
      }
    }
    freshness_breached = {
      source        = ["gata"]
      "detail-type" = ["gata.freshness.breached"]
    }
    batch_runs = {
      source        = ["gata"]
      "detail-type" = ["gata.run.succeeded", "gata.run.failed"]
      detail = {
        job_name = ["batch_inference"]
      }
    }
  }

  # Metric filters on the monitoring log group (each event is one JSON log line).
  monitoring_metrics = {
    TrainingJobs = {
      pattern    = "{ $.source = \"aws.sagemaker\" && $.detail.TrainingJobStatus = * }"
      value      = "1"
      unit       = "Count"
      dimensions = { Status = "$.detail.TrainingJobStatus" }
    }
    BatchRuns = {
      pattern    = "{ $.source = \"gata\" && $.detail.status = * }"
      value      = "1"
      unit       = "Count"
      dimensions = { Status = "$.detail.status" }
    }
    BatchFallbackRate = {
      pattern    = "{ $.source = \"gata\" && $.detail.predictions.fallback_rate = * }"
      value      = "$.detail.predictions.fallback_rate"
      unit       = "None"
      dimensions = {}
    }
    BatchTickets = {
      pattern    = "{ $.source = \"gata\" && $.detail.predictions.rows = * }"
      value      = "$.detail.predictions.rows"
      unit       = "Count"
      dimensions = {}
    }
  }
}

# --- alerts to the alarm topic ----------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "training_failed" {
  name          = "${local.name}-training-failed"
  description   = "A gata SageMaker training job failed"
  event_pattern = jsonencode(local.monitoring_event_patterns.training_failed)
}

resource "aws_cloudwatch_event_target" "training_failed" {
  rule      = aws_cloudwatch_event_rule.training_failed.name
  target_id = "alarm-topic"
  arn       = aws_sns_topic.alarms.arn

  input_transformer {
    input_paths = {
      job    = "$.detail.TrainingJobName"
      reason = "$.detail.FailureReason"
      time   = "$.time"
    }
    input_template = "\"gata: SageMaker training job <job> failed at <time>: <reason>\""
  }
}

resource "aws_cloudwatch_event_rule" "freshness_breached" {
  name           = "${local.name}-freshness-breached"
  description    = "A gata asset is older than its freshness policy allows"
  event_bus_name = aws_cloudwatch_event_bus.this.name
  event_pattern  = jsonencode(local.monitoring_event_patterns.freshness_breached)
}

resource "aws_cloudwatch_event_target" "freshness_breached" {
  rule           = aws_cloudwatch_event_rule.freshness_breached.name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = "alarm-topic"
  arn            = aws_sns_topic.alarms.arn

  input_transformer {
    input_paths = {
      asset  = "$.detail.asset"
      age    = "$.detail.age_hours"
      window = "$.detail.fail_window_hours"
    }
    input_template = "\"gata: <asset> is stale: last materialized <age> h ago, its freshness window is <window> h.\""
  }
}

# --- pipeline figures into the monitoring log group ---------------------------------------------

resource "aws_cloudwatch_log_group" "monitoring_events" {
  name              = local.monitoring_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
}

resource "aws_cloudwatch_event_rule" "training_runs" {
  name          = "${local.name}-training-runs"
  description   = "A gata SageMaker training job ended (for the TrainingJobs metric)"
  event_pattern = jsonencode(local.monitoring_event_patterns.training_runs)
}

resource "aws_cloudwatch_event_target" "training_runs" {
  rule      = aws_cloudwatch_event_rule.training_runs.name
  target_id = "monitoring-log-group"
  arn       = aws_cloudwatch_log_group.monitoring_events.arn
}

resource "aws_cloudwatch_event_rule" "batch_runs" {
  name           = "${local.name}-batch-runs"
  description    = "A gata batch_inference run finished (for the Batch* metrics)"
  event_bus_name = aws_cloudwatch_event_bus.this.name
  event_pattern  = jsonencode(local.monitoring_event_patterns.batch_runs)
}

resource "aws_cloudwatch_event_target" "batch_runs" {
  rule           = aws_cloudwatch_event_rule.batch_runs.name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = "monitoring-log-group"
  arn            = aws_cloudwatch_log_group.monitoring_events.arn
}

# EventBridge writes to a log group through the group's resource policy (not a role).
data "aws_iam_policy_document" "monitoring_events_delivery" {
  statement {
    sid       = "GataRulesWriteMonitoringEvents"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.monitoring_events.arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.training_runs.arn, aws_cloudwatch_event_rule.batch_runs.arn]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "monitoring_events" {
  policy_name     = "${local.name}-monitoring-events"
  policy_document = data.aws_iam_policy_document.monitoring_events_delivery.json
}

resource "aws_cloudwatch_log_metric_filter" "monitoring" {
  # Keys, not the objects: the filters differ in shape (dimensions or none).
  for_each = toset(keys(local.monitoring_metrics))

  name           = "${local.name}-${each.key}"
  log_group_name = aws_cloudwatch_log_group.monitoring_events.name
  pattern        = local.monitoring_metrics[each.key].pattern

  metric_transformation {
    name       = each.key
    namespace  = local.metric_namespace
    value      = local.monitoring_metrics[each.key].value
    unit       = local.monitoring_metrics[each.key].unit
    dimensions = local.monitoring_metrics[each.key].dimensions
  }
}
