"""Category-distribution drift between two extractions.

Total variation distance: half the L1 distance between the two category shares. 0 means the
same mix of queues, 1 means no queue in common. Easy to explain on a dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping


def total_variation(before: Mapping[str, int], after: Mapping[str, int]) -> float:
    total_before, total_after = sum(before.values()), sum(after.values())
    if total_before == 0 or total_after == 0:
        return 0.0 if total_before == total_after else 1.0
    names = set(before) | set(after)
    return 0.5 * sum(
        abs(before.get(n, 0) / total_before - after.get(n, 0) / total_after) for n in names
    )
