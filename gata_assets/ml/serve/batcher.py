"""Micro-batching: concurrent requests share one forward pass, off the event loop.

A BERT forward pass over 16 short tickets costs little more than over one, so under load we
gather whatever is queued (at most `max_batch` items) and run it together. Waiting is
bounded by `max_wait_ms` and only happens when the previous batch held more than one item:
a lone client never pays for a wait that cannot help it.

Inference runs in a single worker thread: torch already spreads one batch over the cores,
and the event loop stays free to answer /ping and parse the next requests meanwhile.
"""

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

BatchFn = Callable[[list[Any]], list[Any]]


class MicroBatcher:
    def __init__(self, fn: BatchFn, max_batch: int = 32, max_wait_ms: float = 3.0):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.batches = 0
        self.items = 0
        self._queue: asyncio.Queue[tuple[Any, asyncio.Future]] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gata-infer")
        self._task: asyncio.Task | None = None
        self._last_size = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="gata-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=True)

    async def submit(self, items: list[Any]) -> list[Any]:
        """Results for `items`, in order; each item may land in a different batch."""
        loop = asyncio.get_running_loop()
        futures = []
        for item in items:
            future = loop.create_future()
            self._queue.put_nowait((item, future))
            futures.append(future)
        return list(await asyncio.gather(*futures))

    async def _collect(self) -> list[tuple[Any, asyncio.Future]]:
        batch = [await self._queue.get()]
        while len(batch) < self.max_batch and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        if self._last_size > 1 and len(batch) < self.max_batch and self.max_wait > 0:
            deadline = asyncio.get_running_loop().time() + self.max_wait
            while len(batch) < self.max_batch:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect()
            # A client that disconnected cancels its future; skip its work.
            live = [(item, f) for item, f in batch if not f.done()]
            self._last_size = len(batch)
            if not live:
                continue
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
