"""A cap on how many tickets a model trains on, for help desks bigger than training can take.

A SageMaker training job stops at its max runtime (7,200 s), and a desk with millions of
tickets would pass it. Past `max_tickets`, the train set keeps the same number from every
category up to a common quota (a category smaller than the quota keeps all it has), so the big
queues shrink and the rare ones lose nothing: a stratified sample that favours balance, which a
random sample of a skewed desk would not. Within a category the newest tickets stay, because
how people write tickets and which queue handles what drift with time.

Only the train set is capped. The test set stays the frozen split (`core/splitting.py`), so
every category keeps its share there and a capped model is scored as an uncapped one would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class CapReport:
    max_tickets: int
    quota: int | None = None
    """Tickets each category may keep; None when the train set was under the cap."""
    dropped: dict[str, int] = field(default_factory=dict)
    """Tickets left out, per category name (the oldest of each)."""

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())


def category_quota(counts: list[int], max_tickets: int) -> tuple[int, int]:
    """(quota, extra): each category keeps min(count, quota), and the `extra` largest
    categories one more, so the total is exactly `max_tickets` (one a category at least)."""
    ordered = sorted(counts)
    remaining, left = max_tickets, len(ordered)
    for count in ordered:
        share = remaining // left
        if count > share:
            if share < 1:  # more categories than tickets allowed: one each
                return 1, 0
            return share, remaining - share * left
        remaining -= count
        left -= 1
    return ordered[-1], 0  # every category fits whole


def cap_train_set(train: pd.DataFrame, max_tickets: int) -> tuple[pd.DataFrame, CapReport]:
    """`train` capped to `max_tickets` as described above, in ticket-id order."""
    if max_tickets < 1:
        raise ValueError(f"max_tickets must be at least 1, got {max_tickets}")
    if len(train) <= max_tickets:
        return train, CapReport(max_tickets)
    counts = train["category"].astype(str).value_counts()
    quota, extra = category_quota(counts.tolist(), max_tickets)
    # The largest categories take the extra tickets, ties broken by name for a stable result.
    over = sorted((name for name, n in counts.items() if n > quota), key=lambda c: (-counts[c], c))
    allowed = {name: min(int(n), quota) for name, n in counts.items()}
    for name in over[:extra]:
        allowed[name] += 1
    # A group written before it carried created_at falls back on ids, which grow with time.
    order = [column for column in ("created_at", "ticket_id") if column in train.columns]
    newest_first = train.sort_values(order, ascending=False, kind="stable").assign(
        _rank=lambda f: f.groupby(f["category"].astype(str)).cumcount()
    )
    keep = newest_first["_rank"] < newest_first["category"].astype(str).map(allowed)
    kept = newest_first.loc[keep].drop(columns="_rank").sort_values("ticket_id", kind="stable")
    dropped = {name: int(n - allowed[name]) for name, n in counts.items() if n > allowed[name]}
    return kept.reset_index(drop=True), CapReport(max_tickets, quota, dropped)
