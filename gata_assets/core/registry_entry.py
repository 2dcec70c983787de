"""What the model registry holds about one model version, whichever registry holds it.

Separate from the SQL store so the Dagster layer can name these types without importing
SQLAlchemy (loading the definitions stays light). Status names are SageMaker's, so the local
and AWS registries read the same and the CLI shows the same words for both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gata_assets.core.errors import GataInputError

PENDING, APPROVED, REJECTED = "PendingManualApproval", "Approved", "Rejected"
STATUSES = (PENDING, APPROVED, REJECTED)


def unknown_version(version: str) -> GataInputError:
    """The one sentence every registry (and `gata models`) gives for a version it lacks."""
    return GataInputError(f"no model version {version!r} in the registry (`gata models list`)")


@dataclass(frozen=True)
class ModelVersion:
    """One registered model version and the lineage needed to trust or redeploy it."""

    version: str
    group: str
    status: str
    metrics: dict[str, Any]
    data_sha256: str
    code_version: str
    base_model: str
    artifact_uri: str
    batch_id: str
    registered_at: str = ""
    decided_at: str | None = None
    note: str = ""
    # The champion/challenger verdict the version got when it was trained.
    gate: dict[str, Any] = field(default_factory=dict)
    # Every blocking check's verdict: {check: {"passed": bool, "reason": str, "checked_at"}}.
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def servable(self) -> bool:
        """Every blocking check on this version passed (`core/verdicts.py`)."""
        from gata_assets.core.verdicts import is_servable

        return is_servable(self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "servable": self.servable}

    @property
    def macro_f1(self) -> float | None:
        value = self.metrics.get("macro_f1")
        return float(value) if value is not None else None
