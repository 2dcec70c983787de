"""Validation quarantines bad rows with reasons; quality rules find what checks act on."""

from __future__ import annotations

import pandas as pd

from gata_assets.core.drift import total_variation
from gata_assets.core.quality import (
    categories_missing_from_train,
    duplicate_ids,
    empty_text_count,
    low_volume_sufficiency,
    missing_columns,
    overlapping_ids,
)
from gata_assets.core.validation import SeenIds, validate_chunk

STAMP = "2026-06-01 10:00:00"


def raw(rows):
    return pd.DataFrame(
        rows, columns=["ticket_id", "created_at", "updated_at", "subject", "body", "label"]
    )


def test_bad_rows_are_quarantined_with_reasons_and_good_rows_kept():
    chunk = raw(
        [
            (1, STAMP, STAMP, "Refund", "please refund", 1),
            (2, STAMP, STAMP, "", "   ", 1),
            (3, STAMP, STAMP, "VPN", "down", 99),
            (1, STAMP, STAMP, "again", "duplicate id", 1),
            (4, "not a date", STAMP, "x", "y", 2),
            (5, STAMP, STAMP, None, "body only", 2),
        ]
    )
    seen = SeenIds()
    valid, bad = validate_chunk(chunk, {1: "billing", 2: "vpn"}, seen)
    assert valid["ticket_id"].tolist() == [1, 5]
    assert valid["text"].tolist() == ["Refund\nplease refund", "body only"]
    assert valid["category"].tolist() == ["billing", "vpn"]
    assert dict(zip(bad["ticket_id"], bad["reason"], strict=True)) == {
        2: "empty_text",
        3: "unknown_label",
        1: "duplicate_id",
        4: "bad_timestamp",
    }
    # A later chunk repeating an accepted id is a duplicate too.
    _, bad_later = validate_chunk(raw([(5, STAMP, STAMP, "s", "b", 2)]), {2: "vpn"}, seen)
    assert bad_later["reason"].tolist() == ["duplicate_id"]


def test_quality_rules_detect_problems_and_pass_clean_data():
    clean = pd.DataFrame({"ticket_id": [1, 2], "text": ["a", "b"], "category": ["x", "y"]})
    dirty = pd.DataFrame({"ticket_id": [1, 1], "text": ["a", " "], "category": ["x", "z"]})
    assert duplicate_ids(clean) == [] and duplicate_ids(dirty) == [1]
    assert empty_text_count(clean) == 0 and empty_text_count(dirty) == 1
    assert "label" in missing_columns(clean)
    assert overlapping_ids(clean, dirty) == [1]
    assert categories_missing_from_train(clean, dirty) == ["z"]
    assert categories_missing_from_train(clean, clean) == []


def test_low_volume_sufficiency_explains_its_verdict():
    frame = pd.DataFrame({"label": [1] * 10 + [2] * 3})
    assert not low_volume_sufficiency(frame, 2, 5).sufficient
    assert "smallest" in low_volume_sufficiency(frame, 2, 5).reason
    assert low_volume_sufficiency(frame, 2, 3).sufficient
    assert not low_volume_sufficiency(frame.iloc[:0], 2, 3).sufficient


def test_total_variation_distance():
    assert total_variation({"a": 5, "b": 5}, {"a": 50, "b": 50}) == 0.0
    assert total_variation({"a": 1}, {"b": 1}) == 1.0
    assert abs(total_variation({"a": 3, "b": 1}, {"a": 1, "b": 1}) - 0.25) < 1e-9
