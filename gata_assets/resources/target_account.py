"""AWS clients in the account a resource acts in, which need not be the run's own.

Seed 003 keeps prod in an account of its own: the prod deployer assumes a role there
(`assume_role_arn`, GATA_PROD_ROLE_ARN) and its SageMaker, runtime and S3 clients act with
that role's credentials, which renew themselves before they expire (`assumed_role.py`), so
a wait of hours never outlives them. Every other client (STS itself, SSM's image parameter)
keeps the run's own credentials. Without a role this is exactly `AwsResource`; clients
handed in with `with_clients` are used as they are either way.
"""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from gata_assets.resources.aws import MAX_ATTEMPTS, AwsResource

# Clients that act in the account the endpoints live in (the assumed role's, if any).
TARGET_SERVICES = frozenset({"sagemaker", "sagemaker-runtime", "s3"})


class TargetAccountClients(AwsResource):
    assume_role_arn: str = ""
    """Act in this role's account; empty: the run's own credentials and account."""
    external_id: str = ""
    """The ExternalId the role's trust policy asks for, if any."""
    session_seconds: int = 3600
    """How long each set of assumed credentials lasts (renewed 15 minutes before the end)."""

    # One session (and one renewing credential) per resource instance, as for clients.
    _sessions: dict[str, Any] = PrivateAttr(default_factory=dict)

    def client(self, service: str) -> Any:
        if not self.assume_role_arn or service not in TARGET_SERVICES or service in self._clients:
            return super().client(service)
        from botocore.config import Config

        config = Config(retries={"mode": self.retry_mode, "max_attempts": MAX_ATTEMPTS})
        self._clients[service] = self.target_session().client(
            service, endpoint_url=self.endpoint_url, config=config
        )
        return self._clients[service]

    def target_session(self) -> Any:
        """The boto3 session of the assumed role (made on first use)."""
        if "target" not in self._sessions:
            from gata_assets.resources import assumed_role

            fetch = assumed_role.assume_role_fetcher(
                super().client("sts"), self.assume_role_arn, self.external_id, self.session_seconds
            )
            credentials = assumed_role.refreshing_credentials(fetch)
            self._sessions["target"] = assumed_role.session_with(credentials, self.region_name)
        return self._sessions["target"]
