"""The model registry in MLflow: the SQL registry's rules, kept as MLflow model versions.

One registered model per gata group (`<experiment>-general`, `-low_volume`): prod serves one
version per group and an MLflow alias names one version of one registered model, so the
approval alias (`prod`) means "what prod serves" per group. No stages (deprecated in MLflow).
A gata version is one MLflow version whose tags hold its lineage, status and check verdicts
(core/registry_tags.py); its source is the training run's `model` artifact when tracked.

The status tag is the record; on every gata decision the alias moves to the newest Approved
version. Moving the alias by hand in the MLflow UI approves the version it names (read as
Approved at once, written down at gata's next decision), as a SageMaker console approval is.
MLflow numbers versions itself, with no unique key for gata's id, so two checks registering
one version at once may both create it: the lowest number wins and the loser deletes its own.
"""

from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from gata_assets.core import registry_tags as tags
from gata_assets.core.errors import GataInputError
from gata_assets.core.registry_entry import APPROVED, STATUSES, ModelVersion, unknown_version
from gata_assets.core.verdicts import GATE_CHECK
from gata_assets.resources.mlflow_client import (
    ensure_registered_model,
    every_page,
    training_run,
)
from gata_assets.resources.registry import ModelRegistry


def _now() -> str:
    return datetime.now(UTC).isoformat()


class MlflowModelRegistry(ModelRegistry):
    # Given through dg.EnvVar("GATA_MLFLOW_TRACKING_URI"): a database URL holds a password.
    tracking_uri: str
    experiment: str = "gata"  # registered models are `<experiment>-<group>`; runs are in it
    approved_alias: str = "prod"

    @cached_property
    def _client(self) -> Any:
        from gata_assets.resources.mlflow_client import mlflow_client

        return mlflow_client(self.tracking_uri)

    def model_name(self, group: str) -> str:
        return f"{self.experiment}-{group}"

    @property
    def _ours(self) -> str:
        return f"name LIKE '{self.experiment}-%'"

    def _versions(self, filter_string: str) -> dict[str, Any]:
        """gata version -> its MLflow version (the lowest number, when a race made two)."""
        chosen: dict[str, Any] = {}
        for mv in every_page(self._client.search_model_versions, filter_string):
            ours = mv.tags.get(tags.VERSION)
            if not ours or mv.name != self.model_name(mv.tags.get(tags.GROUP, "")):
                continue  # not a version gata registered
            if ours not in chosen or int(mv.version) < int(chosen[ours].version):
                chosen[ours] = mv
        return chosen

    def _find(self, version: str) -> Any | None:
        if "'" in version or "`" in version:  # never registered: register() refuses them
            return None
        return self._versions(f"tags.`{tags.VERSION}` = '{version}'").get(version)

    def _holders(self, name: str | None = None) -> dict[str, str]:
        """Registered model name -> the MLflow version number the approval alias names."""
        search = self._client.search_registered_models
        models = (
            [self._client.get_registered_model(name)] if name else every_page(search, self._ours)
        )
        alias = self.approved_alias
        return {m.name: str(m.aliases[alias]) for m in models if alias in m.aliases}

    def _entry(self, mv: Any, holders: dict[str, str]) -> ModelVersion:
        return tags.entry_from_tags(mv.tags, holders.get(mv.name) == str(mv.version))

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
        if "'" in version or "`" in version:
            raise GataInputError(f"model version ids cannot contain quotes: {version!r}")
        existing = self.get(version)
        if existing is not None:
            if existing.group != group:
                raise GataInputError(
                    f"model version {version!r} is already registered for group "
                    f"{existing.group!r}, not {group!r}"
                )
            return existing
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
            registered_at=_now(),
            gate=dict(gate or {}),
        )
        name = ensure_registered_model(self._client, self.model_name(group), group)
        run_id = training_run(self._client, self.experiment, version)
        created = self._client.create_model_version(
            name,
            source=f"runs:/{run_id}/model" if run_id else artifact_uri,
            run_id=run_id,
            tags=tags.version_tags(entry),
        )
        winner = self._find(version)
        if winner is not None and str(winner.version) != str(created.version):
            self._client.delete_model_version(name, created.version)  # lost a race
        return self._require(version)

    def get(self, version: str) -> ModelVersion | None:
        mv = self._find(version)
        return self._entry(mv, self._holders(mv.name)) if mv is not None else None

    def _require(self, version: str) -> ModelVersion:
        found = self.get(version)
        if found is None:
            raise unknown_version(version)
        return found

    def list(self, group: str | None = None, status: str | None = None) -> list[ModelVersion]:
        holders = self._holders()
        found = self._versions(f"name = '{self.model_name(group)}'" if group else self._ours)
        entries = [self._entry(mv, holders) for mv in found.values()]
        entries.sort(key=lambda e: e.version)
        entries.sort(key=lambda e: e.registered_at, reverse=True)  # newest first, as SQL does
        return [e for e in entries if status is None or e.status == status]

    def set_status(self, version: str, status: str, note: str = "") -> ModelVersion:
        if status not in STATUSES:
            raise GataInputError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        mv = self._find(version)
        if mv is None:
            raise unknown_version(version)
        self._keep_alias_approval(mv.name, except_version=str(mv.version))
        for key, value in tags.decision_tags(status, note, _now()).items():
            self._client.set_model_version_tag(mv.name, mv.version, key, value)
        self._move_alias(mv.name)
        return self._require(version)

    def _keep_alias_approval(self, name: str, except_version: str) -> None:
        """The alias was moved by hand onto a version not yet Approved: record that approval
        before gata moves the alias, so the person's decision is not lost."""
        holder = self._holders(name).get(name)
        if holder is None or holder == except_version:
            return
        held = self._client.get_model_version(name, holder)
        if held.tags.get(tags.STATUS) != APPROVED and tags.VERSION in held.tags:
            decision = tags.decision_tags(
                APPROVED, f"alias {self.approved_alias} set in MLflow", _now()
            )
            for key, value in decision.items():
                self._client.set_model_version_tag(name, holder, key, value)

    def _move_alias(self, name: str) -> None:
        """The approval alias onto the newest Approved version of this registered model."""
        found = self._versions(f"name = '{name}'").values()
        approved = [mv for mv in found if mv.tags.get(tags.STATUS) == APPROVED]
        approved.sort(key=lambda mv: mv.tags.get(tags.REGISTERED_AT, ""), reverse=True)
        if approved:
            self._client.set_registered_model_alias(name, self.approved_alias, approved[0].version)
        else:
            self._client.delete_registered_model_alias(name, self.approved_alias)

    def record_check(
        self, version: str, check: str, passed: bool, reason: str, details: dict | None = None
    ) -> None:
        mv = self._find(version)
        if mv is None:
            raise unknown_version(version)
        recorded = [tags.verdict_tag(check, passed, reason, _now())]
        if check == GATE_CHECK and details is not None:
            recorded.append(tags.gate_tag(details))
        for key, value in recorded:
            self._client.set_model_version_tag(mv.name, mv.version, key, value)
