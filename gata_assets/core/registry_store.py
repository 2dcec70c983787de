"""The model registry's table and rules, in plain SQLAlchemy (SQLite or PostgreSQL).

Kept out of the Dagster resource so the CLI, the sensors and the tests share one set of
rules: a version is registered once (re-registering is a no-op, so a retried run never
duplicates it), starts as PendingManualApproval, and only a person moves it to Approved or
Rejected. Status names are SageMaker's, so both registries read the same.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from gata_assets.core.errors import GataInputError
from gata_assets.core.registry_entry import PENDING, STATUSES, ModelVersion, unknown_version
from gata_assets.core.verdicts import GATE_CHECK

metadata = sa.MetaData()
model_registry = sa.Table(
    "model_registry",
    metadata,
    sa.Column("version", sa.String(200), primary_key=True),
    sa.Column("model_group", sa.String(100), nullable=False, index=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("metrics", sa.Text, nullable=False),
    sa.Column("data_sha256", sa.String(64), nullable=False),
    sa.Column("code_version", sa.String(200), nullable=False),
    sa.Column("base_model", sa.String(500), nullable=False),
    sa.Column("artifact_uri", sa.Text, nullable=False),
    sa.Column("batch_id", sa.String(100), nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("note", sa.Text, nullable=False, default=""),
    # The champion/challenger verdict this version got when it was trained (JSON).
    sa.Column("gate", sa.Text, nullable=False, default="{}"),
)
# One row per (version, blocking check): its own table, so databases made before it gain it
# through create_all, and a check may report before or after the version is registered.
model_checks = sa.Table(
    "model_checks",
    metadata,
    sa.Column("version", sa.String(200), primary_key=True),
    sa.Column("check_name", sa.String(100), primary_key=True),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    # SQLite hands naive datetimes back; every stamp gata writes is UTC.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _row(row: sa.Row, checks: dict[str, dict] | None = None) -> ModelVersion:
    return ModelVersion(
        version=row.version,
        group=row.model_group,
        status=row.status,
        metrics=json.loads(row.metrics),
        data_sha256=row.data_sha256,
        code_version=row.code_version,
        base_model=row.base_model,
        artifact_uri=row.artifact_uri,
        batch_id=row.batch_id,
        registered_at=_iso(row.registered_at) or "",
        decided_at=_iso(row.decided_at),
        note=row.note or "",
        gate=json.loads(row.gate or "{}"),
        checks=checks or {},
    )


def _verdict(row: sa.Row) -> dict:
    return {
        "passed": bool(row.passed),
        "reason": row.reason or "",
        "checked_at": _iso(row.checked_at),
    }


class RegistryStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        metadata.create_all(engine, checkfirst=True)

    @classmethod
    def from_url(cls, url: str) -> RegistryStore:
        return cls(sa.create_engine(url, pool_pre_ping=True))

    def register(self, entry: ModelVersion) -> ModelVersion:
        existing = self.get(entry.version)
        if existing is not None:
            if existing.group != entry.group:
                raise GataInputError(
                    f"model version {entry.version!r} is already registered for group "
                    f"{existing.group!r}, not {entry.group!r}"
                )
            return existing
        values = {
            "version": entry.version,
            "model_group": entry.group,
            "status": PENDING,
            "metrics": json.dumps(entry.metrics, sort_keys=True, default=str),
            "data_sha256": entry.data_sha256,
            "code_version": entry.code_version,
            "base_model": entry.base_model,
            "artifact_uri": entry.artifact_uri,
            "batch_id": entry.batch_id,
            "registered_at": datetime.now(UTC),
            "note": entry.note,
            "gate": json.dumps(entry.gate, sort_keys=True, default=str),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(model_registry.insert().values(**values))
        except sa.exc.IntegrityError:
            pass  # a concurrent run registered it first: same version, same content
        return self.require(entry.version)

    def get(self, version: str) -> ModelVersion | None:
        query = sa.select(model_registry).where(model_registry.c.version == version)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            return _row(row, self._checks(conn, [version]).get(version)) if row else None

    def _checks(self, conn: sa.Connection, versions: list[str]) -> dict[str, dict[str, dict]]:
        query = sa.select(model_checks).where(model_checks.c.version.in_(versions))
        found: dict[str, dict[str, dict]] = {}
        for row in conn.execute(query):
            found.setdefault(row.version, {})[row.check_name] = _verdict(row)
        return found

    def record_check(
        self, version: str, check: str, passed: bool, reason: str, details: dict | None = None
    ) -> None:
        """Keep the newest verdict of `check` on `version` (a re-run check replaces it)."""
        key = (model_checks.c.version == version) & (model_checks.c.check_name == check)
        values = {"passed": bool(passed), "reason": reason, "checked_at": datetime.now(UTC)}
        with self.engine.begin() as conn:
            conn.execute(model_checks.delete().where(key))
            conn.execute(model_checks.insert().values(version=version, check_name=check, **values))
            if check == GATE_CHECK and details is not None:
                gate = json.dumps(details, sort_keys=True, default=str)
                where = model_registry.c.version == version
                conn.execute(model_registry.update().where(where).values(gate=gate))

    def require(self, version: str) -> ModelVersion:
        found = self.get(version)
        if found is None:
            raise unknown_version(version)
        return found

    def list(self, group: str | None = None, status: str | None = None) -> list[ModelVersion]:
        query = sa.select(model_registry)
        if group:
            query = query.where(model_registry.c.model_group == group)
        if status:
            query = query.where(model_registry.c.status == status)
        query = query.order_by(model_registry.c.registered_at.desc(), model_registry.c.version)
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
            checks = self._checks(conn, [r.version for r in rows]) if rows else {}
        return [_row(r, checks.get(r.version)) for r in rows]

    def set_status(self, version: str, status: str, note: str = "") -> ModelVersion:
        if status not in STATUSES:
            raise GataInputError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        self.require(version)
        update = (
            model_registry.update()
            .where(model_registry.c.version == version)
            .values(status=status, decided_at=datetime.now(UTC), note=note)
        )
        with self.engine.begin() as conn:
            conn.execute(update)
        return self.require(version)
