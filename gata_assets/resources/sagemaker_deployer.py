"""SageMaker serverless endpoints for the router (general + low-volume model in one image).

Each deployment creates a model and an endpoint config (`<endpoint>-<tag>-<time>`), then
creates or updates the endpoint. SageMaker keeps the old config serving until the new one is
healthy; we wait for the outcome, surface `FailureReason`, delete what a failed attempt
created, and after a success delete configs and models nothing uses any more. The image
comes from an SSM parameter (`image_tags.resolve_image`, as for the trainer): rolling out a
new image is one parameter write plus a redeploy. Clients come from `AwsResource`.
"""

import json
import time
from typing import Any

from gata_assets.resources import model_tarball
from gata_assets.resources import sagemaker_cleanup as cleanup
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import AwsResource
from gata_assets.resources.deployer import Deployer, DeploymentError, EndpointSpec
from gata_assets.resources.image_tags import ImageNotResolved, resolve_image

BUSY = {"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"}
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


class SageMakerDeployer(Deployer, AwsResource):
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

    @property
    def _sagemaker(self) -> Any:
        return self.client("sagemaker")

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

    def _describe(self, name: str) -> dict[str, Any] | None:
        try:
            return self._sagemaker.describe_endpoint(EndpointName=name)
        except self._sagemaker.exceptions.ClientError as error:
            if "Could not find endpoint" in str(error):
                return None
            raise

    def _wait(self, name: str, config: str, old_reason: str | None = None) -> dict[str, Any]:
        """Poll with backoff until the endpoint runs `config` or visibly gave up on it.

        A failed update returns to InService on the old config with a new FailureReason;
        a FailureReason left over from an earlier attempt (`old_reason`) proves nothing.
        """
        delay, deadline = self.poll_seconds, time.monotonic() + self.timeout_s
        while True:
            found = self._describe(name) or {"EndpointStatus": "Deleted"}
            status, reason = found["EndpointStatus"], found.get("FailureReason")
            settled = status not in BUSY and (
                found.get("EndpointConfigName") == config
                or status != "InService"
                or (reason and reason != old_reason)
            )
            if settled or time.monotonic() > deadline:
                return found
            time.sleep(delay)
            delay = min(delay * 1.5, 60.0)

    def _remove_failed(self, name: str) -> None:
        """A Failed endpoint cannot be updated: delete it, then create it afresh."""
        self._sagemaker.delete_endpoint(EndpointName=name)
        delay, deadline = self.poll_seconds, time.monotonic() + self.timeout_s
        while self._describe(name) is not None and time.monotonic() < deadline:
            time.sleep(delay)
            delay = min(delay * 1.5, 60.0)

    def _current(self, name: str) -> dict[str, Any] | None:
        """The endpoint as it stands; a Failed one is deleted first (it cannot be updated)."""
        existing = self._describe(name)
        if existing and existing["EndpointStatus"] == "Failed":
            self._remove_failed(name)
            return None
        return existing

    def _roll_out(
        self, spec: EndpointSpec, resource: str, image: str, model_data: str, existing: Any, log
    ) -> dict[str, Any]:
        """Create model and config `resource`, point the endpoint at it, wait for the outcome."""
        sm = self._sagemaker
        try:
            sm.create_model(
                ModelName=resource,
                ExecutionRoleArn=self.role_arn,
                PrimaryContainer={
                    "Image": image,
                    "ModelDataUrl": model_data,
                    "Environment": {"GATA_SERVE_MIN_CONFIDENCE": str(spec.min_confidence)},
                },
            )
            sm.create_endpoint_config(
                EndpointConfigName=resource,
                ProductionVariants=[
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": resource,
                        "ServerlessConfig": self._serverless(),
                    }
                ],
            )
            start = sm.create_endpoint if existing is None else sm.update_endpoint
            start(EndpointName=spec.name, EndpointConfigName=resource)
            action = "create" if existing is None else "update"
            log.info(f"{action} {spec.name} → {resource} ({image}); waiting for InService")
            old_reason = existing.get("FailureReason") if existing else None
            return self._wait(spec.name, resource, old_reason)
        except sm.exceptions.ClientError as error:
            return {"EndpointStatus": "NotStarted", "FailureReason": str(error)}

    def _serverless(self) -> dict[str, int]:
        return {"MemorySizeInMB": self.memory_size_mb, "MaxConcurrency": self.max_concurrency}

    def deploy(self, spec: EndpointSpec, store: ArtifactStore, log: Any) -> dict[str, Any]:
        if not self.role_arn:
            raise DeploymentError("set GATA_SAGEMAKER_ROLE_ARN: SageMaker models need a role")
        image, model_data = self.image(), model_tarball.ensure(spec, store)
        resource = f"{spec.name}-{spec.tag()[:8]}-{deployment_stamp()}"
        existing = self._current(spec.name)
        previous = existing.get("EndpointConfigName") if existing else None
        action = "create" if existing is None else "update"
        final = self._roll_out(spec, resource, image, model_data, existing, log)
        if final["EndpointStatus"] != "InService" or final.get("EndpointConfigName") != resource:
            cleanup.delete(self._sagemaker, [resource], [resource], quiet=True)
            reason = final.get("FailureReason") or f"status {final['EndpointStatus']}"
            still = f"config {previous} keeps serving" if previous else "nothing was serving"
            raise DeploymentError(
                f"{action} of {spec.name} to {resource} failed: {reason}; {still}"
            )
        stale = cleanup.delete_stale(self._sagemaker, spec.name, keep=resource)
        return {
            "name": spec.name,
            "arn": final["EndpointArn"],
            "action": action,
            "endpoint_config": resource,
            "model_name": resource,
            "image": image,
            "model_data_url": model_data,
            "serverless": self._serverless(),
            "previous_config": previous,
            "deleted_stale": stale,
            "model_versions": spec.versions(),
        }

    def invoke(self, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
        reply = self.client("sagemaker-runtime").invoke_endpoint(
            EndpointName=name,
            ContentType="application/json",
            Accept="application/json",
            Body=json.dumps({"instances": instances}).encode(),
        )
        return json.loads(reply["Body"].read())

    def status(self, name: str | None = None) -> list[dict[str, Any]]:
        if name is None:
            listed = self._sagemaker.list_endpoints(NameContains=self.name_prefix, MaxResults=100)
        names = [name] if name else [e["EndpointName"] for e in listed["Endpoints"]]
        return [
            {ours: e.get(theirs) for theirs, ours in ROW.items()}
            for e in map(self._describe, names)
            if e
        ]

    def stop(self, name: str) -> bool:
        if self._describe(name) is None:
            return False
        self._sagemaker.delete_endpoint(EndpointName=name)
        cleanup.delete_stale(self._sagemaker, name, keep=None)
        return True
