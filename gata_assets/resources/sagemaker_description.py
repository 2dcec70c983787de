"""What a SageMaker deployment reports: the asset's metadata and `gata endpoints` read it.

The router layout keeps the flat shape it always had (`arn`, `endpoint_config`, ...), so
references already on disk and the code reading them stay valid; one endpoint per model
puts the same fields per role under `endpoints`. Both say which account the endpoints live
in (from their ARNs) and which role, if any, was assumed to get there.
"""

from typing import Any

from gata_assets.resources.deployer import ROUTER, EndpointSpec


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def endpoint_row(live: dict[str, Any]) -> dict[str, Any]:
    """One endpoint's part: name, ARN, what happened to it, where its models came from."""
    data = live["model_data"]
    row = {
        "name": live["name"],
        "arn": live["arn"],
        "action": live["action"],
        "endpoint_config": live["endpoint_config"],
        "model_name": live["model_name"],
        "model_data_url": data["uri"],
        "previous_config": live["previous_config"],
        "deleted_stale": live["deleted_stale"],
    }
    if "source_uri" in data:
        row.update(
            model_source_url=data["source_uri"],
            model_data_copied=data["copied"],
            model_data_sha256=data["sha256"],
        )
    return row


def describe_deployment(
    spec: EndpointSpec,
    layout: str,
    live: list[dict[str, Any]],
    assumed_role: str,
    common: dict[str, Any],
) -> dict[str, Any]:
    rows = {one["role"]: endpoint_row(one) for one in live}
    described = {
        **common,
        "name": spec.name,
        "layout": layout,
        "model_versions": spec.versions(),
        "account_id": _account(live[0]["arn"]),
        "assumed_role_arn": assumed_role,
    }
    if layout == ROUTER:
        return {**described, **rows[ROUTER]}
    return {**described, "endpoints": rows}
