"""SageMaker serverless endpoints: the router (both models in one image) or one per model.

Each deployment creates a model and an endpoint config (`<endpoint>-<tag>-<time>`) per
endpoint, then creates or updates it (`sagemaker_rollout.py`). With one endpoint per model,
a failure of either puts the one that already went live back on its old config, so the old
pair keeps serving together. After a success, configs and models nothing uses any more are
deleted, and so are the other layout's endpoints of the same name. The image comes from an
SSM parameter (`image_tags.resolve_image`, as for the trainer): rolling out a new image is
one parameter write plus a redeploy. Clients come from `AwsResource`.

Another account (prod, seed 003): with `assume_role_arn` the SageMaker, runtime and S3
clients use that role's renewing credentials (`assumed_role.py`), and each model archive is
first copied into that account's `artifact_bucket` (`artifact_copy.py`); the image
parameter and the archive's source are read with the run's own credentials.
"""

import json
import time
from typing import Any

from gata_assets.resources import model_tarball
from gata_assets.resources import sagemaker_cleanup as cleanup
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import AwsResource, error_code
from gata_assets.resources.deployer import (
    Deployer,
    DeploymentError,
    EndpointNotFound,
    EndpointSpec,
    EndpointUnit,
    layout_names,
)
from gata_assets.resources.image_tags import ImageNotResolved, resolve_image
from gata_assets.resources.sagemaker_description import describe_deployment
from gata_assets.resources.sagemaker_rollout import Rollout
from gata_assets.resources.target_account import TargetAccountClients

# describe_endpoint field -> `gata endpoints status` column.
ROW = {
    "EndpointName": "name",
    "EndpointArn": "arn",
    "EndpointStatus": "status",
    "EndpointConfigName": "endpoint_config",
    "FailureReason": "failure_reason",
}


def deployment_stamp() -> str:
    """Suffix making each deployment's model and config names unique (UTC, sortable)."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime())


class SageMakerDeployer(Deployer, TargetAccountClients):
    role_arn: str = ""
    image_parameter: str = "/gata/images/inference/tag"
    # Used when the parameter holds a bare tag rather than a full image URI.
    image_repository: str = ""
    memory_size_mb: int = 3072
    max_concurrency: int = 5
    poll_seconds: float = 15.0
    timeout_s: float = 1800.0
    # A serverless endpoint may be scaled to zero: the check's first call pays a cold start.
    latency_budget_ms: float = 20000.0
    artifact_bucket: str = ""
    """The endpoints' account's bucket, which model archives are copied into (prod)."""
    artifact_kms_key_id: str = ""

    def image(self) -> str:
        try:
            return resolve_image(
                self.client("ssm"),
                self.image_parameter,
                self.image_repository,
                "GATA_SAGEMAKER_IMAGE_REPOSITORY",
            )
        except ImageNotResolved as error:
            raise DeploymentError(str(error)) from None

    def _model_data(self, unit: EndpointUnit, store: ArtifactStore) -> dict[str, Any]:
        """Where this endpoint's archive is, in the account the endpoint lives in."""
        source = model_tarball.ensure(unit, store)
        if not self.artifact_bucket:
            return {"uri": source}
        from gata_assets.resources.artifact_copy import copy_archive

        if not isinstance(store, AwsResource):  # ensure() took an s3:// URI from it
            raise DeploymentError(f"cannot read {source} from {type(store).__name__}")
        return copy_archive(
            store.client("s3"),
            source,
            self.client("s3"),
            self.artifact_bucket,
            self.artifact_kms_key_id,
        )

    def _serverless(self) -> dict[str, int]:
        return {"MemorySizeInMB": self.memory_size_mb, "MaxConcurrency": self.max_concurrency}

    def _requests(self, unit: EndpointUnit, resource: str, image: str, data: str):
        container = {
            "ModelName": resource,
            "ExecutionRoleArn": self.role_arn,
            "PrimaryContainer": {
                "Image": image,
                "ModelDataUrl": data,
                "Environment": {"GATA_SERVE_MIN_CONFIDENCE": str(unit.min_confidence)},
            },
        }
        variant = {
            "VariantName": "AllTraffic",
            "ModelName": resource,
            "ServerlessConfig": self._serverless(),
        }
        return container, variant

    def deploy(self, spec: EndpointSpec, store: ArtifactStore, log: Any) -> dict[str, Any]:
        if not self.role_arn:
            raise DeploymentError("set GATA_SAGEMAKER_ROLE_ARN: SageMaker models need a role")
        image, units = self.image(), spec.units(self.layout)
        data = {unit.name: self._model_data(unit, store) for unit in units}
        rollout = Rollout(self.client("sagemaker"), self.poll_seconds, self.timeout_s)
        live: list[dict[str, Any]] = []
        for unit in units:
            resource = f"{unit.name}-{unit.tag()[:8]}-{deployment_stamp()}"
            container, variant = self._requests(unit, resource, image, data[unit.name]["uri"])
            try:
                live.append(rollout.go_live(unit, resource, container, variant, log))
            except DeploymentError as error:
                undone = [rollout.revert(done, log) for done in reversed(live)]
                raise DeploymentError("; ".join([str(error), *undone])) from None
            live[-1].update(role=unit.role, model_data=data[unit.name], versions=unit.versions())
        for done in live:
            keep = done["endpoint_config"]
            done["deleted_stale"] = cleanup.delete_stale(rollout.sm, done["name"], keep=keep)
        retired = self._retire(rollout, spec.name, keep={unit.name for unit in units})
        common = {"image": image, "serverless": self._serverless(), "retired": retired}
        return describe_deployment(spec, self.layout, live, self.assume_role_arn, common)

    def _retire(self, rollout: Rollout, name: str, keep: set[str]) -> list[str]:
        """Delete the endpoints `name` had in either layout that this deployment replaced."""
        ours = set(layout_names(name, "router") + layout_names(name, "per-model")) - keep
        listed = rollout.sm.list_endpoints(NameContains=name, MaxResults=100)["Endpoints"]
        found = sorted(e["EndpointName"] for e in listed if e["EndpointName"] in ours)
        return [one for one in found if self.stop_endpoint(one)]

    def invoke_endpoint(self, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
        runtime = self.client("sagemaker-runtime")
        try:
            reply = runtime.invoke_endpoint(
                EndpointName=name,
                ContentType="application/json",
                Accept="application/json",
                Body=json.dumps({"instances": instances}).encode(),
            )
        except runtime.exceptions.ClientError as error:
            code, message = error_code(error)
            if code.startswith("Validation") and "not found" in message.lower():
                raise EndpointNotFound(f"endpoint {name} is not deployed: {message}") from None
            raise
        return json.loads(reply["Body"].read())

    def endpoint_status(self, name: str | None) -> list[dict[str, Any]]:
        rollout = Rollout(self.client("sagemaker"), self.poll_seconds, self.timeout_s)
        if name is None:
            listed = rollout.sm.list_endpoints(NameContains=self.name_prefix, MaxResults=100)
        names = [name] if name else [e["EndpointName"] for e in listed["Endpoints"]]
        return [
            {ours: e.get(theirs) for theirs, ours in ROW.items()}
            for e in map(rollout.describe, names)
            if e
        ]

    def stop_endpoint(self, name: str) -> bool:
        sm = self.client("sagemaker")
        if Rollout(sm, self.poll_seconds, self.timeout_s).describe(name) is None:
            return False
        sm.delete_endpoint(EndpointName=name)
        cleanup.delete_stale(sm, name, keep=None)
        return True
