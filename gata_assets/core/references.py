"""The references one stage hands the next, declared once and read by attribute.

Every asset stores its real artifact through the artifact store and returns one of these
small records: where the artifact is, exactly what it holds, which extraction it came from.
They are the contract between the stages, so each kind lives here with the fields its
readers use. On disk they are plain JSON (`to_json`); `from_json` ignores keys it does not
know and fills fields an older reference lacks, so references written by earlier gata
versions keep loading.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from gata_assets.core.model_groups import MODEL_GROUPS


@dataclass(frozen=True, kw_only=True)
class Reference:
    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        fields = {f.name: f for f in dataclasses.fields(cls)}
        missing = [
            name
            for name, f in fields.items()
            if name not in data
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        if missing:
            raise ValueError(f"{cls.__name__} JSON lacks {', '.join(missing)}: {dict(data)}")
        return cls(**{k: v for k, v in data.items() if k in fields})


@dataclass(frozen=True, kw_only=True)
class StoredRef(Reference):
    """An artifact in the artifact store: its URI, size and content hash.

    Every stage writes all three; only `uri` is required to load, because references put in
    place by hand (a model copied in for deployment, a test's fixture) often carry no more.
    """

    uri: str
    size_bytes: int = 0
    sha256: str = ""


@dataclass(frozen=True, kw_only=True)
class ExtractRef(StoredRef):
    """`ticket_extract`: the snapshot Parquet; the next extraction reads its watermark."""

    batch_id: str
    rows: int = 0
    new_rows: int = 0
    quarantined: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    quarantine_uri: str = ""
    category_counts: dict[str, int] = field(default_factory=dict)
    previous_category_counts: dict[str, int] | None = None
    created_min: str = ""
    created_max: str = ""
    watermark: dict[str, Any] | None = None
    redact_pii: bool = False
    """Every text in the snapshot and the quarantine is masked (core/pii.py)."""
    pii_masked: dict[str, int] = field(default_factory=dict)
    """What this extraction masked, per kind (new rows and quarantine)."""


@dataclass(frozen=True, kw_only=True)
class GroupRef(StoredRef):
    """`<group>_group`: one model group's tickets, before the train/test split."""

    batch_id: str
    group: str
    data_sha256: str = ""
    """The extract's sha256: the data this group was cut from."""
    rows: int = 0
    category_counts: dict[str, int] = field(default_factory=dict)
    low_volume_categories: list[str] = field(default_factory=list)
    min_general_examples: int = 0
    redact_pii: bool = False
    """Cut from a masked extract: serving must mask requests the same way."""


@dataclass(frozen=True, kw_only=True)
class SplitRef(StoredRef):
    """`<group>_train_set` / `<group>_test_set`: one side of a group's stable split."""

    batch_id: str
    group: str = ""
    data_sha256: str = ""
    """The extract's sha256, carried from the group (the split's own bytes are `sha256`)."""
    side: str = ""
    rows: int | None = None
    category_counts: dict[str, int] = field(default_factory=dict)
    train_only_categories: list[str] = field(default_factory=list)
    test_fraction: float | None = None
    split_seed: int | None = None
    redact_pii: bool = False
    """Carried from the group: the model trained on it must mask requests the same way."""
    train_cap: int | None = None
    """Train side: the cap in force (core/train_cap.py); None on the test side."""
    capped_out: dict[str, int] = field(default_factory=dict)
    """Train side: tickets the cap left out, per category (the oldest of each)."""


@dataclass(frozen=True, kw_only=True)
class ModelRef(StoredRef):
    """`<group>_model`: the stored model directory and what it was trained and scored on."""

    model_version: str
    group: str = ""
    batch_id: str = ""
    fallback: bool = False
    fallback_label: str = ""
    fallback_reason: str | None = None
    base_model: str = ""
    data_sha256: str = ""
    train_sha256: str | None = None
    """None in references older than the stale-split check: trusted as current."""
    test_sha256: str | None = None
    train_rows: int | None = None
    test_rows: int | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    trainer: str = ""
    job_name: str = ""

    @property
    def macro_f1(self) -> float | None:
        value = self.metrics.get("macro_f1")
        return None if value is None else float(value)


@dataclass(frozen=True, kw_only=True)
class ServingModel:
    """What serving one role needs of a model: its files and version (and where it came from)."""

    uri: str
    model_version: str = ""
    source: str = ""
    # Lineage, carried onto the endpoint and prediction references that use the model.
    batch_id: str = ""
    data_sha256: str = ""
    fallback: bool = False

    @classmethod
    def of(cls, model: ServingModel | ModelRef | Mapping[str, Any], source: str = "") -> Self:
        if isinstance(model, ServingModel):
            return model
        if isinstance(model, ModelRef):
            return cls(
                uri=model.uri,
                model_version=model.model_version,
                source=source,
                batch_id=model.batch_id,
                data_sha256=model.data_sha256,
                fallback=model.fallback,
            )
        return cls(
            uri=str(model["uri"]),
            model_version=str(model.get("model_version", "")),
            source=str(model.get("source", source)),
            batch_id=str(model.get("batch_id", "")),
            data_sha256=str(model.get("data_sha256", "")),
            fallback=bool(model.get("fallback", False)),
        )


@dataclass(frozen=True, kw_only=True)
class EndpointRef(Reference):
    """`routing_endpoint` / `prod_endpoint`: which versions an endpoint serves, and where.

    `deployment` is the deployer's own description (url or ARN, pids, config names); on disk
    it sits flat beside the other keys, as it always has.
    """

    endpoint: str = ""
    model_versions: dict[str, str] = field(default_factory=dict)
    batch_id: str = ""
    data_sha256: str = ""
    """The general model's training data hash (as `batch_id` is its extraction's)."""
    model_uris: dict[str, str] = field(default_factory=dict)
    low_volume_fallback: bool = False
    min_confidence: float = 0.0
    layout: str = "router"
    """`router` (one endpoint) or `per-model` (one per model, routed by the caller)."""
    model_endpoints: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per model role its own endpoint's `name` and `arn` or `url` (the per-model layout;
    a fallback low-volume model has none)."""
    deployment: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str | None:
        return self.deployment.get("url")

    @property
    def arn(self) -> str | None:
        return self.deployment.get("arn")

    def to_json(self) -> dict[str, Any]:
        own = {k: v for k, v in dataclasses.asdict(self).items() if k != "deployment"}
        return {**self.deployment, **own}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        own = {f.name for f in dataclasses.fields(cls)} - {"deployment"}
        rest = {k: v for k, v in data.items() if k not in own}
        return super().from_json({**data, "deployment": data.get("deployment", rest)})


@dataclass(frozen=True, kw_only=True)
class PredictionsRef(StoredRef):
    """`batch_predictions` (one per day): the day's routed tickets and the models used."""

    day: str
    batch_id: str = ""
    """The extraction the general model used was trained from (its lineage)."""
    data_sha256: str = ""
    rows: int = 0
    model_versions: dict[str, str] = field(default_factory=dict)
    model_sources: dict[str, str] = field(default_factory=dict)
    category_counts: dict[str, int] = field(default_factory=dict)
    route_counts: dict[str, int] = field(default_factory=dict)
    fallback_rate: float = 0.0


REFERENCE_KINDS: dict[str, type[Reference]] = {
    "ticket_extract": ExtractRef,
    **{group.group_asset: GroupRef for group in MODEL_GROUPS},
    **{group.train_asset: SplitRef for group in MODEL_GROUPS},
    **{group.test_asset: SplitRef for group in MODEL_GROUPS},
    **{group.model_asset: ModelRef for group in MODEL_GROUPS},
    "routing_endpoint": EndpointRef,
    "prod_endpoint": EndpointRef,
    "batch_predictions": PredictionsRef,
}


def load_reference(asset_name: str, data: Mapping[str, Any]) -> Reference | dict[str, Any]:
    """The typed reference of a gata asset; an asset gata does not know keeps its plain dict."""
    kind = REFERENCE_KINDS.get(asset_name)
    return kind.from_json(data) if kind is not None else dict(data)


def dump_reference(obj: Reference | Mapping[str, Any]) -> dict[str, Any]:
    return obj.to_json() if isinstance(obj, Reference) else dict(obj)
