"""One SageMaker endpoint's rollout: create model and config, point the endpoint, wait, undo.

SageMaker keeps an endpoint's old config serving until the new one is healthy; a rollout
waits for the outcome, surfaces `FailureReason` and deletes what a failed attempt created.
A deployment of several endpoints (one per model) also needs the opposite: putting an
endpoint that already went live back on its previous config when a sibling failed, so the
old pair keeps serving together (`revert`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from gata_assets.resources import sagemaker_cleanup as cleanup
from gata_assets.resources.deployer import DeploymentError, EndpointUnit

BUSY = {"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"}


@dataclass(frozen=True)
class Rollout:
    sm: Any
    """The SageMaker client of the account the endpoints live in."""
    poll_seconds: float
    timeout_s: float

    def describe(self, name: str) -> dict[str, Any] | None:
        try:
            return self.sm.describe_endpoint(EndpointName=name)
        except self.sm.exceptions.ClientError as error:
            if "Could not find endpoint" in str(error):
                return None
            raise

    def wait(self, name: str, config: str, old_reason: str | None = None) -> dict[str, Any]:
        """Poll with backoff until the endpoint runs `config` or visibly gave up on it.

        A failed update returns to InService on the old config with a new FailureReason;
        a FailureReason left over from an earlier attempt (`old_reason`) proves nothing.
        """
        delay, deadline = self.poll_seconds, time.monotonic() + self.timeout_s
        while True:
            found = self.describe(name) or {"EndpointStatus": "Deleted"}
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

    def remove(self, name: str) -> None:
        """Delete the endpoint and wait until SageMaker no longer knows it."""
        self.sm.delete_endpoint(EndpointName=name)
        delay, deadline = self.poll_seconds, time.monotonic() + self.timeout_s
        while self.describe(name) is not None and time.monotonic() < deadline:
            time.sleep(delay)
            delay = min(delay * 1.5, 60.0)

    def current(self, name: str) -> dict[str, Any] | None:
        """The endpoint as it stands; a Failed one is deleted first (it cannot be updated)."""
        existing = self.describe(name)
        if existing and existing["EndpointStatus"] == "Failed":
            self.remove(name)
            return None
        return existing

    def _start(
        self,
        unit: EndpointUnit,
        resource: str,
        container: dict,
        variant: dict,
        existing: Any,
        log: Any,
    ) -> dict[str, Any]:
        sm = self.sm
        try:
            sm.create_model(**container)
            sm.create_endpoint_config(EndpointConfigName=resource, ProductionVariants=[variant])
            start = sm.create_endpoint if existing is None else sm.update_endpoint
            start(EndpointName=unit.name, EndpointConfigName=resource)
            action = "create" if existing is None else "update"
            log.info(f"{action} {unit.name} → {resource}; waiting for InService")
            old_reason = existing.get("FailureReason") if existing else None
            return self.wait(unit.name, resource, old_reason)
        except sm.exceptions.ClientError as error:
            return {"EndpointStatus": "NotStarted", "FailureReason": str(error)}

    def go_live(
        self, unit: EndpointUnit, resource: str, container: dict, variant: dict, log: Any
    ) -> dict[str, Any]:
        """`unit` serving `resource`, or DeploymentError after deleting what was created."""
        existing = self.current(unit.name)
        previous = existing.get("EndpointConfigName") if existing else None
        action = "create" if existing is None else "update"
        final = self._start(unit, resource, container, variant, existing, log)
        if final["EndpointStatus"] != "InService" or final.get("EndpointConfigName") != resource:
            cleanup.delete(self.sm, [resource], [resource], quiet=True)
            reason = final.get("FailureReason") or f"status {final['EndpointStatus']}"
            still = f"config {previous} keeps serving" if previous else "nothing was serving"
            raise DeploymentError(
                f"{action} of {unit.name} to {resource} failed: {reason}; {still}"
            )
        return {
            "name": unit.name,
            "arn": final["EndpointArn"],
            "action": action,
            "endpoint_config": resource,
            "model_name": resource,
            "previous_config": previous,
        }

    def revert(self, live: dict[str, Any], log: Any) -> str:
        """Put an endpoint that went live back as it was; says what it did."""
        name, previous, resource = live["name"], live["previous_config"], live["endpoint_config"]
        try:
            if previous is None:
                self.remove(name)
                done = f"{name} was removed again"
            else:
                self.sm.update_endpoint(EndpointName=name, EndpointConfigName=previous)
                final = self.wait(name, previous)
                done = f"{name} is back on config {previous} ({final['EndpointStatus']})"
        except self.sm.exceptions.ClientError as error:
            done = f"{name} could not be put back ({error}); it serves {resource}"
            log.error(done)
            return done
        cleanup.delete(self.sm, [resource], [resource], quiet=True)
        log.warning(done)
        return done
