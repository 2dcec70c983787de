"""Deployer: puts the general + low-volume model pair behind one endpoint (local or SageMaker).

Assets only ask "deploy these model references as endpoint X" and "ask endpoint X about
this ticket"; where the endpoint runs is the implementation's business. Implementations
are frozen resources and keep what they know about running endpoints outside themselves (a
state file per endpoint locally, SageMaker's own records in AWS).
"""

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from gata_assets.core.model_groups import GROUP_NAMES
from gata_assets.core.references import ServingModel
from gata_assets.resources.artifact_store import ArtifactStore

# One model per group behind each router endpoint.
MODEL_ROLES = GROUP_NAMES


class DeploymentError(RuntimeError):
    """A deployment did not go live; the message says why and what still serves traffic."""


@dataclass(frozen=True)
class EndpointSpec:
    """What to deploy: endpoint name and, per role, the model to serve (a `ServingModel`;
    a model reference or a {"uri", "model_version"} mapping is taken as one)."""

    name: str
    models: Mapping[str, ServingModel]
    min_confidence: float = 0.0
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [role for role in MODEL_ROLES if role not in self.models]
        if missing:
            raise ValueError(f"endpoint {self.name}: no model reference for {missing}")
        served = {role: ServingModel.of(model) for role, model in self.models.items()}
        object.__setattr__(self, "models", served)

    def versions(self) -> dict[str, str]:
        return {role: self.models[role].model_version for role in MODEL_ROLES}

    def tag(self) -> str:
        """Short, stable id of this model pair: same models → same tag (and same tarball)."""
        joined = "|".join(f"{r}={self.models[r].uri}" for r in MODEL_ROLES)
        return hashlib.sha256(joined.encode()).hexdigest()[:12]


class Deployer(dg.ConfigurableResource, ABC):
    """Deploy a router endpoint, invoke it, list and stop endpoints."""

    # Endpoint names are `<name_prefix>-router`: one prefix per environment or account.
    name_prefix: str = "gata"
    # Below this confidence a ticket goes to the fallback (triage) label instead.
    min_confidence: float = 0.0
    # Cold starts (a serverless endpoint scaling from zero) count against this budget too.
    latency_budget_ms: float = 2000.0

    def endpoint_name(self, role: str = "router") -> str:
        return f"{self.name_prefix}-{role}"

    @abstractmethod
    def deploy(self, spec: EndpointSpec, store: ArtifactStore, log: Any) -> dict[str, Any]:
        """Make `spec` live, or raise DeploymentError leaving the previous version serving.

        Returns a JSON-able description: name, url or ARN, model versions, config.
        """

    @abstractmethod
    def invoke(self, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
        """POST {"instances": ...} to the endpoint; the decoded response body."""

    @abstractmethod
    def status(self, name: str | None = None) -> list[dict[str, Any]]:
        """What is deployed: one JSON-able row per endpoint (optionally just `name`)."""

    @abstractmethod
    def stop(self, name: str) -> bool:
        """Take the endpoint down; False when there was nothing to stop."""
