"""The one way gata's AWS resources get boto3 clients, and the one way tests hand theirs in.

Every AWS resource (S3 store, SageMaker trainer, deployer and registry, EventBridge, SSM
image tags, the Aurora secret) derives from `AwsResource`, so the same three settings reach
all of them: the region, one endpoint URL (GATA_AWS_ENDPOINT_URL: S3-compatible stores,
moto's server) and botocore's retry mode (`standard`, or `adaptive`, which also rate-limits
the client when AWS throttles). `client(service)` makes a client once per resource instance
and reuses it; Dagster builds a fresh instance for each run, so no client outlives its run.

Tests hand in stubbed clients with `resource.with_clients(sagemaker=stubbed)`, which returns
a copy using them and leaves the (frozen) original untouched. boto3 is imported lazily.
"""

from __future__ import annotations

from typing import Any, Literal, Self

import dagster as dg
from pydantic import PrivateAttr

MAX_ATTEMPTS = 5


class AwsResource(dg.ConfigurableResource):
    region_name: str | None = None
    endpoint_url: str | None = None
    """One URL for every AWS client (S3-compatible endpoints, moto in tests)."""
    retry_mode: Literal["standard", "adaptive"] = "standard"
    """botocore retries with backoff; `adaptive` also slows down while AWS throttles."""

    # Clients made or handed in for this instance: a cache, not configuration.
    _clients: dict[str, Any] = PrivateAttr(default_factory=dict)

    def client(self, service: str) -> Any:
        """The boto3 client for `service` ("s3", "sagemaker", "ssm", ...)."""
        if service not in self._clients:
            import boto3
            from botocore.config import Config

            config = Config(retries={"mode": self.retry_mode, "max_attempts": MAX_ATTEMPTS})
            self._clients[service] = boto3.client(
                service,
                region_name=self.region_name,
                endpoint_url=self.endpoint_url,
                config=config,
            )
        return self._clients[service]

    def with_clients(self, **clients: Any) -> Self:
        """A copy of this resource that uses these clients, by service name
        (`sagemaker_runtime=` for "sagemaker-runtime")."""
        copy = self.model_copy()
        copy._clients = {
            **self._clients,
            **{service.replace("_", "-"): client for service, client in clients.items()},
        }
        return copy


# What AWS says when the thing asked for is not there, as opposed to "you may not look"
# (AccessDenied), "slow down" (throttling, already retried by botocore) or a fault.
NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound", "ResourceNotFound"})
_NOT_FOUND_WORDS = ("does not exist", "not found", "could not find")


class AwsCallError(RuntimeError):
    """An AWS call failed for a reason other than "not found"; carries AWS's code and text."""

    def __init__(self, doing: str, code: str, message: str):
        super().__init__(f"{doing} failed: {code}: {message}")
        self.code, self.message = code, message


def error_code(error: Exception) -> tuple[str, str]:
    """(AWS error code, message) of a botocore ClientError; ("", str) for anything else."""
    details = getattr(error, "response", {}).get("Error", {})
    return str(details.get("Code", "")), str(details.get("Message", error))


def is_not_found(error: Exception) -> bool:
    """Only a real not-found: a 404-style code, or SageMaker's ValidationException naming a
    missing resource. Throttling, AccessDenied and faults are never "absent"."""
    code, message = error_code(error)
    if code in NOT_FOUND_CODES:
        return True
    return code == "ValidationException" and any(w in message.lower() for w in _NOT_FOUND_WORDS)


def call_failed(error: Exception, doing: str) -> AwsCallError:
    code, message = error_code(error)
    return AwsCallError(doing, code or type(error).__name__, message)
