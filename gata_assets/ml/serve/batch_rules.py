"""The rules that decide what one forward pass may hold: pure functions of costs.

A cost is a ticket's estimated tokens. `cap` is the most padded cost one pass may have
(None: no cap, every rule passes). Kept apart from the batcher's queueing so each rule can
be read, and tested, as arithmetic.
"""


def share_of_pass(cap: int | None) -> int | None:
    """What one request may take of a pass beyond its first item: a quarter, so a big
    request alone runs in small passes and tickets arriving meanwhile wait little."""
    return None if cap is None else cap // 4


def is_bulk(request_cost: int, cap: int | None) -> bool:
    """A request bigger than its share of one pass: throughput work, not a ticket someone
    is waiting on. The batcher yields the CPU to small requests after passes carrying it."""
    share = share_of_pass(cap)
    return share is not None and request_cost > share


def within_share(taken: int, cost: int, cap: int | None) -> bool:
    """Whether a request that has `taken` cost of this pass may add an item of `cost`."""
    share = share_of_pass(cap)
    return share is None or taken == 0 or taken + cost <= share


def fits(longest: int, real: int, size: int, cost: int, cap: int | None) -> bool:
    """Whether an item of `cost` joins a pass of `size` items (`real` cost, `longest` item):
    within the padded-cost cap, and at least half of the padded pass is real work, so short
    tickets do not pay for padding up to a long one's length."""
    if cap is None:
        return True
    padded = max(longest, cost) * (size + 1)
    return padded <= cap and padded <= 2 * (real + cost)
