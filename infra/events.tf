# gata's EventBridge bus: run-status sensors put completion and failure events carrying the
# lineage (model versions, metrics, endpoint, data hash, run id) here, as the Step Functions
# pipeline did. Consumers attach their own rules. An archive keeps events for replay.

resource "aws_cloudwatch_event_bus" "this" {
  name = "${local.name}-events"
}

resource "aws_cloudwatch_event_archive" "this" {
  count = var.event_archive_retention_days > 0 ? 1 : 0

  name             = "${local.name}-events"
  description      = "Replayable copy of gata's events"
  event_source_arn = aws_cloudwatch_event_bus.this.arn
  retention_days   = var.event_archive_retention_days
}
