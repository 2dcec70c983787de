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
from gata_assets.core.validation import SeenIds, validate_chunk

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


@dataclass
class DeltaStats:
    rows: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    watermark: Watermark | None = None

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())


def _to_table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(
        frame.loc[:, list(EXTRACT_COLUMNS)], schema=EXTRACT_SCHEMA, preserve_index=False
    )


def write_delta(
    chunks: Iterable[pd.DataFrame],
    categories: Mapping[int, str],
    delta_path: Path,
    quarantine_path: Path,
) -> DeltaStats:
    """Validate streamed chunks into `delta_path`; failures (with reasons) to `quarantine_path`."""
    stats, seen = DeltaStats(), SeenIds()
    quarantined: list[pd.DataFrame] = []
    with pq.ParquetWriter(delta_path, EXTRACT_SCHEMA) as writer:
        for raw in chunks:
            if raw.empty:
                continue
            # The last raw row, valid or not: quarantined rows are kept, not re-read forever.
            last = raw.iloc[-1]
            stamp = pd.Timestamp(last["updated_at"])
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            stats.watermark = Watermark(stamp.to_pydatetime(), int(last["ticket_id"]))
            valid, bad = validate_chunk(raw, categories, seen)
            if not valid.empty:
                writer.write_table(_to_table(valid))
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


def merge_snapshot(previous: Path | None, delta: Path, out_path: Path) -> pd.DataFrame:
    """Previous snapshot with changed tickets replaced by the delta; written to `out_path`."""
    fresh = pq.read_table(delta).to_pandas()
    if previous is None:
        merged = fresh
    else:
        old = pq.read_table(previous).to_pandas()
        merged = pd.concat(
            [old[~old["ticket_id"].isin(fresh["ticket_id"])], fresh], ignore_index=True
        )
    merged = merged.sort_values("ticket_id", kind="stable").reset_index(drop=True)
    pq.write_table(_to_table(merged), out_path)
    return merged
