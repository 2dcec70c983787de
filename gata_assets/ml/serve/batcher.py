"""Micro-batching: concurrent requests share one forward pass, off the event loop, fairly.

A BERT forward pass over 16 short tickets costs little more than over one, so under load we
gather what is queued and run it together. Waiting is bounded by `max_wait_ms` and only
happens when the previous batch held more than one item: a lone client never pays for a wait
that cannot help it.

Fair and bounded, because one client's 256-ticket request must not make everyone else wait:
- a batch takes items round-robin across the queued requests, so a one-ticket request rides
  in the next batch instead of behind every item queued before it;
- a batch is capped by its padded cost (items times the longest item's cost) as well as by
  `max_batch`, so long tickets come in small batches and no single forward pass is slow;
- a batch is at least half real work (not padding), so a long ticket rides with its kind,
  and one request takes at most a quarter of it, so a big request runs in small passes;
- at most `max_queued` cost units wait at once, the last quarter kept for small requests;
  past that `submit` raises `Overloaded` at once (the server answers 503 with Retry-After)
  instead of queueing work nobody can wait for;
- after a pass carrying big requests' work, while small requests are about, the batcher
  idles up to as long as that pass took, or until a small request arrives: big batches get
  at most about half the CPU, and the rest reads, parses and answers the small requests.
  On two cores that, not the queue, was where a small request's time went under big ones
  (see BENCHMARKS.md, "Serving under abuse").
The rules for what one pass may hold are in `batch_rules.py`.

Inference runs in a single worker thread: torch already spreads one batch over the cores,
and the event loop stays free to answer /ping and parse the next requests meanwhile.
"""

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gata_assets.ml.serve.batch_rules import fits, is_bulk, within_share

BatchFn = Callable[[list[Any]], list[Any]]
CostFn = Callable[[Any], int]
Entry = tuple[Any, asyncio.Future, bool]  # an item of a pass, its future, from a big request


class Overloaded(Exception):
    """More work is queued than the server will hold; the caller should retry later."""


class _Job:
    """One request's items still to run, with the futures their results settle."""

    def __init__(self, items: list[tuple[Any, int, asyncio.Future]], bulk: bool):
        self.pending = deque(items)
        self.bulk = bulk


