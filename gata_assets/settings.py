"""Environment → typed settings, read in one explicit place.

`GataSettings.from_env` is a pure function of the mapping it is given: nothing is read at
import time, tests pass their own mapping, and every Dagster process (webserver, daemon, run
worker) that loads the definitions makes the same choice of resources. Every GATA_* variable
goes through its row in `gata_assets/options.py`: unknown names and bad values fail here,
when the definitions load or `gata` starts, not silently later.

The only switch between the two worlds is `GATA_MODE` (`local`, the default, or `aws`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gata_assets.options import OPTIONS, SettingsError, option, secret

Mode = Literal["local", "aws"]


@dataclass(frozen=True)
class GataSettings:
    mode: Mode = "local"
    home: Path = Path(".gata")
    # Kept as a flag, not the URL: the URL may hold a password, so resources read it through
    # dg.EnvVar and Dagster never shows or logs its value.
    ticket_db_url_from_env: bool = False
    registry_db_url_from_env: bool = False
    artifact_bucket: str | None = None
    artifact_prefix: str = "gata"
    aws_region: str | None = None
    kms_key_id: str | None = None
    aws_endpoint_url: str | None = None
    ticket_db_secret_id: str | None = None
    # The GATA_* variables set (secrets excepted), lower-cased without the prefix, as given:
    # the schedule and sensor switches read these.
    options: Mapping[str, str] = field(default_factory=dict)
    # Parsed values by consumer, e.g. {"training": {"epochs": 3}} (see options.py).
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GataSettings:
        env = os.environ if environ is None else environ
        given = {
            k: v
            for k, v in env.items()
            if k.startswith("GATA_") and (v != "" or (k in OPTIONS and OPTIONS[k].blank))
        }
        values: dict[str, dict[str, Any]] = {}
        for name in sorted(given):
            row = option(name)  # an unknown name fails here, with the closest known one
            value = name if row.type is secret else row.parse(given[name])
            for consumer, target in row.targets:
                values.setdefault(consumer, {})[target] = value
        core = values.get("settings", {})
        mode = str(core.get("mode", "local")).lower()
        if mode not in ("local", "aws"):
            raise SettingsError(f"GATA_MODE must be 'local' or 'aws', got {mode!r}")
        bucket = core.get("artifact_bucket")
        if mode == "aws" and not bucket:
            raise SettingsError("GATA_MODE=aws needs GATA_ARTIFACT_BUCKET (the artifact bucket)")
        _one_threshold_source(given)
        return cls(
            mode=mode,  # type: ignore[arg-type]
            home=Path(core.get("home", ".gata")).expanduser().resolve(),
            ticket_db_url_from_env="ticket_db_url" in core,
            registry_db_url_from_env="registry_db_url" in core,
            artifact_bucket=bucket,
            artifact_prefix=core.get("artifact_prefix", "gata"),
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            kms_key_id=core.get("kms_key_id"),
            aws_endpoint_url=values.get("aws", {}).get("endpoint_url"),
            ticket_db_secret_id=core.get("ticket_db_secret_id"),
            options={
                key.removeprefix("GATA_").lower(): value
                for key, value in given.items()
                if OPTIONS[key].type is not secret
            },
            values=values,
        )

    def fields(self, *consumers: str) -> dict[str, Any]:
        """The options set for these consumers' fields, merged; one field set twice fails."""
        merged: dict[str, Any] = {}
        for consumer in consumers:
            for name, value in self.values.get(consumer, {}).items():
                if name in merged:
                    both = [
                        row.name
                        for row in OPTIONS.values()
                        if any(c in consumers and f == name for c, f in row.targets)
                    ]
                    raise SettingsError(f"{' and '.join(both)} both set {name}: set one")
                merged[name] = value
        return merged

    def aws(self) -> dict[str, Any]:
        """How every AWS client is made: region, endpoint URL, retry mode."""
        return {"region_name": self.aws_region, **self.fields("aws")}

    @property
    def default_ticket_db_url(self) -> str:
        return f"sqlite:///{self.home / 'tickets.db'}"

    @property
    def artifact_root(self) -> Path:
        return self.home / "artifacts"


def _one_threshold_source(given: Mapping[str, str]) -> None:
    """A target precision has each model choose its threshold: a fixed one beside it would be
    silently overruled, so the pair is refused where the definitions load."""
    if "GATA_ROUTING_TARGET_PRECISION" not in given:
        return
    fixed = [
        name
        for name in ("GATA_ENDPOINT_MIN_CONFIDENCE", "GATA_SAGEMAKER_MIN_CONFIDENCE")
        if float(given.get(name) or 0) > 0
    ]
    if fixed:
        raise SettingsError(
            f"GATA_ROUTING_TARGET_PRECISION chooses each model's confidence threshold; "
            f"unset {' and '.join(fixed)} (a fixed threshold)"
        )
