"""The micro-batcher under pressure: fair across requests, capped per pass, bounded in all."""

import asyncio
import time

import pytest

from gata_assets.ml.serve.batcher import MicroBatcher, Overloaded


def recording(batches: list[list[str]], pause_s: float = 0.01):
    def run(items: list[str]) -> list[str]:
        batches.append(list(items))
        time.sleep(pause_s)
        return [item.upper() for item in items]

    return run


def test_a_small_request_rides_in_the_next_batch_not_behind_a_big_one():
    batches: list[list[str]] = []

    async def scenario() -> tuple[list[str], list[str]]:
        batcher = MicroBatcher(recording(batches), max_batch=4, max_wait_ms=0)
        batcher.start()
        try:
            big = asyncio.ensure_future(batcher.submit([f"big{i}" for i in range(40)]))
            await asyncio.sleep(0.015)  # the big request's first batch is running
            small = await batcher.submit(["small"])
            assert not big.done(), "the small request waited for the whole big one"
            return small, await big
        finally:
            await batcher.stop()

    small, big = asyncio.run(scenario())
    assert small == ["SMALL"] and big == [f"BIG{i}" for i in range(40)]
    where = next(n for n, batch in enumerate(batches) if "small" in batch)
    assert where <= 2, f"small ran in batch {where} of {len(batches)}"


def test_long_items_come_in_smaller_batches_under_the_padded_cost_cap():
    batches: list[list[str]] = []

    async def scenario() -> None:
        batcher = MicroBatcher(
            recording(batches, 0), max_batch=8, max_wait_ms=0, cost=len, max_batch_cost=40
        )
        batcher.start()
        try:
            await batcher.submit(["x" * 10] * 8 + ["y" * 2] * 8)
        finally:
            await batcher.stop()

    asyncio.run(scenario())
    for batch in batches:
        assert len(batch) <= 8
        assert len(batch) == 1 or max(map(len, batch)) * len(batch) <= 40, batch
    assert sum(map(len, batches)) == 16


def test_work_past_the_queue_bound_is_refused_at_once_and_reported():
    async def scenario() -> tuple[list, bool, bool]:
        batcher = MicroBatcher(
            recording([], 0.05), max_batch=1, max_wait_ms=0, cost=len, max_queued=30
        )
        batcher.start()
        try:
            first = asyncio.ensure_future(batcher.submit(["a" * 10, "b" * 10]))
            await asyncio.sleep(0.01)
            started = time.monotonic()
            with pytest.raises(Overloaded, match="bound is 30"):
                await batcher.submit(["d" * 25])
            assert time.monotonic() - started < 0.01  # refused without waiting
            during = batcher.overloaded
            await first
            await asyncio.sleep(1.05)
            return await batcher.submit(["e"]), during, batcher.overloaded
        finally:
            await batcher.stop()

    later, overloaded_during, overloaded_after = asyncio.run(scenario())
    assert later == ["E"]
    assert overloaded_during and not overloaded_after


def test_a_caller_that_goes_away_leaves_no_queued_work():
    async def scenario() -> int:
        batcher = MicroBatcher(recording([], 0.05), max_batch=1, max_wait_ms=0, max_queued=100)
        batcher.start()
        try:
            task = asyncio.ensure_future(batcher.submit(["x"] * 50))
            await asyncio.sleep(0.02)
            task.cancel()
            await asyncio.sleep(0.2)
            return batcher.queued
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == 0


def test_the_last_quarter_of_the_queue_is_kept_for_small_requests():
    async def scenario() -> list:
        batcher = MicroBatcher(
            recording([], 0.05), max_batch=1, max_wait_ms=0, cost=len, max_queued=40
        )
        batcher.start()
        try:
            first = asyncio.ensure_future(batcher.submit(["a" * 10] * 3))  # 30 of 40 queued
            await asyncio.sleep(0.01)
            with pytest.raises(Overloaded):
                await batcher.submit(["b" * 11])  # big: may only fill three quarters
            small = await batcher.submit(["c" * 5])  # small: the reserve lets it in
            return [small, await first]
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == [["C" * 5], ["A" * 10] * 3]
