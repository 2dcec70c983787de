"""What the alarm and monitoring tests share: the topic, rule targets, policy conditions, and
the endpoints and dashboard values of each endpoint layout."""

from __future__ import annotations

import json
import re
from typing import Any

from gata_assets_tests.infra.expression_helpers import conditional, unwrap
from gata_assets_tests.infra.hcl_helpers import Config
from gata_assets_tests.infra.policy_helpers import resolve

TOPIC = "${aws_sns_topic.alarms.arn}"


def _rules_targeting(config: Config, arn: str) -> list[str]:
    targets = config.of_type("aws_cloudwatch_event_target").values()
    rules = [
        re.fullmatch(r"\$\{aws_cloudwatch_event_rule\.(\w+)\.name\}", t["rule"]) for t in targets
    ]
    return sorted(m[1] for m, t in zip(rules, targets, strict=True) if t["arn"] == arn)


def _conditions(statement: dict) -> dict[str, dict]:
    return {c["variable"]: c for c in statement.get("condition", [])}


# --- the endpoint layout, evaluated as Terraform would ----------------------------------------

LAYOUTS = ("router", "per-model")


def _flat(expression: str) -> str:
    """One spelling whatever python-hcl2 made of the spaces: none around brackets."""
    return re.sub(r"\s*([\[\](){}])\s*", r"\1", re.sub(r"\s+", " ", unwrap(expression))).strip()


def layout_endpoints(config: Config, layout: str) -> dict[str, str]:
    """local.endpoints (key -> endpoint name) for `layout`; the expressions' shape is checked."""
    chosen = conditional(config.locals["endpoints"])
    assert chosen == (
        'var.endpoint_layout == "per-model"',
        "tomap(local.per_model_endpoints)",
        "tomap(local.logical_endpoints)",
    )
    logical = {k: resolve(config, v, {}) for k, v in config.locals["logical_endpoints"].items()}
    if layout == "router":
        return logical
    assert _flat(config.locals["per_model_endpoints"]) == _flat(
        "merge([for key, name in local.logical_endpoints : {for suffix in "
        'local.model_endpoint_suffixes : "${key}-${suffix}" => "${name}-${suffix}"}]...)'
    )
    suffixes = config.locals["model_endpoint_suffixes"]
    return {f"{k}-{s}": f"{name}-{s}" for k, name in logical.items() for s in suffixes}


def endpoint_metrics(config: Config, endpoints: dict[str, str]) -> dict[str, str]:
    """local.dashboard_endpoint_metrics: each widget's metrics array as JSON."""
    expression = _flat(config.locals["dashboard_endpoint_metrics"])
    for part in (
        "for widget, metrics in local.dashboard_endpoint_widgets : widget => jsonencode(concat([",
        "for metric, label in metrics : [for key, endpoint in local.endpoints :",
        '["AWS/SageMaker", metric, "EndpointName", endpoint, "VariantName", '
        'local.endpoint_variant, {label = trimspace("${key} ${label}")}]',
    ):
        assert _flat(part) in expression, part
    variant = config.locals["endpoint_variant"]
    return {
        widget: json.dumps(
            [
                [
                    *("AWS/SageMaker", metric, "EndpointName", name, "VariantName", variant),
                    {"label": f"{key} {label}".strip()},
                ]
                for metric, label in sorted(metrics.items())  # Terraform: maps in key order
                for key, name in sorted(endpoints.items())
            ]
        )
        for widget, metrics in config.locals["dashboard_endpoint_widgets"].items()
    }


def dashboard_values(config: Config, layout: str = "router") -> dict[str, Any]:
    """What local.dashboard_variables holds for the example deployment and `layout`."""
    endpoints = layout_endpoints(config, layout)
    metrics = endpoint_metrics(config, endpoints)
    return {
        "name": "gata",
        "region": "eu-west-1",
        "endpoint_layout": layout,
        "endpoint_names": ", ".join(sorted(endpoints.values())),
        "traffic_metrics": metrics["traffic"],
        "latency_metrics": metrics["latency"],
        "cold_start_metrics": metrics["cold_start"],
        "metric_namespace": "gata/gata",
        "alarm_topic_name": "gata-alarms",
        "model_latency_budget_us": 2000000,
        "cold_start_budget_us": 20000000,
        "batch_fallback_rate_budget": 0.3,
    }
