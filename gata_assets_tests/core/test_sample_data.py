"""The generated tickets must look like a real help desk to the rest of the pipeline.

The low-volume grouping, the splits and the extract all rely on these properties (a long
tail, messy text, timestamps spread over months), so each one is pinned here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from gata_assets.core.sample_data import COLUMNS, generate_tickets
from gata_assets.core.sample_templates import categories


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, list[str]]:
    return generate_tickets()


def test_same_seed_same_frame_other_seed_other_frame(sample):
    frame, names = sample
    again, again_names = generate_tickets(seed=7)
    pd.testing.assert_frame_equal(frame, again)
    assert names == again_names
    other, _ = generate_tickets(seed=8)
    assert not frame["body"].equals(other["body"])
    assert not frame["category"].equals(other["category"])


def test_columns_and_ids(sample):
    frame, _ = sample
    assert tuple(frame.columns) == COLUMNS
    assert frame["ticket_id"].tolist() == list(range(1, 3001))
    assert str(frame["created_at"].dt.tz) == "UTC"


def test_many_categories_with_a_long_tail(sample):
    frame, names = sample
    assert len(names) >= 22 and len(set(names)) == len(names)
    counts = frame["category"].value_counts()
    assert set(counts.index) == set(names)
    assert (counts >= 200).sum() >= 3, counts.head()
    tail = counts[counts < 40]
    assert len(tail) >= 5, counts.tail(8)
    assert tail.min() >= 12, tail


def test_tail_scales_with_size():
    small = generate_tickets(n_tickets=600, seed=1)[0]["category"].value_counts()
    large = generate_tickets(n_tickets=30_000, seed=1)[0]["category"].value_counts()
    assert len(small) == len(large)
    assert large["legal_hold"] == pytest.approx(50 * small["legal_hold"], rel=0.2)


def test_every_category_has_varied_templates():
    for name, _share, subjects, bodies in categories():
        assert len(subjects) >= 6 and len(bodies) >= 6, name
        assert all(subjects) and all(bodies), name
        assert len(set(bodies)) == len(bodies), name


def test_text_is_messy_like_real_mail(sample):
    frame, _ = sample
    n = len(frame)
    empty = (frame["subject"] == "").sum()
    quoted = frame["body"].str.contains("\n> ", regex=False).sum()
    signed = frame["body"].str.contains("Sent from my iPhone|\n--\n|Mobile:|CONFIDENTIAL").sum()
    shouting = (frame["subject"].str.len() > 5) & (frame["subject"] == frame["subject"].str.upper())
    assert 0.04 * n < empty < 0.12 * n
    assert 0.06 * n < quoted < 0.14 * n
    assert 0.10 * n < signed < 0.20 * n
    assert shouting.sum() > 0
    assert frame["subject"].str.contains("  ").sum() > 0
    assert frame["body"].str.strip().str.len().min() > 10


def test_categories_share_vocabulary_but_differ(sample):
    frame, _ = sample
    words = {
        name: set(" ".join(group["body"]).lower().split())
        for name, group in frame.groupby("category")
    }
    assert "password" in words["password_reset"] and "password" in words["account_lockout"]
    assert "invoice" in words["billing_refund"] and "invoice" in words["invoice_copy"]
    assert words["vpn_access"] != words["printer_issue"]


def test_timestamps_span_months_and_updates_follow_creation():
    start = datetime(2024, 3, 1, tzinfo=UTC)
    frame, _ = generate_tickets(n_tickets=2000, seed=3, start=start, months=4)
    created, updated = frame["created_at"], frame["updated_at"]
    assert created.min() >= pd.Timestamp(start)
    assert created.max() < pd.Timestamp(datetime(2024, 7, 1, tzinfo=UTC))
    assert (created.max() - created.min()).days >= 100
    assert created.dt.month.nunique() == 4
    assert (updated >= created).all() and (updated > created).mean() > 0.9
    assert created.is_monotonic_increasing


def test_rejects_nonsense_arguments():
    with pytest.raises(ValueError):
        generate_tickets(n_tickets=-1)
    with pytest.raises(ValueError):
        generate_tickets(months=0)
    assert generate_tickets(n_tickets=0)[0].empty
