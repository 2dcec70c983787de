"""Ticket id types in the extract: int64 stays int64, text ids stay text, and an older int64
snapshot keeps loading when the desk is remapped onto a text id column."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from gata_assets.core.extraction import EXTRACT_SCHEMA, extract_schema, merge_snapshot

STAMP = pd.Timestamp("2026-05-01", tz="UTC")


def snapshot(ids: list, text_ids: bool) -> pa.Table:
    n = len(ids)
    frame = pd.DataFrame(
        {
            "ticket_id": ids, "created_at": [STAMP] * n, "updated_at": [STAMP] * n,
            "subject": [""] * n, "body": ["b"] * n, "text": ["b"] * n,
            "label": [1] * n, "category": ["billing"] * n,
        }
    )  # fmt: skip
    return pa.Table.from_pandas(frame, schema=extract_schema(text_ids), preserve_index=False)


def test_an_int64_snapshot_folds_into_a_text_id_delta_as_decimal_text(tmp_path):
    pq.write_table(snapshot([1, 2, 3], text_ids=False), tmp_path / "old.parquet")
    pq.write_table(snapshot(["2", "ZD-9"], text_ids=True), tmp_path / "delta.parquet")
    merged = merge_snapshot(tmp_path / "old.parquet", tmp_path / "delta.parquet", tmp_path / "m")
    assert sorted(merged["ticket_id"]) == ["1", "2", "3", "ZD-9"]  # "2" replaced, not doubled
    assert pq.read_schema(tmp_path / "m").field("ticket_id").type == pa.string()


def test_int64_ids_stay_int64(tmp_path):
    pq.write_table(snapshot([1, 2], text_ids=False), tmp_path / "old.parquet")
    pq.write_table(snapshot([2, 5], text_ids=False), tmp_path / "delta.parquet")
    merged = merge_snapshot(tmp_path / "old.parquet", tmp_path / "delta.parquet", tmp_path / "m")
    assert list(merged["ticket_id"]) == [1, 2, 5]
    assert pq.read_schema(tmp_path / "m") == EXTRACT_SCHEMA
