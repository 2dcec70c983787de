"""The model registry on AWS: a SageMaker Model Package Group (infra/sagemaker.tf).

Both gata model groups share the package group; a gata version is one model package.
SageMaker numbers packages itself, so the gata version is kept as the package description
(found by listing) and every lineage field as CustomerMetadataProperties, which the SageMaker
console shows next to the approval status. Approving or rejecting is `update_model_package`,
the same action as in the console, so an approval made there is seen by gata's
prod-promotion sensor too. boto3 is imported lazily."""

import re
import uuid
from functools import cached_property
from typing import Any

from gata_assets.core.errors import GataInputError
from gata_assets.core.registry_entry import PENDING, STATUSES, ModelVersion
from gata_assets.resources.registry import ModelRegistry

# CustomerMetadataProperties values: at most 256 characters from a restricted alphabet.
_UNSAFE = re.compile(r"[^\w\s.:/=+\-@]")
_FIELDS = ("data_sha256", "code_version", "base_model", "artifact_uri", "batch_id")


def _safe(value: Any) -> str:
    return _UNSAFE.sub("_", str(value))[:256]


def _scalars(prefix: str, values: dict[str, Any]) -> dict[str, str]:
    return {
        f"{prefix}{key}"[:128]: _safe(value)
        for key, value in values.items()
        if isinstance(value, bool | int | float | str) and str(value) != ""
    }


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


class SageMakerModelRegistry(ModelRegistry):
    package_group: str = "gata-ticket-routing"
    region_name: str | None = None
    endpoint_url: str | None = None

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.client(
            "sagemaker", region_name=self.region_name, endpoint_url=self.endpoint_url
        )

    def _ensure_group(self) -> str:
        # Terraform creates it in AWS; creating it on first use keeps fresh accounts working.
        try:
            self._client.describe_model_package_group(ModelPackageGroupName=self.package_group)
        except self._client.exceptions.ClientError:
            self._client.create_model_package_group(
                ModelPackageGroupName=self.package_group,
                ModelPackageGroupDescription="gata ticket-routing models",
            )
        return self.package_group

    def _summaries(self, status: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {
            "ModelPackageGroupName": self.package_group,
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
        }
        if status:
            query["ModelApprovalStatus"] = status
        found = []
        try:
            for page in self._client.get_paginator("list_model_packages").paginate(**query):
                found.extend(page["ModelPackageSummaryList"])
        except self._client.exceptions.ClientError:
            return []  # the group does not exist yet: nothing registered
        return found

    def _describe(self, arn: str) -> dict[str, Any]:
        return self._client.describe_model_package(ModelPackageName=arn)

    def _find(self, version: str) -> dict[str, Any] | None:
        for summary in self._summaries():
            if summary.get("ModelPackageDescription") == version:
                return self._describe(summary["ModelPackageArn"])
        return None

    def _entry(self, package: dict[str, Any]) -> ModelVersion:
        meta = package.get("CustomerMetadataProperties", {})
        status = package["ModelApprovalStatus"]
        return ModelVersion(
            version=meta.get("gata_version", package.get("ModelPackageDescription", "")),
            group=meta.get("gata_group", ""),
            status=status,
            metrics={k[7:]: _number(v) for k, v in meta.items() if k.startswith("metric_")},
            registered_at=package["CreationTime"].isoformat(),
            decided_at=(
                package["LastModifiedTime"].isoformat()
                if status != PENDING and package.get("LastModifiedTime")
                else None
            ),
            note=package.get("ApprovalDescription", ""),
            gate={k[5:]: _number(v) for k, v in meta.items() if k.startswith("gate_")},
            **{name: meta.get(name, "") for name in _FIELDS},
        )

    def register(
        self,
        *,
        version: str,
        group: str,
        metrics: dict[str, Any],
        data_sha256: str,
        code_version: str,
        base_model: str,
        artifact_uri: str,
        batch_id: str,
        gate: dict[str, Any] | None = None,
    ) -> ModelVersion:
        existing = self.get(version)
        if existing is not None:
            return existing
        lineage = dict(
            zip(
                _FIELDS,
                (data_sha256, code_version, base_model, artifact_uri, batch_id),
                strict=True,
            )
        )
        properties = {
            **_scalars("", {"gata_version": version, "gata_group": group, **lineage}),
            **_scalars("gate_", gate or {}),
            **_scalars("metric_", metrics),
        }
        arn = self._client.create_model_package(
            ModelPackageGroupName=self._ensure_group(),
            ModelPackageDescription=version,
            ModelApprovalStatus=PENDING,
            CustomerMetadataProperties=dict(list(properties.items())[:50]),
            MetadataProperties={"CommitId": _safe(code_version) or "unknown"},
            # The same token for the same version: a retried call never makes a second package.
            ClientToken=str(uuid.uuid5(uuid.NAMESPACE_URL, f"gata:{group}:{version}")),
        )["ModelPackageArn"]
        return self._entry(self._describe(arn))

    def get(self, version: str) -> ModelVersion | None:
        package = self._find(version)
        return self._entry(package) if package else None

    def list(self, group: str | None = None, status: str | None = None) -> list[ModelVersion]:
        # Newest first already (SortBy CreationTime); the group is a metadata field.
        entries = [
            self._entry(self._describe(s["ModelPackageArn"])) for s in self._summaries(status)
        ]
        return [e for e in entries if group is None or e.group == group]

    def set_status(self, version: str, status: str, note: str = "") -> ModelVersion:
        if status not in STATUSES:
            raise GataInputError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        package = self._find(version)
        if package is None:
            raise GataInputError(
                f"no model version {version!r} in the registry (`gata models list`)"
            )
        self._client.update_model_package(
            ModelPackageArn=package["ModelPackageArn"],
            ModelApprovalStatus=status,
            ApprovalDescription=note,
        )
        return self._entry(self._describe(package["ModelPackageArn"]))
