"""The endpoint layout (var.endpoint_layout, GATA_ENDPOINT_LAYOUT), both ways: the tasks get
the layout, and the endpoint alarms and dashboard watch exactly the endpoints gata's deployer
runs in it: `<name_prefix>-router` / `-prod`, or each of them `-general` and `-low-volume`."""

from __future__ import annotations

import json
import re

import pytest

from gata_assets.options import OPTIONS, SettingsError
from gata_assets.resources.deployer import layout_names
from gata_assets_tests.infra.expression_helpers import render_template
from gata_assets_tests.infra.hcl_helpers import INFRA, Config
from gata_assets_tests.infra.monitoring_helpers import (
    LAYOUTS,
    dashboard_values,
    layout_endpoints,
)
from gata_assets_tests.infra.terraform_expectations import EXAMPLE_ENVIRONMENT

ALARM_SUFFIXES = {"errors-5xx", "latency", "cold-start"}


def deployed(layout: str) -> set[str]:
    """Every endpoint gata's AWS deployers run in `layout` (preprod and prod)."""
    from gata_assets.definitions import build_resources
    from gata_assets.settings import GataSettings

    resources = build_resources(
        GataSettings.from_env(EXAMPLE_ENVIRONMENT | {"GATA_ENDPOINT_LAYOUT": layout})
    )
    names = set()
    for key, role in (("deployer", "router"), ("prod_deployer", "prod")):
        assert resources[key].layout == layout, key
        names |= set(layout_names(resources[key].endpoint_name(role), layout))
    return names


def test_the_layout_variable_takes_what_gata_takes_and_reaches_the_tasks(config: Config) -> None:
    variable = config.variables["endpoint_layout"]
    option = OPTIONS["GATA_ENDPOINT_LAYOUT"]
    assert variable["default"] == option.default == EXAMPLE_ENVIRONMENT["GATA_ENDPOINT_LAYOUT"]
    (validation,) = variable["validation"]
    allowed = re.findall(r'"([^"]+)"', validation["condition"])
    assert tuple(allowed) == LAYOUTS
    for value in allowed:
        assert option.parse(value) == value
    with pytest.raises(SettingsError):
        option.parse("per_model")  # what the validation refuses, gata refuses too
    assert config.locals["gata_environment"]["GATA_ENDPOINT_LAYOUT"] == "${var.endpoint_layout}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_endpoint_alarms_watch_the_endpoints_of_the_layout(config: Config, layout) -> None:
    endpoints = layout_endpoints(config, layout)
    assert set(endpoints.values()) == deployed(layout)
    alarm = config.resources[("aws_cloudwatch_metric_alarm", "endpoint")]
    assert alarm["alarm_name"] == '${local.name}-${replace(each.key, "_", "-")}'
    assert alarm["dimensions"]["EndpointName"] == "${local.endpoints[each.value.endpoint]}"
    # One alarm per endpoint and kind (setproduct), each named "<endpoint name>-<kind>", so
    # the topic policy's "<name_prefix>-*" alarms cover them.
    kinds = config.locals["endpoint_alarms"]
    names = {
        f"gata-{key}-{kind}".replace("_", "-"): (endpoint, kind)
        for key, endpoint in endpoints.items()
        for kind in kinds
    }
    assert len(names) == len(endpoints) * len(kinds)
    for name, (endpoint, kind) in names.items():
        assert name == f"{endpoint}-{kind.replace('_', '-')}"
        assert name.removeprefix(f"{endpoint}-") in ALARM_SUFFIXES


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_dashboard_plots_every_endpoint_of_the_layout(config: Config, layout) -> None:
    template = (INFRA / "dashboard.json.tftpl").read_text()
    dashboard = json.loads(render_template(template, dashboard_values(config, layout)))
    endpoints, widgets = deployed(layout), []
    for widget in dashboard["widgets"]:
        metrics = widget.get("properties", {}).get("metrics", [])
        lines = [m for m in metrics if m[0] == "AWS/SageMaker"]
        for metric in lines:
            assert metric[2::2][:2] == ["EndpointName", "VariantName"]
            assert metric[-1]["label"].split(" ")[0] in layout_endpoints(config, layout)
        if lines:  # every endpoint of the layout, each metric of the widget
            names = {m[1] for m in lines}
            assert {(m[1], m[3]) for m in lines} == {(n, e) for n in names for e in endpoints}
            widgets.append(sorted(names))
    assert sorted(widgets) == [
        ["Invocation5XXErrors", "Invocations"],
        ["ModelLatency"],
        ["ModelSetupTime"],
    ]
    text = dashboard["widgets"][0]["properties"]["markdown"]
    assert f"({layout} layout)" in text
    assert all(name in text for name in endpoints)
