"""What the alarm and monitoring tests share: the topic, rule targets, policy conditions."""

from __future__ import annotations

import re

from gata_assets_tests.infra.hcl_helpers import Config

TOPIC = "${aws_sns_topic.alarms.arn}"


def _rules_targeting(config: Config, arn: str) -> list[str]:
    targets = config.of_type("aws_cloudwatch_event_target").values()
    rules = [
        re.fullmatch(r"\$\{aws_cloudwatch_event_rule\.(\w+)\.name\}", t["rule"]) for t in targets
    ]
    return sorted(m[1] for m, t in zip(rules, targets, strict=True) if t["arn"] == arn)


def _conditions(statement: dict) -> dict[str, dict]:
    return {c["variable"]: c for c in statement.get("condition", [])}
