"""The model registry on AWS: a SageMaker Model Package Group (infra/sagemaker.tf).

Both gata model groups share the package group; a gata version is one model package.
SageMaker numbers packages itself, so the gata version is kept as the package description
(found by listing) and every lineage field as CustomerMetadataProperties, which the SageMaker
console shows next to the approval status. Approving or rejecting is `update_model_package`,
the same action as in the console, so an approval made there is seen by gata's
prod-promotion sensor too. Each blocking check's verdict is kept the same way
(`check_<name>` = passed/failed, `why_<name>` = its reason), added with
`update_model_package`. Each package also carries an InferenceSpecification (inference
image, the version's model.tar.gz; `sagemaker_package.py`), so it deploys from the console or
any other tool. Only a real not-found means "nothing registered": a throttle
(retried by botocore first), AccessDenied or any other error fails with AWS's code and
message, so the gate never reads "no champion" off a 403. boto3 is imported lazily."""

import re
import uuid
from typing import Any

from gata_assets.core.errors import GataInputError
from gata_assets.core.registry_entry import PENDING, STATUSES, ModelVersion, unknown_version
from gata_assets.core.verdicts import GATE_CHECK
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import AwsResource, call_failed, is_not_found
from gata_assets.resources.registry import ModelRegistry
from gata_assets.resources.sagemaker_package import (
    DEFAULT_INSTANCE_TYPES,
    inference_specification,
    package_inference,
)

# CustomerMetadataProperties values: at most 256 characters from a restricted alphabet.
_UNSAFE = re.compile(r"[^\w\s.:/=+\-@]")
_FIELDS = ("data_sha256", "code_version", "base_model", "artifact_uri", "batch_id")
# SageMaker keeps at most 50 properties; registration leaves room for the check verdicts.
MAX_PROPERTIES, CHECK_ROOM = 50, 8


def _safe(value: Any) -> str:
    return _UNSAFE.sub("_", str(value))[:256]


def _scalars(prefix: str, values: dict[str, Any]) -> dict[str, str]:
    return {
        f"{prefix}{key}"[:128]: _safe(value)
        for key, value in values.items()
        if isinstance(value, bool | int | float | str) and str(value) != ""
    }


def _number(text: str) -> Any:
    """A metadata property back as the value it was (properties are strings on SageMaker):
    "False" must read as False, or every model would look like a fallback."""
    if text in ("True", "False"):
        return text == "True"
    try:
        return float(text)
    except ValueError:
        return text


class SageMakerModelRegistry(ModelRegistry, AwsResource):
    package_group: str = "gata-ticket-routing"
    # Each package's InferenceSpecification (sagemaker_package.py): the deployer's image...
    image_parameter: str = "/gata/images/inference/tag"
    image_repository: str = ""
    instance_types: list[str] = DEFAULT_INSTANCE_TYPES
    # ...and the model's archive, written here. Only an S3 store can give SageMaker model
    # data: without one (GATA_REGISTRY=sagemaker in local mode) packages carry no spec.
    artifact_store: ArtifactStore | None = None

    @property
    def sagemaker(self) -> Any:
        return self.client("sagemaker")

    def _ensure_group(self) -> str:
        # Terraform creates it in AWS; creating it on first use keeps fresh accounts working.
        try:
            self.sagemaker.describe_model_package_group(ModelPackageGroupName=self.package_group)
        except self.sagemaker.exceptions.ClientError as error:
            if not is_not_found(error):
                raise call_failed(
                    error, f"DescribeModelPackageGroup {self.package_group}"
                ) from None
            self.sagemaker.create_model_package_group(
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
            for page in self.sagemaker.get_paginator("list_model_packages").paginate(**query):
                found.extend(page["ModelPackageSummaryList"])
        except self.sagemaker.exceptions.ClientError as error:
            if is_not_found(error):
                return []  # the group does not exist yet: nothing registered
            raise call_failed(error, f"ListModelPackages {self.package_group}") from None
        return found

    def _describe(self, arn: str) -> dict[str, Any]:
        return self.sagemaker.describe_model_package(ModelPackageName=arn)

    def _find(self, version: str) -> dict[str, Any] | None:
        for summary in self._summaries():
            if summary.get("ModelPackageDescription") == version:
                return self._describe(summary["ModelPackageArn"])
        return None

    def _inference(self, artifact_uri: str) -> dict[str, Any]:
        store = self.artifact_store
        if store is None or not store.uri("").startswith("s3://"):
            return {}
        image, model_data = package_inference(
            store, artifact_uri, self.client("ssm"), self.image_parameter, self.image_repository
        )
        spec = inference_specification(image, model_data, self.instance_types)
        return {"InferenceSpecification": spec}

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
            checks={
                k[6:]: {"passed": v == "passed", "reason": meta.get(f"why_{k[6:]}", "")}
                for k, v in meta.items()
                if k.startswith("check_")
            },
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
        arn = self.sagemaker.create_model_package(
            ModelPackageGroupName=self._ensure_group(),
            ModelPackageDescription=version,
            ModelApprovalStatus=PENDING,
            CustomerMetadataProperties=dict(
                list(properties.items())[: MAX_PROPERTIES - CHECK_ROOM]
            ),
            MetadataProperties={"CommitId": _safe(code_version) or "unknown"},
            # The same token for the same version: a retried call never makes a second package.
            ClientToken=str(uuid.uuid5(uuid.NAMESPACE_URL, f"gata:{group}:{version}")),
            **self._inference(artifact_uri),
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
            raise unknown_version(version)
        self.sagemaker.update_model_package(
            ModelPackageArn=package["ModelPackageArn"],
            ModelApprovalStatus=status,
            ApprovalDescription=note,
        )
        return self._entry(self._describe(package["ModelPackageArn"]))

    def record_check(
        self, version: str, check: str, passed: bool, reason: str, details: dict | None = None
    ) -> None:
        package = self._find(version)
        if package is None:
            raise GataInputError(
                f"no model version {version!r} in the registry to record {check} on"
            )
        meta = package.get("CustomerMetadataProperties", {})
        verdict = {f"check_{check}": "passed" if passed else "failed", f"why_{check}": reason}
        update = {k[:128]: _safe(v) for k, v in verdict.items()}
        if check == GATE_CHECK and details:
            room = MAX_PROPERTIES - len(set(meta) | set(update))
            fresh = {k: v for k, v in _scalars("gate_", details).items() if k not in meta}
            update |= {k: v for k, v in _scalars("gate_", details).items() if k in meta}
            update |= dict(list(fresh.items())[: max(room, 0)])
        self.sagemaker.update_model_package(
            ModelPackageArn=package["ModelPackageArn"], CustomerMetadataProperties=update
        )
