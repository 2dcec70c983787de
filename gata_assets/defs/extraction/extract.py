"""The extraction procedure behind `ticket_extract`, kept out of the asset for readability.

Reads after the previous watermark (unless a full refresh is asked for), validates and
quarantines, folds the delta into the snapshot, and stores every file under the new batch id.
The returned reference is what the next extraction reads its watermark from.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pandas as pd

from gata_assets.core.errors import GataInputError
from gata_assets.core.extraction import merge_snapshot, write_delta
from gata_assets.core.grouping import category_counts
from gata_assets.core.references import ExtractRef
from gata_assets.core.ticket_reader import TicketReader, Watermark
from gata_assets.resources.artifact_store import ArtifactStore


def extract_tickets(
    reader: TicketReader,
    store: ArtifactStore,
    previous: ExtractRef | None,
    batch_id: str,
    chunk_rows: int,
    redact_pii: bool = False,
) -> ExtractRef:
    watermark = Watermark.from_dict(previous.watermark) if previous else None
    spec = reader.row_spec()
    with tempfile.TemporaryDirectory(prefix="gata-extract-") as scratch:
        work = Path(scratch)
        stats = write_delta(
            reader.stream(watermark, chunk_rows),
            spec,
            work / "delta.parquet",
            work / "quarantine.parquet",
            redact_pii,
        )
        # A snapshot from before masking was switched on is masked once, on the next run.
        unmasked_previous = redact_pii and previous is not None and not previous.redact_pii
        nothing_new = stats.rows == 0 and stats.quarantined_total == 0
        if previous and nothing_new and not unmasked_previous:
            # Nothing new: the snapshot and its batch stay as they were.
            return dataclasses.replace(
                previous, new_rows=0, previous_category_counts=previous.category_counts
            )
        old_snapshot = None
        if previous:
            old_snapshot = store.get_file(previous.uri, work / "previous.parquet")
            if unmasked_previous:
                stats.masked(pd.read_parquet(old_snapshot)).to_parquet(old_snapshot, index=False)
        snapshot = merge_snapshot(old_snapshot, work / "delta.parquet", work / "tickets.parquet")
        if snapshot.empty:
            raise GataInputError(
                f"ticket database {reader.engine.url.render_as_string(hide_password=True)} "
                f"holds no valid labelled tickets ({stats.quarantined_total} quarantined): "
                "run `gata seed` or `gata import-tickets`"
            )
        quarantine = store.put_file(
            work / "quarantine.parquet", f"batches/{batch_id}/quarantine.parquet"
        )
        stored = store.put_file(work / "tickets.parquet", f"batches/{batch_id}/tickets.parquet")
    return ExtractRef(
        **stored.as_dict(),
        batch_id=batch_id,
        rows=len(snapshot),
        new_rows=stats.rows,
        quarantined=stats.quarantined_total,
        quarantined_by_reason=stats.quarantined,
        quarantine_uri=quarantine.uri,
        category_counts=category_counts(snapshot),
        previous_category_counts=previous.category_counts if previous else None,
        created_min=snapshot["created_at"].min().isoformat(),
        created_max=snapshot["created_at"].max().isoformat(),
        watermark=stats.watermark.as_dict() if stats.watermark else previous.watermark,
        redact_pii=redact_pii or bool(previous and previous.redact_pii and not stats.rows),
        pii_masked=stats.pii_masked,
    )