class MicroBatcher:
    def __init__(
        self,
        fn: BatchFn,
        max_batch: int = 32,
        max_wait_ms: float = 3.0,
        cost: CostFn | None = None,
        max_batch_cost: int | None = None,
        max_queued: int | None = None,
    ):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.cost = cost or (lambda _: 1)
        self.max_batch_cost = max_batch_cost
        self.max_queued = max_queued
        self.batches = 0
        self.items = 0
        self.rejected = 0
        self.queued = 0  # cost units waiting (not yet in a running batch)
        self._jobs: deque[_Job] = deque()
        self._arrived = asyncio.Event()
        self._small_arrived = asyncio.Event()
        self._last_small = -1e9
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gata-infer")
        self._task: asyncio.Task | None = None
        self._last_size = 0
        self._last_rejection = -1e9

    @property
    def overloaded(self) -> bool:
        """At the queue's bound, or work refused within the last second: /ping says so."""
        if self.max_queued is None:
            return False
        recently = time.monotonic() - self._last_rejection < 1.0
        return recently or self.queued >= self.max_queued

    def _room(self, cost: int) -> int:
        """Big requests may fill three quarters of the queue; the last quarter is kept for
        requests small enough to fit in it, so everyday traffic still gets in."""
        reserve = self.max_queued // 4  # type: ignore[operator]
        return self.max_queued if cost <= reserve else self.max_queued - reserve  # type: ignore[operator,return-value]

    def would_refuse(self, cost: int) -> bool:
        return self.max_queued is not None and self.queued + cost > self._room(cost)

    def shed(self, at_most: int) -> bool:
        """Refuse (and count) work that may cost up to `at_most` while the queue is busy and
        could not take that much: the caller then need not even read it."""
        if self.queued == 0 or not self.would_refuse(at_most):
            return False
        self.rejected += 1
        self._last_rejection = time.monotonic()
        return True

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="gata-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=True)

    async def submit(self, items: list[Any]) -> list[Any]:
        """Results for `items`, in order; raises Overloaded if the queue cannot take them."""
        costs = [max(1, int(self.cost(item))) for item in items]
        total = sum(costs)
        if self.would_refuse(total):
            self.rejected += 1
            self._last_rejection = time.monotonic()
            raise Overloaded(f"{self.queued} units of work queued; the bound is {self.max_queued}")
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in items]
        bulk = is_bulk(total, self.max_batch_cost)
        if not bulk:
            self._last_small = time.monotonic()
            self._small_arrived.set()
        self._jobs.append(_Job(list(zip(items, costs, futures, strict=True)), bulk))
        self.queued += total
        self._arrived.set()
        try:
            return list(await asyncio.gather(*futures))
        finally:  # a client that went away leaves no queued work behind
            for future in futures:
                future.cancel()

    def _fill(self, batch: list[Entry], shares: dict[int, int]) -> None:
        """Add items round-robin across jobs, within `max_batch` and the rules of
        `batch_rules` (`shares`: cost taken per job so far)."""
        cap = self.max_batch_cost
        costs = [max(1, int(self.cost(item))) for item, _, _ in batch]
        longest, real = max(costs, default=0), sum(costs)
        progressed = True
        while progressed and len(batch) < self.max_batch and self._jobs:
            progressed = False
            for _ in range(len(self._jobs)):
                if len(batch) >= self.max_batch:  # stop here: the next batch starts after us
                    break
                job = self._jobs.popleft()
                while job.pending and job.pending[0][2].done():  # cancelled by its caller
                    self.queued -= job.pending.popleft()[1]
                if not job.pending:
                    continue
                item, cost, future = job.pending[0]
                share = shares.get(id(job), 0)
                if not batch or (
                    fits(longest, real, len(batch), cost, cap) and within_share(share, cost, cap)
                ):
                    shares[id(job)] = share + cost
                    job.pending.popleft()
                    self.queued -= cost
                    batch.append((item, future, job.bulk))
                    longest, real = max(longest, cost), real + cost
                    progressed = True
                self._jobs.append(job)

    async def _collect(self) -> list[Entry]:
        batch: list[Entry] = []
        shares: dict[int, int] = {}
        self._fill(batch, shares)
        while not batch:
            self._arrived.clear()
            await self._arrived.wait()
            self._fill(batch, shares)
        if self._last_size > 1 and len(batch) < self.max_batch and self.max_wait > 0:
            with contextlib.suppress(TimeoutError):
                self._arrived.clear()
                await asyncio.wait_for(self._arrived.wait(), self.max_wait)
            self._fill(batch, shares)
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect()
            live = [(item, f) for item, f, _ in batch if not f.done()]
            self._last_size = len(batch)
            if not live:
                continue
            started = time.monotonic()
            try:
                results = await loop.run_in_executor(
                    self._executor, self.fn, [item for item, _ in live]
                )
            except Exception as error:  # never stop the server; isolate the bad item instead
                if len(live) == 1:
                    _settle(live[0][1], error=error)
                else:
                    for item, future in live:
                        await self._run_alone(item, future)
                continue
            self.batches += 1
            self.items += len(live)
            for (_, future), result in zip(live, results, strict=True):
                _settle(future, result=result)
            if any(bulk for _, _, bulk in batch):
                await self._make_room_for_small(time.monotonic() - started)

    async def _make_room_for_small(self, took: float) -> None:
        """Idle up to `took` seconds, or until a small request arrives, if one was seen in
        the last second and none is queued; otherwise go on at once (big work alone runs
        at full speed)."""
        if time.monotonic() - self._last_small > 1.0:
            return
        if any(not job.bulk and job.pending for job in self._jobs):
            return
        self._small_arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._small_arrived.wait(), took)

    async def _run_alone(self, item: Any, future: asyncio.Future) -> None:
        """Retry one item of a failed batch, so one bad ticket fails only its own request."""
        loop = asyncio.get_running_loop()
        try:
            [result] = await loop.run_in_executor(self._executor, self.fn, [item])
        except Exception as error:
            _settle(future, error=error)
        else:
            _settle(future, result=result)


def _settle(future: asyncio.Future, result: Any = None, error: BaseException | None = None) -> None:
    if future.done():  # the caller went away
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
