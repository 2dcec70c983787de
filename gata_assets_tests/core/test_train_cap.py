"""The train cap: a common quota per category, the newest kept, exact totals."""

import pandas as pd
import pytest

from gata_assets.core.train_cap import cap_train_set, category_quota


def train_frame(counts: dict[str, int]) -> pd.DataFrame:
    rows, ticket_id = [], 1
    for category, n in counts.items():
        for i in range(n):
            created = pd.Timestamp("2026-01-01", tz="UTC") + pd.Timedelta(days=i)
            rows.append((ticket_id, f"{category} {i}", 0, category, created))
            ticket_id += 1
    return pd.DataFrame(rows, columns=["ticket_id", "text", "label", "category", "created_at"])


@pytest.mark.parametrize(
    ("counts", "cap", "expected"),
    [
        ([100, 50, 10, 5], 60, (22, 1)),  # 5 + 10 + 22 + 23
        ([10, 10, 10], 20, (6, 2)),  # 7 + 7 + 6
        ([3, 3, 3], 2, (1, 0)),  # never below one a category
    ],
)
def test_quota_fills_the_cap_exactly(counts, cap, expected):
    assert category_quota(counts, cap) == expected


def test_under_the_cap_nothing_changes():
    frame = train_frame({"billing": 5, "vpn": 3})
    capped, report = cap_train_set(frame, 8)
    assert capped is frame and report.quota is None and report.dropped_total == 0


def test_big_queues_shrink_to_the_quota_keeping_their_newest_and_rare_ones_keep_all():
    frame = train_frame({"billing": 100, "vpn": 50, "gdpr": 10, "legal": 5})
    capped, report = cap_train_set(frame, 60)
    assert len(capped) == 60
    kept = capped["category"].value_counts().to_dict()
    assert kept == {"billing": 23, "vpn": 22, "gdpr": 10, "legal": 5}
    assert report.dropped == {"billing": 77, "vpn": 28} and report.quota == 22
    billing = capped[capped["category"] == "billing"]["created_at"]
    assert billing.min() == frame[frame["category"] == "billing"]["created_at"].nlargest(23).min()
    assert capped["ticket_id"].is_monotonic_increasing


def test_without_timestamps_the_highest_ids_stay():
    frame = train_frame({"billing": 10, "vpn": 10}).drop(columns="created_at")
    capped, _ = cap_train_set(frame, 10)
    assert capped[capped["category"] == "billing"]["ticket_id"].tolist() == [6, 7, 8, 9, 10]


def test_a_cap_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        cap_train_set(train_frame({"billing": 2}), 0)
