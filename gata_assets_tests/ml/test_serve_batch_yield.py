"""Big requests yield the CPU to small ones: the pass rules as arithmetic, the idle as timing
of the batches the batcher actually ran."""

import asyncio
import contextlib
import itertools
import time

from gata_assets.ml.serve.batch_rules import fits, is_bulk, within_share
from gata_assets.ml.serve.batcher import MicroBatcher

PASS_S = 0.05


def test_a_request_bigger_than_a_quarter_of_a_pass_is_bulk():
    assert not is_bulk(512, 2048) and is_bulk(513, 2048)
    assert not is_bulk(10**6, None)


def test_one_request_takes_at_most_a_quarter_of_a_pass_beyond_its_first_item():
    assert within_share(0, 2048, 2048)  # a first item always goes
    assert within_share(384, 128, 2048) and not within_share(512, 1, 2048)


def test_a_pass_stays_under_its_cap_and_at_least_half_real_work():
    assert fits(longest=10, real=30, size=3, cost=10, cap=40)
    assert not fits(longest=10, real=40, size=4, cost=10, cap=40)  # over the cap
    assert not fits(longest=100, real=102, size=2, cost=2, cap=10**6)  # mostly padding


def timed(starts: list[tuple[float, int]]):
    def run(items: list[str]) -> list[str]:
        starts.append((time.monotonic(), len(items)))
        time.sleep(PASS_S)
        return items

    return run


def gaps(starts: list[tuple[float, int]]) -> list[float]:
    return [b[0] - a[0] for a, b in itertools.pairwise(starts)]


@contextlib.asynccontextmanager
async def bulk_batcher(starts: list):
    """A running batcher where each item costs 100 and the cap is 400: a request of more
    than one item is bulk."""
    batcher = MicroBatcher(
        timed(starts), max_batch=2, max_wait_ms=0, cost=lambda _: 100, max_batch_cost=400
    )
    batcher.start()
    try:
        yield batcher
    finally:
        await batcher.stop()


def test_big_work_alone_runs_back_to_back():
    starts: list = []

    async def scenario() -> None:
        async with bulk_batcher(starts) as batcher:
            await batcher.submit([f"big{i}" for i in range(6)])

    asyncio.run(scenario())
    assert len(starts) == 6
    assert max(gaps(starts)) < PASS_S * 1.6, gaps(starts)


def test_after_a_bulk_pass_the_batcher_idles_while_small_requests_are_about():
    starts: list = []

    async def scenario() -> None:
        async with bulk_batcher(starts) as batcher:
            await batcher.submit(["small"])  # small traffic was seen a moment ago
            await batcher.submit([f"big{i}" for i in range(4)])

    asyncio.run(scenario())
    big_gaps = gaps(starts[1:])
    assert len(big_gaps) == 3
    # each bulk pass (0.05 s) is followed by as long an idle: about 0.1 s apart
    assert min(big_gaps) > PASS_S * 1.7, big_gaps


def test_a_small_request_arriving_ends_the_idle_at_once():
    starts: list = []

    async def scenario() -> float:
        async with bulk_batcher(starts) as batcher:
            await batcher.submit(["small"])
            big = asyncio.ensure_future(batcher.submit(["big0", "big1", "big2", "big3"]))
            await asyncio.sleep(PASS_S * 1.2)  # first bulk pass done, now idling
            sent = time.monotonic()
            await batcher.submit(["late"])
            answered = time.monotonic() - sent
            await big
            return answered

    answered = asyncio.run(scenario())
    assert answered < PASS_S * 1.6, f"the small request waited {answered:.3f} s"
