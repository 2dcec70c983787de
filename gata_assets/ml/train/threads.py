"""CPU thread count for training: sized to this process's cores, then tuned while it trains.

On CPU, `torch.set_num_threads` starts at the cores this process may use
(`os.sched_getaffinity`) with one inter-op thread; `ThreadTuner` then keeps the count that
trains fastest under the machine's current load.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def configure_threads(requested: int) -> int:
    import torch

    threads = requested if requested > 0 else available_cores()
    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # can only be set once per process
        torch.set_num_interop_threads(1)
    return threads


class ThreadTuner:
    """Picks the CPU thread count that trains fastest *now*, and re-checks as load changes.

    On a shared machine a thread that is not scheduled stalls every parallel region of the
    others: on 2 busy cores, 2 threads can run 5x slower than 1. So with `num_threads=0` the
    loop times a few steps at each candidate count (one, half the cores, all), keeps the fastest
    by padded tokens per second, and probes again after `reprobe_every` steps (doubling the
    interval while the answer stays the same). A candidate that is less than half as fast as
    the best seen is dropped after one step, so probing costs little. A fixed `num_threads`
    turns this off (bit-for-bit reproducible runs want a fixed count).
    """

    def __init__(
        self, fixed: int, cores: int, probe_steps: int = 3, reprobe_every: int = 100
    ) -> None:
        self.enabled = fixed <= 0 and cores > 1
        # Fewest threads first: on an idle machine one thread is at worst `cores` times slower
        # for a step, on a busy one all threads can be ten times slower.
        self.candidates = sorted({cores, max(1, cores // 2), 1})
        self.current = fixed if fixed > 0 else 1
        self.probe_steps = probe_steps
        self.base_interval = self.interval = reprobe_every
        self._queue: list[int] = list(self.candidates) if self.enabled else []
        self._samples: dict[int, list[float]] = {}
        self._since_probe = 0
        self._warmup = 1
        self._decided = False
        self.decisions: list[str] = []
        self._apply(self._queue[0] if self._queue else self.current)

    @staticmethod
    def _apply(threads: int) -> None:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)

    def _next_candidate(self) -> str | None:
        self._queue.pop(0)
        if self._queue:
            self._apply(self._queue[0])
            return None
        return self._decide()

    def _decide(self) -> str | None:
        speeds = {c: float(np.median(r)) for c, r in self._samples.items()}
        best = max(speeds, key=lambda c: speeds[c])
        if best != self.current and speeds[best] < 1.1 * speeds.get(self.current, 0.0):
            best = self.current  # not worth switching for less than 10%
        previous, self.current = self.current, best
        self._apply(best)
        self._since_probe = 0
        changed = best != previous or not self._decided
        self.interval = self.base_interval if changed else self.interval * 2
        self._decided = True
        if not changed:
            return None
        shown = ", ".join(f"{c}: {speeds[c]:.0f}" for c in sorted(speeds))
        message = f"threads {previous} -> {best} (tokens/s by thread count: {shown})"
        self.decisions.append(message)
        return message

    def record(self, seconds: float, tokens: int) -> str | None:
        """After each step: returns a message when the choice changes."""
        if not self.enabled:
            return None
        if self._warmup > 0:
            self._warmup -= 1
            return None
        if not self._queue:
            self._since_probe += 1
            if self._since_probe >= self.interval:
                self._queue = [c for c in self.candidates if c != self.current] + [self.current]
                self._samples = {}
                self._apply(self._queue[0])
            return None
        rate = tokens / max(seconds, 1e-9)
        trying = self._queue[0]
        self._samples.setdefault(trying, []).append(rate)
        best_other = max((max(r) for c, r in self._samples.items() if c != trying), default=0.0)
        if rate < 0.5 * best_other or len(self._samples[trying]) >= self.probe_steps:
            return self._next_candidate()
        return None
