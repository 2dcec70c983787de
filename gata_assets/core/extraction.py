"""Incremental extraction: stream new tickets, validate, and fold them into a snapshot.

Memory stays flat while reading: each chunk is validated and appended to a Parquet writer, so
the whole delta is never held in Python. The snapshot (every labelled ticket so far) is the
previous snapshot minus the tickets that changed, plus the delta: an updated ticket replaces
its older version instead of appearing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from gata_assets.core.schema import EXTRACT_COLUMNS
from gata_assets.core.ticket_reader import Watermark
from gata_assets.core.ticket_rows import RowSpec
from gata_assets.core.validation import SeenIds, validate_chunk

# Ticket ids are int64 when the help desk's id column is an integer, text otherwise
# (`extract_schema(text_ids=True)`); every other column has one type.
EXTRACT_SCHEMA = pa.schema(
    [
        ("ticket_id", pa.int64()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("updated_at", pa.timestamp("us", tz="UTC")),
        ("subject", pa.string()),
        ("body", pa.string()),
        ("text", pa.string()),
        ("label", pa.int64()),
        ("category", pa.string()),
    ]
)


def extract_schema(text_ids: bool) -> pa.Schema:
    if not text_ids:
        return EXTRACT_SCHEMA
    return EXTRACT_SCHEMA.set(0, pa.field("ticket_id", pa.string()))


@dataclass
class DeltaStats:
    rows: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    watermark: Watermark | None = None
    pii_masked: dict[str, int] = field(default_factory=dict)

    def masked(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with its personal data masked, counted into `pii_masked`."""
        from gata_assets.core.pii import mask_ticket_text

        frame, counts = mask_ticket_text(frame)
        for kind, n in counts.items():
            self.pii_masked[kind] = self.pii_masked.get(kind, 0) + n
        return frame

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())


def _to_table(frame: pd.DataFrame, schema: pa.Schema = EXTRACT_SCHEMA) -> pa.Table:
    return pa.Table.from_pandas(
        frame.loc[:, list(EXTRACT_COLUMNS)], schema=schema, preserve_index=False
    )


def write_delta(
    chunks: Iterable[pd.DataFrame],
    spec: RowSpec | Mapping[int, str],
    delta_path: Path,
    quarantine_path: Path,
    redact_pii: bool = False,
) -> DeltaStats:
    """Validate streamed chunks into `delta_path`; failures (with reasons) to `quarantine_path`.
    With `redact_pii`, both files hold masked text only: nothing personal is ever written."""
    stats, seen, spec = DeltaStats(), SeenIds(), RowSpec.of(spec)
    schema = extract_schema(spec.text_ids)
    quarantined: list[pd.DataFrame] = []
    with pq.ParquetWriter(delta_path, schema) as writer:
        for raw in chunks:
            if raw.empty:
                continue
            stats.watermark = _last_mark(raw, spec) or stats.watermark
            valid, bad = validate_chunk(raw, spec, seen)
            if redact_pii:
                valid, bad = stats.masked(valid), stats.masked(bad)
            if not valid.empty:
                writer.write_table(_to_table(valid, schema))
                stats.rows += len(valid)
            if not bad.empty:
                quarantined.append(bad.astype(str))
                for reason, n in bad["reason"].value_counts().items():
                    stats.quarantined[str(reason)] = stats.quarantined.get(str(reason), 0) + int(n)
    columns = [*EXTRACT_COLUMNS[:5], "label", "reason"]
    table = (
        pd.concat(quarantined, ignore_index=True) if quarantined else pd.DataFrame(columns=columns)
    )
    table.astype(str).to_parquet(quarantine_path, index=False)
    return stats


def _last_mark(raw: pd.DataFrame, spec: RowSpec) -> Watermark | None:
    """The last raw row, valid or not: quarantined rows are kept, not re-read forever."""
    last = raw.iloc[-1]
    ticket_id = spec.ticket_ids(raw["ticket_id"].iloc[-1:]).iloc[0]
    stamp = pd.Timestamp(last["updated_at"])
    if pd.isna(ticket_id) or pd.isna(stamp):
        return None  # cannot be compared against; the previous row's mark still holds
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    value = str(ticket_id) if spec.text_ids else int(ticket_id)
    return Watermark(stamp.to_pydatetime(), value)


def merge_snapshot(previous: Path | None, delta: Path, out_path: Path) -> pd.DataFrame:
    """Previous snapshot with changed tickets replaced by the delta; written to `out_path`.

    When one side has int64 ids and the other text ids (a desk remapped onto a text id
    column), the int64 ids fold in as their decimal text, so older extracts keep loading.
    """
    tables = [pq.read_table(p) for p in (previous, delta) if p is not None]
    text_ids = any(pa.types.is_string(t.schema.field("ticket_id").type) for t in tables)
    schema = extract_schema(text_ids)
    frames = [t.to_pandas() for t in tables]
    if text_ids:
        for frame in frames:
            frame["ticket_id"] = frame["ticket_id"].astype(str)
    fresh = frames[-1]
    if previous is None:
        merged = fresh
    else:
        old = frames[0]
        merged = pd.concat(
            [old[~old["ticket_id"].isin(fresh["ticket_id"])], fresh], ignore_index=True
        )
    merged = merged.sort_values("ticket_id", kind="stable").reset_index(drop=True)
    pq.write_table(_to_table(merged, schema), out_path)
    return merged
