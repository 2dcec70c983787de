"""Data-quality rules behind gata's asset checks, as plain functions.

Each returns the evidence (counts, offending ids) so the Dagster check only has to decide
pass/fail and attach it as metadata, and tests can exercise both outcomes without Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gata_assets.core.schema import EXTRACT_COLUMNS


def missing_columns(frame: pd.DataFrame, expected: tuple[str, ...] = EXTRACT_COLUMNS) -> list[str]:
    return [c for c in expected if c not in frame.columns]


def empty_text_count(frame: pd.DataFrame) -> int:
    return int((frame["text"].fillna("").str.strip().str.len() == 0).sum())


def _plain(ticket_id: object) -> int | str:
    """An id as JSON metadata shows it: int64 ids as ints, text ids as they are."""
    return ticket_id if isinstance(ticket_id, str) else int(ticket_id)  # type: ignore[call-overload]


def duplicate_ids(frame: pd.DataFrame) -> list[int | str]:
    ids = frame["ticket_id"]
    return sorted(_plain(i) for i in ids[ids.duplicated()].unique())


def overlapping_ids(train: pd.DataFrame, test: pd.DataFrame) -> list[int | str]:
    return sorted(_plain(i) for i in set(train["ticket_id"]) & set(test["ticket_id"]))


def categories_missing_from_train(train: pd.DataFrame, test: pd.DataFrame) -> list[str]:
    return sorted(str(c) for c in set(test["category"]) - set(train["category"]))


@dataclass(frozen=True)
class Sufficiency:
    """Whether the low-volume group can train a model, and why not."""

    sufficient: bool
    categories: int
    smallest_category: int
    reason: str


def low_volume_sufficiency(
    low_volume: pd.DataFrame, min_categories: int, min_per_category: int
) -> Sufficiency:
    counts = low_volume["label"].value_counts() if not low_volume.empty else pd.Series(dtype=int)
    n_categories = len(counts)
    smallest = int(counts.min()) if n_categories else 0
    if n_categories < min_categories:
        reason = f"{n_categories} low-volume categories, need at least {min_categories}"
    elif smallest < min_per_category:
        reason = f"smallest low-volume category has {smallest} tickets, need {min_per_category}"
    else:
        reason = "enough low-volume data to train a model"
    ok = n_categories >= min_categories and smallest >= min_per_category
    return Sufficiency(ok, n_categories, smallest, reason)
