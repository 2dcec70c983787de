"""From a deployer's description to the endpoint's reference and metadata, for both assets.

`routing_endpoint` (preprod) and `prod_endpoint` deploy through different deployers, maybe
into different accounts and in either layout; what they record is the same: which versions
serve, behind which endpoint(s) (name and ARN or URL per model with one endpoint each), in
which account and through which assumed role.
"""

from typing import Any

import dagster as dg

from gata_assets.core.model_groups import GENERAL, LOW_VOLUME
from gata_assets.core.references import EndpointRef
from gata_assets.defs.common import lineage_metadata
from gata_assets.resources.deployer import EndpointSpec

WHERE = ("arn", "url")


def model_endpoints(deployed: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per role the endpoint serving it alone: name, and its ARN or URL."""
    return {
        role: {key: str(row[key]) for key in ("name", *WHERE) if row.get(key)}
        for role, row in (deployed.get("endpoints") or {}).items()
    }


def endpoint_ref(spec: EndpointSpec, deployed: dict[str, Any], layout: str) -> EndpointRef:
    general = spec.models[GENERAL.name]
    return EndpointRef(
        endpoint=spec.name,
        batch_id=general.batch_id,
        data_sha256=general.data_sha256,
        model_versions=spec.versions(),
        model_uris={role: model.uri for role, model in spec.models.items()},
        low_volume_fallback=spec.models[LOW_VOLUME.name].fallback,
        min_confidence=spec.min_confidence,
        layout=deployed.get("layout", layout),
        model_endpoints=model_endpoints(deployed),
        deployment=deployed,
    )


def endpoint_metadata(ref: EndpointRef, deployed: dict) -> dict:
    metadata = {
        **lineage_metadata(ref.batch_id),
        "data_sha256": dg.MetadataValue.text(ref.data_sha256),
        "endpoint": dg.MetadataValue.text(ref.endpoint),
        "layout": dg.MetadataValue.text(ref.layout),
        **{
            f"{role}_model_version": dg.MetadataValue.text(version)
            for role, version in ref.model_versions.items()
        },
        "low_volume_fallback": dg.MetadataValue.bool(ref.low_volume_fallback),
        "min_confidence": dg.MetadataValue.float(ref.min_confidence),
        "deployment": dg.MetadataValue.json(deployed),
    }
    for role, row in ref.model_endpoints.items():
        metadata[f"{role}_endpoint"] = dg.MetadataValue.text(row["name"])
        if row.get("arn"):
            metadata[f"{role}_endpoint_arn"] = dg.MetadataValue.text(row["arn"])
        if row.get("url"):
            metadata[f"{role}_endpoint_url"] = dg.MetadataValue.url(row["url"])
    if ref.url:
        metadata["url"] = dg.MetadataValue.url(ref.url)
    if ref.arn:
        metadata["endpoint_arn"] = dg.MetadataValue.text(ref.arn)
    if deployed.get("account_id"):
        metadata["account_id"] = dg.MetadataValue.text(deployed["account_id"])
    # Which identity deployed: a prod account's role, or the run's own credentials.
    role = deployed.get("assumed_role_arn") or ""
    metadata["assumed_role_arn"] = dg.MetadataValue.text(role or "(the run's own credentials)")
    return metadata
