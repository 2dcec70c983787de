"""Model registry: every trained version, its lineage, and a person's approval decision.

Three implementations behind one interface: a `model_registry` table in the gata database
(SQLite under GATA_HOME by default, PostgreSQL by URL), a SageMaker Model Package Group
(`sagemaker_registry.py`) and an MLflow model registry (`mlflow_registry.py`), chosen by
GATA_REGISTRY. Each blocking check records its verdict here; a version is servable only
when all passed (`core/verdicts.py`). Preprod follows every servable version; prod follows
only servable versions a person approved, so the approval lives here too.
"""

from abc import ABC, abstractmethod
from functools import cached_property
from typing import TYPE_CHECKING, Any

import dagster as dg

from gata_assets.core.registry_entry import APPROVED, REJECTED, ModelVersion

if TYPE_CHECKING:
    from gata_assets.core.registry_store import RegistryStore


class ModelRegistry(dg.ConfigurableResource, ABC):
    """Register versions (PendingManualApproval), approve or reject them, read them back."""

    @abstractmethod
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
        """Idempotent: registering a known version returns it unchanged."""

    @abstractmethod
    def get(self, version: str) -> ModelVersion | None: ...

    @abstractmethod
    def list(self, group: str | None = None, status: str | None = None) -> list[ModelVersion]:
        """Newest first."""

    @abstractmethod
    def set_status(self, version: str, status: str, note: str = "") -> ModelVersion: ...

    @abstractmethod
    def record_check(
        self, version: str, check: str, passed: bool, reason: str, details: dict | None = None
    ) -> None:
        """Record a blocking check's verdict on a registered version (the newest wins).
        `details` of the champion/challenger check become the version's `gate` record."""

    def servable(self, group: str, approved: bool = False) -> "list[ModelVersion]":
        """Versions of `group` whose every blocking check passed (approved ones only when
        asked), newest first: the only versions gata serves or compares against."""
        status = APPROVED if approved else None
        return [entry for entry in self.list(group=group, status=status) if entry.servable]

    def latest_servable(
        self, group: str, approved: bool = False, exclude: str = ""
    ) -> ModelVersion | None:
        return next((e for e in self.servable(group, approved) if e.version != exclude), None)

    def approve(self, version: str, note: str = "") -> ModelVersion:
        return self.set_status(version, APPROVED, note)

    def reject(self, version: str, note: str = "") -> ModelVersion:
        return self.set_status(version, REJECTED, note)

    def latest_approved(self, group: str) -> ModelVersion | None:
        """The newest approved version of a group: what prod serves."""
        approved = self.list(group=group, status=APPROVED)
        return approved[0] if approved else None


class SqlModelRegistry(ModelRegistry):
    """The `model_registry` table in the gata database, through SQLAlchemy."""

    # Given through dg.EnvVar("GATA_REGISTRY_DB_URL") when it holds a password.
    url: str

    @cached_property
    def _store(self) -> "RegistryStore":
        from gata_assets.core.registry_store import RegistryStore

        return RegistryStore.from_url(self.url)

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
        entry = ModelVersion(
            version=version,
            group=group,
            status="",
            metrics=dict(metrics),
            data_sha256=data_sha256,
            code_version=code_version,
            base_model=base_model,
            artifact_uri=artifact_uri,
            batch_id=batch_id,
            gate=dict(gate or {}),
        )
        return self._store.register(entry)

    def get(self, version: str) -> ModelVersion | None:
        return self._store.get(version)

    def list(self, group: str | None = None, status: str | None = None) -> list[ModelVersion]:
        return self._store.list(group=group, status=status)

    def set_status(self, version: str, status: str, note: str = "") -> ModelVersion:
        return self._store.set_status(version, status, note)

    def record_check(
        self, version: str, check: str, passed: bool, reason: str, details: dict | None = None
    ) -> None:
        self._store.record_check(version, check, passed, reason, details)
