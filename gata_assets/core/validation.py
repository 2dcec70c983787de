"""Row validation for extracted tickets: bad rows are quarantined with a reason, never dropped.

A ticket is routable only if it has some text, a label the category table knows, and an id
not already seen in this extraction. Everything else goes to the quarantine artifact, counted
per reason, so the loss is visible in the UI and recoverable from the artifact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gata_assets.core.schema import EXTRACT_COLUMNS
from gata_assets.core.ticket_rows import RowSpec

EMPTY_TEXT = "empty_text"
UNKNOWN_LABEL = "unknown_label"
DUPLICATE_ID = "duplicate_id"
BAD_TIMESTAMP = "bad_timestamp"


@dataclass
class SeenIds:
    """Ticket ids accepted so far in this extraction, kept sorted for binary search.

    A hash-based `isin` would rehash every id seen so far for each chunk: quadratic over a
    million-ticket extract. Sorted merges and `searchsorted` keep each chunk O(n log n).
    Text ids go to a set instead, which grows in place (linear overall too).
    """

    ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    texts: set[str] = field(default_factory=set)

    def contains(self, ids: pd.Series) -> np.ndarray:
        if not _is_integer(ids):
            return np.array([i in self.texts for i in ids.fillna("")], dtype=bool)
        values = ids.fillna(-1).to_numpy(dtype=np.int64)
        if not len(self.ids):
            return np.zeros(len(values), dtype=bool)
        positions = np.minimum(np.searchsorted(self.ids, values), len(self.ids) - 1)
        return self.ids[positions] == values

    def add(self, ids: pd.Series) -> None:
        if not _is_integer(ids):
            self.texts.update(ids.astype(str))
            return
        merged = np.concatenate([self.ids, np.sort(ids.to_numpy(dtype=np.int64))])
        self.ids = np.sort(merged, kind="stable")  # two sorted runs: a linear merge


def _is_integer(ids: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(ids.dtype)


def compose_texts(subject: pd.Series, body: pd.Series) -> pd.Series:
    """Vectorised `compose_text`: Arrow kernels, since this runs on every extracted ticket."""
    subject_arr = pc.utf8_trim_whitespace(pa.array(subject.fillna(""), type=pa.string()))
    body_arr = pc.utf8_trim_whitespace(pa.array(body.fillna(""), type=pa.string()))
    joined = pc.binary_join_element_wise(subject_arr, body_arr, "\n")
    text = pc.if_else(
        pc.equal(subject_arr, ""), body_arr, pc.if_else(pc.equal(body_arr, ""), subject_arr, joined)
    )
    return pd.Series(text.to_pandas(), index=subject.index, dtype="str")


def validate_chunk(
    raw: pd.DataFrame, spec: RowSpec | Mapping[int, str], seen: SeenIds
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split one chunk of raw ticket rows into (valid canonical rows, quarantined rows).

    `raw` has the canonical ticket columns (ticket_id, created_at, updated_at, subject, body,
    label). Quarantined rows keep every raw column plus `reason`. `spec` says what ids and
    labels look like (a {queue id: name} mapping for gata's own schema).
    """
    spec = RowSpec.of(spec)
    frame = raw.copy()
    frame["subject"] = frame["subject"].astype("str").fillna("")
    frame["body"] = frame["body"].astype("str").fillna("")
    frame["text"] = compose_texts(raw["subject"].astype("str"), raw["body"].astype("str"))
    for column in ("created_at", "updated_at"):
        frame[column] = _timestamps(frame[column])
    labels, names = spec.labels(frame["label"])

    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    reason = reason.mask(frame["text"].str.len() == 0, EMPTY_TEXT)
    known = labels.notna()
    reason = reason.mask(reason.isna() & ~known, UNKNOWN_LABEL)
    bad_time = frame["created_at"].isna() | frame["updated_at"].isna()
    reason = reason.mask(reason.isna() & bad_time, BAD_TIMESTAMP)
    ids = spec.ticket_ids(frame["ticket_id"])
    duplicate = ids.duplicated(keep="first") | seen.contains(ids) | ids.isna()
    reason = reason.mask(reason.isna() & duplicate, DUPLICATE_ID)

    ok = reason.isna().to_numpy()
    valid = frame.loc[ok].copy()
    valid["ticket_id"] = ids[ok].astype("str" if spec.text_ids else "int64")
    valid["label"] = labels[ok].astype("int64")
    valid["category"] = names[ok].astype("str")
    seen.add(valid["ticket_id"])

    quarantined = raw.loc[~ok].copy()
    quarantined["reason"] = reason[~ok]
    return valid.loc[:, list(EXTRACT_COLUMNS)].reset_index(drop=True), quarantined.reset_index(
        drop=True
    )


def _timestamps(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values.dt.tz_localize("UTC")
    # Strings from COPY ("2026-01-02 03:04:05+00") or SQLite; mixed python datetimes otherwise.
    if pd.api.types.is_string_dtype(values.dtype):
        return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
    return pd.to_datetime(values, utc=True, errors="coerce")
