"""Row validation for extracted tickets: bad rows are quarantined with a reason, never dropped.

A ticket is routable only if it has some text, a label the category table knows, and an id
not already seen in this extraction. Everything else goes to the quarantine artifact, counted
per reason, so the loss is visible in the UI and recoverable from the artifact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from gata_assets.core.schema import EXTRACT_COLUMNS, compose_text

EMPTY_TEXT = "empty_text"
UNKNOWN_LABEL = "unknown_label"
DUPLICATE_ID = "duplicate_id"
BAD_TIMESTAMP = "bad_timestamp"


@dataclass
class SeenIds:
    """Ticket ids already accepted in this extraction, across chunks."""

    ids: set[int] = field(default_factory=set)


def validate_chunk(
    raw: pd.DataFrame, categories: Mapping[int, str], seen: SeenIds
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split one chunk of raw ticket rows into (valid canonical rows, quarantined rows).

    `raw` has the canonical ticket columns (ticket_id, created_at, updated_at, subject, body,
    label). Quarantined rows keep every raw column plus `reason`.
    """
    frame = raw.copy()
    frame["subject"] = frame["subject"].astype("string").fillna("")
    frame["body"] = frame["body"].astype("string").fillna("")
    frame["text"] = [
        compose_text(s, b) for s, b in zip(frame["subject"], frame["body"], strict=True)
    ]
    for column in ("created_at", "updated_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, errors="coerce")
    labels = pd.to_numeric(frame["label"], errors="coerce")

    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    reason = reason.mask(frame["text"].str.len() == 0, EMPTY_TEXT)
    known = labels.isin(list(categories))
    reason = reason.mask(reason.isna() & ~known, UNKNOWN_LABEL)
    bad_time = frame["created_at"].isna() | frame["updated_at"].isna()
    reason = reason.mask(reason.isna() & bad_time, BAD_TIMESTAMP)
    ids = pd.to_numeric(frame["ticket_id"], errors="coerce")
    duplicate = ids.duplicated(keep="first") | ids.isin(seen.ids) | ids.isna()
    reason = reason.mask(reason.isna() & duplicate, DUPLICATE_ID)

    ok = reason.isna()
    valid = frame.loc[ok].copy()
    valid["ticket_id"] = ids[ok].astype("int64")
    valid["label"] = labels[ok].astype("int64")
    valid["category"] = valid["label"].map(categories).astype("string")
    seen.ids.update(valid["ticket_id"].tolist())

    quarantined = raw.loc[~ok].copy()
    quarantined["reason"] = reason[~ok]
    return valid.loc[:, list(EXTRACT_COLUMNS)].reset_index(drop=True), quarantined.reset_index(
        drop=True
    )


def count_reasons(quarantined: Iterable[pd.DataFrame]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for frame in quarantined:
        for reason, n in frame["reason"].value_counts().items():
            counts[str(reason)] = counts.get(str(reason), 0) + int(n)
    return counts
