"""Environment → typed settings, read in one explicit place.

`GataSettings.from_env` is a pure function of the mapping it is given: nothing is read at
import time, tests pass their own mapping, and every Dagster process (webserver, daemon, run
worker) that loads the definitions makes the same choice of resources.

The only switch between the two worlds is `GATA_MODE` (`local`, the default, or `aws`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Mode = Literal["local", "aws"]


@dataclass(frozen=True)
class GataSettings:
    mode: Mode = "local"
    home: Path = Path(".gata")
    # Kept as a flag, not the URL: the URL may hold a password, so resources read it through
    # dg.EnvVar and Dagster never shows or logs its value.
    ticket_db_url_from_env: bool = False
    artifact_bucket: str | None = None
    artifact_prefix: str = "gata"
    aws_region: str | None = None
    kms_key_id: str | None = None
    aws_endpoint_url: str | None = None
    ticket_db_secret_id: str | None = None
    # Every other GATA_* variable, lower-cased without the prefix: tuning knobs such as
    # GATA_MIN_GENERAL_EXAMPLES or GATA_COLUMN_SUBJECT, matched to resource fields on assembly.
    options: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GataSettings:
        env = os.environ if environ is None else environ
        mode = env.get("GATA_MODE", "local").strip().lower()
        if mode not in ("local", "aws"):
            raise ValueError(f"GATA_MODE must be 'local' or 'aws', got {mode!r}")
        bucket = env.get("GATA_ARTIFACT_BUCKET") or None
        if mode == "aws" and not bucket:
            raise ValueError("GATA_MODE=aws needs GATA_ARTIFACT_BUCKET (the artifact bucket)")
        return cls(
            mode=mode,  # type: ignore[arg-type]
            home=Path(env.get("GATA_HOME", ".gata")).expanduser().resolve(),
            ticket_db_url_from_env=bool(env.get("GATA_TICKET_DB_URL")),
            artifact_bucket=bucket,
            artifact_prefix=env.get("GATA_ARTIFACT_PREFIX", "gata"),
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            kms_key_id=env.get("GATA_KMS_KEY_ID") or None,
            aws_endpoint_url=env.get("GATA_AWS_ENDPOINT_URL") or None,
            ticket_db_secret_id=env.get("GATA_TICKET_DB_SECRET_ID") or None,
            options={
                key.removeprefix("GATA_").lower(): value
                for key, value in env.items()
                if key.startswith("GATA_") and value != ""
            },
        )

    def options_for(self, fields: Iterable[str], prefix: str = "") -> dict[str, str]:
        """The options naming one of `fields` (after `prefix`), e.g. column_subject → subject."""
        wanted = {f"{prefix}{name}": name for name in fields}
        return {wanted[key]: value for key, value in self.options.items() if key in wanted}

    @property
    def default_ticket_db_url(self) -> str:
        return f"sqlite:///{self.home / 'tickets.db'}"

    @property
    def artifact_root(self) -> Path:
        return self.home / "artifacts"
