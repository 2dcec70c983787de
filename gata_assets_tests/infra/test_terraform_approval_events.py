"""infra/approval_events.tf: SageMaker's approvals of gata's package group reach one SQS
queue that only their rule may write and only the Dagster code role may read, encrypted, with
a dead-letter queue, and its URL reaches the containers as GATA_APPROVAL_QUEUE_URL."""

from __future__ import annotations

import json
import re
from typing import Any

from gata_assets.core.registry_entry import APPROVED
from gata_assets.resources import approval_queue
from gata_assets_tests.infra.hcl_helpers import REPO, Config
from gata_assets_tests.infra.iam_helpers import _as_list, iam_statements
from gata_assets_tests.infra.terraform_expectations import EXAMPLE_ENVIRONMENT

QUEUE_ARN = "${aws_sqs_queue.approvals.arn}"
RULE_ARN = "${aws_cloudwatch_event_rule.model_approved.arn}"
GROUP_NAME = "aws_sagemaker_model_package_group.this.model_package_group_name"
# The SQS calls gata makes, as the IAM actions that authorize them.
ACTION_OF_CALL = {
    "receive_message": "sqs:ReceiveMessage",
    "delete_message_batch": "sqs:DeleteMessage",
}


def jsonencoded(expression: str) -> Any:
    """The argument of `${jsonencode({...})}` as Python; bare references become strings."""
    inner = expression.removeprefix("${jsonencode(").removesuffix(")}")
    text = re.sub(r'"?([A-Za-z][\w-]*)"?\s*=(?!=)', r'"\1":', inner)
    text = re.sub(r"(?<=[\[\s:,])((?:aws_|local\.|var\.)[\w.]+)", r'"\1"', text)
    return json.loads(text)


def test_the_rule_takes_approvals_of_gatas_package_group_only(config: Config) -> None:
    rule = config.resources[("aws_cloudwatch_event_rule", "model_approved")]
    assert jsonencoded(rule["event_pattern"]) == {
        "source": [approval_queue.EVENT_SOURCE],
        "detail-type": [approval_queue.DETAIL_TYPE],
        "detail": {"ModelPackageGroupName": [GROUP_NAME], "ModelApprovalStatus": [APPROVED]},
    }
    assert "event_bus_name" not in rule  # SageMaker's events arrive on the default bus
    group = config.resources[("aws_sagemaker_model_package_group", "this")]
    assert group["model_package_group_name"] == "${local.name}-ticket-routing"


def test_the_rule_delivers_to_the_queue(config: Config) -> None:
    (target,) = [
        t for t in config.of_type("aws_cloudwatch_event_target").values() if t["arn"] == QUEUE_ARN
    ]
    assert target["rule"] == "${aws_cloudwatch_event_rule.model_approved.name}"
    assert "input_transformer" not in target  # the sensor reads the whole event


def test_only_that_rule_may_send_to_the_queue(config: Config) -> None:
    policy = config.resources[("aws_sqs_queue_policy", "approvals")]
    assert policy["queue_url"] == "${aws_sqs_queue.approvals.id}"
    assert policy["policy"] == "${data.aws_iam_policy_document.approval_queue.json}"
    statements = config.data[("aws_iam_policy_document", "approval_queue")]["statement"]
    (send,) = [s for s in statements if s["effect"] == "Allow"]
    assert send["actions"] == ["sqs:SendMessage"] and send["resources"] == [QUEUE_ARN]
    assert send["principals"] == [{"type": "Service", "identifiers": ["events.amazonaws.com"]}]
    assert send["condition"] == [
        {"test": "ArnEquals", "variable": "aws:SourceArn", "values": [RULE_ARN]}
    ]
    (deny,) = [s for s in statements if s["effect"] == "Deny"]
    assert deny["condition"][0]["variable"] == "aws:SecureTransport"


def test_only_the_dagster_code_role_reads_the_queue_with_the_calls_gata_makes(
    config: Config,
) -> None:
    grants = [
        (where, s)
        for where, s in iam_statements(config)
        if s.get("effect", "Allow") == "Allow"
        and any(a.startswith("sqs:") for a in _as_list(s.get("actions")))
        and not s.get("principals")  # identity policies, not the queue's own
    ]
    (where, statement), *others = grants
    assert others == [] and where == "data.aws_iam_policy_document.dagster_code_approval_queue"
    source = (REPO / "gata_assets" / "resources" / "approval_queue.py").read_text()
    calls = set(re.findall(r"sqs\.(\w+)\(", source))
    assert calls == set(ACTION_OF_CALL)
    assert sorted(statement["actions"]) == sorted(ACTION_OF_CALL.values())
    assert statement["resources"] == [QUEUE_ARN]
    attached = [
        p
        for p in config.of_type("aws_iam_role_policy").values()
        if "dagster_code_approval_queue" in p["policy"]
    ]
    assert [p["role"] for p in attached] == ["${aws_iam_role.dagster_code.id}"]


def test_both_queues_are_encrypted_and_unreadable_messages_go_to_the_dead_letter_queue(
    config: Config,
) -> None:
    queues = config.of_type("aws_sqs_queue")
    main, dlq = queues["approvals"], queues["approvals_dlq"]
    for queue in (main, dlq):
        assert queue.get("sqs_managed_sse_enabled") is True or queue.get("kms_master_key_id")
    redrive = jsonencoded(main["redrive_policy"])
    assert redrive["deadLetterTargetArn"] == "aws_sqs_queue.approvals_dlq.arn"
    assert config.locals["approval_max_receives"] == 5
    assert redrive["maxReceiveCount"] == "local.approval_max_receives"
    allow = config.resources[("aws_sqs_queue_redrive_allow_policy", "approvals_dlq")]
    assert jsonencoded(allow["redrive_allow_policy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": ["aws_sqs_queue.approvals.arn"],
    }
    assert dlq["message_retention_seconds"] > main["message_retention_seconds"]
    # A message is not handed out again while one tick (a short receive, then the decision)
    # is still working on it.
    assert main["visibility_timeout_seconds"] >= 10 * approval_queue.WAIT_SECONDS


def test_the_queue_url_reaches_the_containers_as_a_setting(config: Config) -> None:
    from gata_assets.definitions import build_resources
    from gata_assets.settings import GataSettings

    url = "${aws_sqs_queue.approvals.url}"
    assert config.locals["gata_environment"]["GATA_APPROVAL_QUEUE_URL"] == url
    assert config.outputs["approval_queue_url"]["value"] == url
    queue = build_resources(GataSettings.from_env(EXAMPLE_ENVIRONMENT))["approval_queue"]
    assert queue.queue_url == EXAMPLE_ENVIRONMENT["GATA_APPROVAL_QUEUE_URL"]
    assert queue.package_group == EXAMPLE_ENVIRONMENT["GATA_MODEL_PACKAGE_GROUP"]
