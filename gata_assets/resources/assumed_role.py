"""Clients in another AWS account (prod, seed 003): STS AssumeRole credentials that renew.

Assumed-role credentials last an hour by default, while one deployment may wait half an
hour for InService and a run may hold its resource for longer. Re-assuming before each
deployment would still let a long wait outlive its credentials, so the session gets
botocore's refreshable credentials instead: botocore itself asks `fetch` for new ones when
fewer than 15 minutes are left (and blocks for them under 10), whatever the caller is doing.
`fetch` calls AssumeRole with the run's own credentials (the `sts` client handed in).
Imported only when a deployer has a role to assume: botocore loads lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
)

SESSION_NAME = "gata-deployer"


def assume_role_fetcher(
    sts: Any, role_arn: str, external_id: str = "", seconds: int = 3600
) -> Callable[[], dict[str, str]]:
    """A function returning fresh credentials for `role_arn`, in botocore's refresh format."""

    def fetch() -> dict[str, str]:
        args: dict[str, Any] = {
            "RoleArn": role_arn,
            "RoleSessionName": SESSION_NAME,
            "DurationSeconds": seconds,
        }
        if external_id:
            args["ExternalId"] = external_id
        given = sts.assume_role(**args)["Credentials"]
        return {
            "access_key": given["AccessKeyId"],
            "secret_key": given["SecretAccessKey"],
            "token": given["SessionToken"],
            "expiry_time": given["Expiration"].isoformat(),
        }

    return fetch


def refreshing_credentials(
    fetch: Callable[[], dict[str, str]], clock: Callable[[], datetime] | None = None
) -> DeferredRefreshableCredentials:
    """Credentials fetched on first use and again before they expire (`clock`: tests)."""
    if clock is None:
        return DeferredRefreshableCredentials(refresh_using=fetch, method="assume-role")
    return DeferredRefreshableCredentials(fetch, "assume-role", time_fetcher=clock)


class _Given(CredentialProvider):
    METHOD = "gata-assume-role"
    CANONICAL_NAME = "custom-gata-assume-role"

    def __init__(self, credentials: DeferredRefreshableCredentials):
        super().__init__()
        self.credentials = credentials

    def load(self) -> DeferredRefreshableCredentials:
        return self.credentials


def session_with(credentials: DeferredRefreshableCredentials, region: str | None) -> Any:
    """A boto3 session whose every client uses `credentials` (and nothing from the
    environment or the profile files)."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    core.register_component("credential_provider", CredentialResolver([_Given(credentials)]))
    return boto3.Session(botocore_session=core, region_name=region)
