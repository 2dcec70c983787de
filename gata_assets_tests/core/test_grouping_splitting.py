"""Grouping and splitting: the edge cases the issue names, plus stability of the split."""

from __future__ import annotations

import pandas as pd
import pytest

from gata_assets.core.grouping import group_tickets
from gata_assets.core.schema import HANDOFF_CATEGORY, HANDOFF_LABEL
from gata_assets.core.splitting import split_train_test


def tickets(counts: dict[str, int], start: int = 1) -> pd.DataFrame:
    rows, ticket_id = [], start
    for label, (category, n) in enumerate(counts.items(), start=10):
        for _ in range(n):
            created = pd.Timestamp("2026-01-01", tz="UTC") + pd.Timedelta(hours=ticket_id)
            rows.append((ticket_id, f"text {ticket_id}", label, category, created))
            ticket_id += 1
    return pd.DataFrame(rows, columns=["ticket_id", "text", "label", "category", "created_at"])


def test_low_volume_categories_are_handed_off_in_general_and_kept_in_low_volume():
    groups = group_tickets(tickets({"big": 50, "rare": 5, "tiny": 1}), min_general_examples=10)
    assert groups.low_volume_categories == ("rare", "tiny")
    assert len(groups.general) == 56
    handed_off = groups.general[groups.general["label"] == HANDOFF_LABEL]
    assert len(handed_off) == 6 and set(handed_off["category"]) == {HANDOFF_CATEGORY}
    assert set(groups.low_volume["category"]) == {"rare", "tiny"}
    assert set(groups.low_volume["label"]) == {11, 12}


def test_single_category_database_has_empty_low_volume_group():
    groups = group_tickets(tickets({"only": 30}), min_general_examples=10)
    assert groups.low_volume.empty and groups.low_volume_categories == ()
    assert set(groups.general["category"]) == {"only"}


def test_empty_database_groups_and_splits_to_empty_frames():
    empty = tickets({})
    groups = group_tickets(empty, min_general_examples=10)
    assert groups.general.empty and groups.low_volume.empty
    split = split_train_test(groups.general, 0.2, seed=1)
    assert split.train.empty and split.test.empty


def test_one_ticket_category_stays_in_train_and_is_reported():
    split = split_train_test(tickets({"big": 40, "single": 1}), 0.25, seed=3)
    assert split.train_only_categories == ("single",)
    assert "single" in set(split.train["category"])
    assert "single" not in set(split.test["category"])


def test_split_is_stratified_disjoint_and_complete():
    frame = tickets({"a": 400, "b": 200, "c": 2})
    split = split_train_test(frame, 0.2, seed=5)
    assert set(split.train["ticket_id"]).isdisjoint(split.test["ticket_id"])
    assert len(split.train) + len(split.test) == len(frame)
    shares = split.test["category"].value_counts() / frame["category"].value_counts()
    assert shares["a"] == pytest.approx(0.2, abs=0.06)
    assert shares["b"] == pytest.approx(0.2, abs=0.08)
    assert (split.test["category"] == "c").sum() == 1  # two tickets: one each side


def test_split_is_deterministic_and_sides_never_flip_as_data_grows():
    first = split_train_test(tickets({"a": 100, "b": 60}), 0.2, seed=9)
    again = split_train_test(tickets({"a": 100, "b": 60}), 0.2, seed=9)
    pd.testing.assert_frame_equal(first.test, again.test)
    grown = split_train_test(
        pd.concat([tickets({"a": 100, "b": 60}), tickets({"a": 50}, start=1000)]), 0.2, seed=9
    )
    assert set(first.test["ticket_id"]) <= set(grown.test["ticket_id"])
    other_seed = split_train_test(tickets({"a": 100, "b": 60}), 0.2, seed=10)
    assert set(other_seed.test["ticket_id"]) != set(first.test["ticket_id"])


def test_bad_test_fraction_is_rejected():
    with pytest.raises(ValueError, match="test_fraction"):
        split_train_test(tickets({"a": 5}), 1.0, seed=1)
