"""Alarms: endpoint 5xx / latency / cold-start alarms on gata's own endpoint names, with
budgets matching gata's checks, all to an encrypted SNS topic only this account's gata rules
and alarms may publish to."""

from __future__ import annotations

import re

from gata_assets_tests.infra.expression_helpers import (
    unwrap,
)
from gata_assets_tests.infra.hcl_helpers import REPO, Config
from gata_assets_tests.infra.iam_helpers import _document_statements
from gata_assets_tests.infra.monitoring_helpers import TOPIC, _conditions, _rules_targeting
from gata_assets_tests.infra.terraform_expectations import EXAMPLE_ENVIRONMENT

# --- SNS topic ----------------------------------------------------------------------------------


def test_alarm_topic_is_encrypted_with_its_own_rotating_key(config: Config) -> None:
    topic = config.resources[("aws_sns_topic", "alarms")]
    assert topic["kms_master_key_id"] == "${aws_kms_key.alarms.arn}"
    key = config.resources[("aws_kms_key", "alarms")]
    assert key["enable_key_rotation"] is True
    publishers = [
        s
        for s in _document_statements(config.data[("aws_iam_policy_document", "alarm_key")])
        if s.get("principals", [{}])[0].get("type") == "Service"
    ]
    assert [sorted(s["principals"][0]["identifiers"]) for s in publishers] == [
        ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    ]
    assert sorted(publishers[0]["actions"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    # gata's data key stays closed to EventBridge and CloudWatch.
    data_key = config.data[("aws_iam_policy_document", "kms")]
    identifiers = {
        i for s in _document_statements(data_key) for p in s["principals"] for i in p["identifiers"]
    }
    assert not identifiers & {"events.amazonaws.com", "cloudwatch.amazonaws.com"}


def test_only_this_accounts_gata_rules_and_alarms_may_publish(config: Config) -> None:
    policy = config.resources[("aws_sns_topic_policy", "alarms")]
    assert policy["arn"] == TOPIC
    assert policy["policy"] == "${data.aws_iam_policy_document.alarm_topic.json}"
    statements = list(_document_statements(config.data[("aws_iam_policy_document", "alarm_topic")]))
    allows = [s for s in statements if s["effect"] == "Allow"]
    assert {s["principals"][0]["identifiers"][0] for s in allows} == {
        "events.amazonaws.com",
        "cloudwatch.amazonaws.com",
    }
    for statement in allows:
        assert statement["actions"] == ["sns:Publish"]
        assert statement["resources"] == [TOPIC]
        assert statement["principals"][0]["type"] == "Service"
        conditions = _conditions(statement)
        assert conditions["aws:SourceAccount"]["values"] == ["${local.account_id}"]
        assert "aws:SourceArn" in conditions
    events, alarms = sorted(
        allows, key=lambda s: s["principals"][0]["identifiers"][0] != "events.amazonaws.com"
    )
    rules = _rules_targeting(config, TOPIC)
    assert rules == ["freshness_breached", "training_failed"]
    source = _conditions(events)["aws:SourceArn"]
    assert source["test"] == "ArnEquals"
    assert sorted(source["values"]) == [f"${{aws_cloudwatch_event_rule.{r}.arn}}" for r in rules]
    source = _conditions(alarms)["aws:SourceArn"]
    assert (source["test"], source["values"]) == ("ArnLike", ["${local.alarm_arn_pattern}"])
    assert config.locals["alarm_arn_pattern"].endswith(":alarm:${local.name}-*")
    for name, alarm in config.of_type("aws_cloudwatch_metric_alarm").items():
        assert alarm["alarm_name"].startswith("${local.name}-"), name
    (deny,) = [s for s in statements if s["effect"] == "Deny"]
    assert _conditions(deny)["aws:SecureTransport"]["values"] == ["false"]


def test_email_subscriptions_are_optional(config: Config) -> None:
    assert config.variables["alarm_emails"]["default"] == []
    subscription = config.resources[("aws_sns_topic_subscription", "alarm_email")]
    assert subscription["for_each"] == "${toset(var.alarm_emails)}"
    assert (subscription["protocol"], subscription["topic_arn"]) == ("email", TOPIC)
    assert config.outputs["alarm_topic_arn"]["value"] == TOPIC


# --- endpoint alarms ----------------------------------------------------------------------------


def test_endpoint_alarms_watch_gatas_own_endpoint_names(config: Config) -> None:
    from gata_assets.resources.build import build_deployer
    from gata_assets.settings import GataSettings

    deployer = build_deployer(GataSettings.from_env(EXAMPLE_ENVIRONMENT))
    roles = set()
    for path in (REPO / "gata_assets").rglob("*.py"):
        roles |= set(re.findall(r'endpoint_name\("(\w+)"\)', path.read_text()))
    assert roles == {"router", "prod"}
    prefix = EXAMPLE_ENVIRONMENT["GATA_SAGEMAKER_NAME_PREFIX"]
    endpoints = {
        k: v.replace("${local.name}", prefix) for k, v in config.locals["logical_endpoints"].items()
    }
    assert endpoints == {role: deployer.endpoint_name(role) for role in roles}
    deployer_source = (REPO / "gata_assets" / "resources" / "sagemaker_deployer.py").read_text()
    assert f'"VariantName": "{config.locals["endpoint_variant"]}"' in deployer_source
    assert config.locals["gata_environment"]["GATA_SAGEMAKER_NAME_PREFIX"] == "${local.name}"


def test_endpoint_alarms_use_sagemaker_metrics_and_budget_variables(config: Config) -> None:
    alarms = config.locals["endpoint_alarms"]
    expected = {
        "errors_5xx": ("Invocation5XXErrors", "Sum", "${var.endpoint_5xx_threshold}"),
        "latency": ("ModelLatency", "Average", "${var.model_latency_budget_ms * 1000}"),
        "cold_start": ("ModelSetupTime", "Maximum", "${var.cold_start_budget_ms * 1000}"),
    }
    assert {k: (a["metric"], a["statistic"], a["threshold"]) for k, a in alarms.items()} == expected
    pairs = unwrap(config.locals["endpoint_alarm_pairs"])
    assert "setproduct(keys(local.endpoints), keys(local.endpoint_alarms))" in pairs
    alarm = config.resources[("aws_cloudwatch_metric_alarm", "endpoint")]
    assert alarm["for_each"] == "${local.endpoint_alarm_pairs}"
    assert alarm["namespace"] == "AWS/SageMaker"
    assert alarm["dimensions"] == {
        "EndpointName": "${local.endpoints[each.value.endpoint]}",
        "VariantName": "${local.endpoint_variant}",
    }
    for field in ("metric", "statistic", "threshold"):
        key = {"metric": "metric_name"}.get(field, field)
        assert alarm[key] == f"${{local.endpoint_alarms[each.value.alarm].{field}}}", field
    assert alarm["treat_missing_data"] == "notBreaching"  # idle serverless endpoints are silent


def test_budget_defaults_match_gatas_own_checks(config: Config) -> None:
    from gata_assets.options import OPTIONS

    variables = config.variables
    assert (
        variables["model_latency_budget_ms"]["default"]
        == OPTIONS["GATA_ENDPOINT_LATENCY_BUDGET_MS"].default
    )
    assert (
        variables["cold_start_budget_ms"]["default"]
        == OPTIONS["GATA_SAGEMAKER_LATENCY_BUDGET_MS"].default
    )
    assert 0 < variables["batch_fallback_rate_budget"]["default"] < 1
    assert variables["endpoint_5xx_threshold"]["default"] >= 1


def test_every_alarm_notifies_the_topic_on_alarm_and_recovery(config: Config) -> None:
    alarms = config.of_type("aws_cloudwatch_metric_alarm")
    assert set(alarms) == {"endpoint", "batch_fallback_rate"}
    for name, alarm in alarms.items():
        assert alarm["alarm_actions"] == alarm["ok_actions"] == [TOPIC], name
