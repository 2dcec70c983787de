"""Monitoring from events and the dashboard: training failures and freshness breaches as
EventBridge rules to the alarm topic, the batch fallback rate from gata's batch run events
through metric filters, and one dashboard whose body is JSON naming the endpoint, training
and batch figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gata_assets_tests.infra.expression_helpers import (
    render_template,
    template_names,
)
from gata_assets_tests.infra.hcl_helpers import INFRA, REPO, Config
from gata_assets_tests.infra.iam_helpers import _document_statements
from gata_assets_tests.infra.monitoring_helpers import (
    TOPIC,
    _conditions,
    _rules_targeting,
    dashboard_values,
)


def _dashboard(config: Config, layout: str = "router") -> dict:
    template = (INFRA / "dashboard.json.tftpl").read_text()
    return json.loads(render_template(template, dashboard_values(config, layout)))


def _dashboard_metrics(dashboard: dict) -> list[list]:
    return [
        [part for part in metric if not isinstance(part, dict)]
        for widget in dashboard["widgets"]
        if widget["type"] == "metric"
        for metric in widget["properties"]["metrics"]
    ]


# --- EventBridge rules --------------------------------------------------------------------------


def test_training_failures_page_from_sagemakers_own_events(config: Config) -> None:
    patterns = config.locals["monitoring_event_patterns"]
    failed = patterns["training_failed"]
    assert failed["source"] == ["aws.sagemaker"]
    assert failed["detail-type"] == ["SageMaker Training Job State Change"]
    assert failed["detail"]["TrainingJobStatus"] == ["Failed"]
    assert failed["detail"]["TrainingJobName"] == [{"prefix": "${local.training_job_name_prefix}"}]
    assert config.locals["training_job_name_prefix"] == "${local.name}-"
    rule = config.resources[("aws_cloudwatch_event_rule", "training_failed")]
    assert rule["event_pattern"] == "${jsonencode(local.monitoring_event_patterns.training_failed)}"
    assert "event_bus_name" not in rule  # SageMaker's events are on the default bus
    target = config.resources[("aws_cloudwatch_event_target", "training_failed")]
    paths = target["input_transformer"][0]["input_paths"]
    assert paths["job"] == "$.detail.TrainingJobName"
    assert paths["reason"] == "$.detail.FailureReason"
    ended = patterns["training_runs"]["detail"]["TrainingJobStatus"]
    assert set(ended) == {"Completed", "Failed", "Stopped"}


def test_freshness_breaches_page_from_gatas_own_event(config: Config) -> None:
    from gata_assets.resources.events import EVENT_SOURCE

    pattern = config.locals["monitoring_event_patterns"]["freshness_breached"]
    assert pattern["source"] == [EVENT_SOURCE]
    (detail_type,) = pattern["detail-type"]
    freshness = (REPO / "gata_assets" / "defs" / "automation" / "freshness.py").read_text()
    assert f'events.emit("{detail_type}", detail)' in freshness
    rule = config.resources[("aws_cloudwatch_event_rule", "freshness_breached")]
    assert rule["event_bus_name"] == "${aws_cloudwatch_event_bus.this.name}"
    target = config.resources[("aws_cloudwatch_event_target", "freshness_breached")]
    assert target["arn"] == TOPIC
    for path in target["input_transformer"][0]["input_paths"].values():
        field = path.removeprefix("$.detail.")
        assert f'"{field}":' in freshness, f"freshness events carry no {field}"


def test_batch_runs_are_gatas_run_events_of_the_batch_job(config: Config) -> None:
    from gata_assets.core.lifecycle_events import DETAIL_TYPES
    from gata_assets.defs.automation.jobs import batch_inference_job
    from gata_assets.resources.events import EVENT_SOURCE

    pattern = config.locals["monitoring_event_patterns"]["batch_runs"]
    assert pattern["source"] == [EVENT_SOURCE]
    assert set(pattern["detail-type"]) == set(DETAIL_TYPES.values())
    assert pattern["detail"]["job_name"] == [batch_inference_job.name]
    rule = config.resources[("aws_cloudwatch_event_rule", "batch_runs")]
    assert rule["event_bus_name"] == "${aws_cloudwatch_event_bus.this.name}"


def test_metric_events_reach_an_encrypted_log_group_from_those_rules_only(config: Config) -> None:
    group_arn = "${aws_cloudwatch_log_group.monitoring_events.arn}"
    assert _rules_targeting(config, group_arn) == ["batch_runs", "training_runs"]
    group = config.resources[("aws_cloudwatch_log_group", "monitoring_events")]
    assert group["name"] == "${local.monitoring_log_group}"
    assert config.locals["monitoring_log_group"].startswith("/aws/events/")
    assert group["kms_key_id"] and group["retention_in_days"] == "${var.log_retention_days}"
    (statement,) = _document_statements(
        config.data[("aws_iam_policy_document", "monitoring_events_delivery")]
    )
    assert statement["resources"] == [f"{group_arn}:*"]
    assert sorted(statement["actions"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    source = _conditions(statement)["aws:SourceArn"]
    assert sorted(source["values"]) == [
        "${aws_cloudwatch_event_rule.batch_runs.arn}",
        "${aws_cloudwatch_event_rule.training_runs.arn}",
    ]


# --- metrics from events ------------------------------------------------------------------------


def test_metric_filters_read_fields_the_events_carry(config: Config) -> None:
    from gata_assets.core.lifecycle_events import FIELDS, PREDICTION_FIELDS

    metrics = config.locals["monitoring_metrics"]
    assert set(metrics) == {"TrainingJobs", "BatchRuns", "BatchFallbackRate", "BatchTickets"}
    filters = config.resources[("aws_cloudwatch_log_metric_filter", "monitoring")]
    assert filters["for_each"] == "${toset(keys(local.monitoring_metrics))}"
    assert filters["metric_transformation"][0]["namespace"] == "${local.metric_namespace}"
    for name, metric in metrics.items():
        selectors = [metric["value"], *metric["dimensions"].values()]
        for selector in (s for s in selectors if s.startswith("$.")):
            # CloudWatch only takes a value or dimension the pattern matched.
            assert f"{selector} = *" in metric["pattern"], name
            if name.startswith("Batch"):
                path = selector.removeprefix("$.detail.").split(".")
                assert path[0] in FIELDS, (name, selector)
                if path[0] == "predictions":
                    assert path[-1] in PREDICTION_FIELDS, selector


def test_fallback_rate_alarm_reads_the_metric_filters_metric(config: Config) -> None:
    alarm = config.resources[("aws_cloudwatch_metric_alarm", "batch_fallback_rate")]
    assert alarm["namespace"] == "${local.metric_namespace}"
    assert alarm["metric_name"] in config.locals["monitoring_metrics"]
    assert alarm["metric_name"] == "BatchFallbackRate"
    assert alarm["threshold"] == "${var.batch_fallback_rate_budget}"
    assert alarm["comparison_operator"] == "GreaterThanThreshold"
    assert alarm["treat_missing_data"] == "notBreaching"


# --- dashboard ----------------------------------------------------------------------------------


def test_dashboard_template_takes_exactly_the_variables_given(config: Config) -> None:
    template = (INFRA / "dashboard.json.tftpl").read_text()
    variables = config.locals["dashboard_variables"]
    assert template_names(template) == set(variables) == set(dashboard_values(config))
    dashboard = config.resources[("aws_cloudwatch_dashboard", "this")]
    assert "dashboard.json.tftpl" in dashboard["dashboard_body"]
    assert "local.dashboard_variables" in dashboard["dashboard_body"]
    assert variables["endpoint_layout"] == "${var.endpoint_layout}"
    assert variables["endpoint_names"] == '${join(", ", sort(values(local.endpoints)))}'
    for widget in ("traffic", "latency", "cold_start"):
        assert variables[f"{widget}_metrics"] == f"${{local.dashboard_endpoint_metrics.{widget}}}"
    assert variables["metric_namespace"] == "${local.metric_namespace}"
    assert variables["model_latency_budget_us"] == "${var.model_latency_budget_ms * 1000}"
    assert variables["cold_start_budget_us"] == "${var.cold_start_budget_ms * 1000}"
    assert variables["batch_fallback_rate_budget"] == "${var.batch_fallback_rate_budget}"


def test_dashboard_body_is_json_with_endpoint_training_and_batch_figures(config: Config) -> None:
    dashboard = _dashboard(config)
    metrics = _dashboard_metrics(dashboard)
    for endpoint in ("gata-router", "gata-prod"):
        shown = {m[1] for m in metrics if m[0] == "AWS/SageMaker" and endpoint in m}
        assert shown == {"Invocations", "Invocation5XXErrors", "ModelLatency", "ModelSetupTime"}
    for metric in (m for m in metrics if m[0] == "AWS/SageMaker"):
        assert metric[2::2] == ["EndpointName", "VariantName"] and metric[5] == "AllTraffic"
    custom = {m[1] for m in metrics if m[0] == "gata/gata"}
    assert custom == set(config.locals["monitoring_metrics"])
    statuses = {m[3] for m in metrics if m[1] == "TrainingJobs"}
    assert statuses == set(
        config.locals["monitoring_event_patterns"]["training_runs"]["detail"]["TrainingJobStatus"]
    )
    from gata_assets.core.lifecycle_events import DETAIL_TYPES

    assert {m[3] for m in metrics if m[1] == "BatchRuns"} == set(DETAIL_TYPES)
    budgets = {
        a["label"]: a["value"]
        for w in dashboard["widgets"]
        for a in w.get("properties", {}).get("annotations", {}).get("horizontal", [])
    }
    assert budgets == {
        "model_latency_budget_ms": 2000000,
        "cold_start_budget_ms": 20000000,
        "batch_fallback_rate_budget": 0.3,
    }
    for widget in dashboard["widgets"]:
        if widget["type"] == "metric":
            assert widget["properties"]["region"] == "eu-west-1"


@pytest.mark.parametrize(
    "file", ["alarm_topic.tf", "alarms.tf", "monitoring_events.tf", "dashboard.tf"]
)
def test_monitoring_files_parse(config: Config, file: str) -> None:
    assert file in config.files
    assert Path(INFRA / file).read_text().startswith("#")
