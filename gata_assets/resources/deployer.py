"""Deployer: puts the general + low-volume model pair behind endpoints (local or SageMaker).

Assets only ask "deploy these model references as endpoint X" and "ask endpoint X about
this ticket"; where the endpoint runs is the implementation's business, and so is the
layout: one router endpoint with both models inside (`router`, the default), or one
endpoint per model (`per-model`, GATA_ENDPOINT_LAYOUT), which the caller routes across
(`ml/client_routing.py`). Either way X is one logical name, so assets, checks and the CLI
never branch on the layout. Implementations are frozen resources and keep what they know
about running endpoints outside themselves (a state file per endpoint locally, SageMaker's
own records in AWS).
"""

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import dagster as dg

from gata_assets.core.model_groups import GENERAL, GROUP_NAMES, LOW_VOLUME
from gata_assets.core.references import ServingModel
from gata_assets.ml.client_routing import route_across
from gata_assets.resources.artifact_store import ArtifactStore

# One model per group behind each router endpoint.
MODEL_ROLES = GROUP_NAMES
ROUTER = "router"
Layout = Literal["router", "per-model"]


class DeploymentError(RuntimeError):
    """A deployment did not go live; the message says why and what still serves traffic."""


class EndpointNotFound(DeploymentError):
    """The endpoint asked for is not deployed (a per-model low-volume one may rightly not be)."""


def model_endpoint_name(endpoint: str, role: str) -> str:
    """`gata-router` + `low_volume` → `gata-router-low-volume` (SageMaker allows no `_`)."""
    return f"{endpoint}-{role.replace('_', '-')}"


def layout_names(endpoint: str, layout: str) -> list[str]:
    """Every endpoint `layout` may run for the logical `endpoint`."""
    if layout == ROUTER:
        return [endpoint]
    return [model_endpoint_name(endpoint, role) for role in MODEL_ROLES]


def role_tag(models: Mapping[str, ServingModel]) -> str:
    """Short, stable id of a set of models: same models → same tag (and same tarball)."""
    joined = "|".join(f"{r}={models[r].uri}" for r in MODEL_ROLES if r in models)
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class EndpointUnit:
    """One endpoint as the platform sees it: the router (both models) or a single model."""

    name: str
    role: str
    """`router`, or the model role this endpoint serves alone."""
    models: Mapping[str, ServingModel]
    min_confidence: float = 0.0

    @property
    def is_router(self) -> bool:
        return self.role == ROUTER

    def tag(self) -> str:
        return role_tag(self.models)

    def versions(self) -> dict[str, str]:
        return {role: model.model_version for role, model in self.models.items()}


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
        return role_tag(self.models)

    def units(self, layout: str) -> list[EndpointUnit]:
        """The endpoints `layout` runs for this spec. Per model, a fallback model gets none:
        the caller answers its hand-offs with the fallback label, as the router would."""
        if layout == ROUTER:
            return [EndpointUnit(self.name, ROUTER, self.models, self.min_confidence)]
        return [
            EndpointUnit(
                model_endpoint_name(self.name, role), role, {role: model}, self.min_confidence
            )
            for role, model in ((r, self.models[r]) for r in MODEL_ROLES)
            if not model.fallback
        ]


class Deployer(dg.ConfigurableResource, ABC):
    """Deploy an endpoint (router or one per model), invoke it, list and stop endpoints."""

    # Endpoint names are `<name_prefix>-router`: one prefix per environment or account.
    name_prefix: str = "gata"
    # Below this confidence a ticket goes to the fallback (triage) label instead.
    min_confidence: float = 0.0
    # Cold starts (a serverless endpoint scaling from zero) count against this budget too.
    latency_budget_ms: float = 2000.0
    layout: Layout = "router"
    """`router`: one endpoint routes inside; `per-model`: `<name>-general` and
    `<name>-low-volume`, routed by the caller."""

    def endpoint_name(self, role: str = "router") -> str:
        return f"{self.name_prefix}-{role}"

    @abstractmethod
    def deploy(self, spec: EndpointSpec, store: ArtifactStore, log: Any) -> dict[str, Any]:
        """Make `spec` live in this deployer's layout, or raise DeploymentError leaving the
        previous endpoints serving. Endpoints of the other layout go once the new ones serve.

        Returns a JSON-able description: name, layout, url or ARN (per model under
        `endpoints`), model versions, config.
        """

    @abstractmethod
    def invoke_endpoint(self, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
        """POST {"instances": ...} to one endpoint; the decoded body. EndpointNotFound if
        there is no such endpoint."""

    @abstractmethod
    def endpoint_status(self, name: str | None) -> list[dict[str, Any]]:
        """One JSON-able row per endpoint (just `name`'s, when given and deployed)."""

    @abstractmethod
    def stop_endpoint(self, name: str) -> bool:
        """Take one endpoint down; False when there was nothing to stop."""

    def invoke(
        self, name: str, instances: list[dict[str, Any]], layout: str | None = None
    ) -> dict[str, Any]:
        """Route tickets through logical endpoint `name` (general → low-volume → fallback),
        in `layout` (default: this deployer's)."""
        if (layout or self.layout) == ROUTER:
            return self.invoke_endpoint(name, instances)
        general = model_endpoint_name(name, GENERAL.name)
        low_volume = model_endpoint_name(name, LOW_VOLUME.name)

        def ask_low_volume(batch: list[dict[str, Any]]) -> dict[str, Any] | None:
            try:
                return self.invoke_endpoint(low_volume, batch)
            except EndpointNotFound:
                return None  # a fallback low-volume model has no endpoint

        return route_across(
            instances, lambda batch: self.invoke_endpoint(general, batch), ask_low_volume
        )

    def status(self, name: str | None = None) -> list[dict[str, Any]]:
        """What is deployed: every endpoint, or those of logical endpoint `name`."""
        if name is None:
            return self.endpoint_status(None)
        names = dict.fromkeys([name, *layout_names(name, self.layout)])
        return [row for one in names for row in self.endpoint_status(one)]

    def stop(self, name: str) -> bool:
        """Take logical endpoint `name` down (each model's endpoint, per model)."""
        names = dict.fromkeys([name, *layout_names(name, self.layout)])
        return any([self.stop_endpoint(one) for one in names])
