"""Stopping cleanly: SIGTERM / SIGINT become a flag the training loop polls.

SIGTERM (SageMaker stop or spot reclaim: 120 s before SIGKILL) and SIGINT (Dagster
Pipes forwards a run termination as SIGINT) only set a flag; the training loop checks it
after every step, writes a checkpoint and exits with status 143 (128 + SIGTERM). A stopped
job is not a failed one, so no failure file is written; SageMaker marks the job Stopped (or,
on spot reclaim, restarts it and the checkpoint is resumed).
"""

from __future__ import annotations

import logging
import signal
from typing import Any

log = logging.getLogger("gata.train")


class StopRequested(Exception):
    """A stop signal arrived; a checkpoint has been written."""

    def __init__(self, signal_name: str, step: int) -> None:
        super().__init__(f"{signal_name} received: checkpoint written at step {step}, stopping")
        self.signal_name = signal_name
        self.step = step


class StopSignal:
    """Turns SIGTERM/SIGINT into a flag the loop polls; a second SIGINT interrupts at once."""

    def __init__(self) -> None:
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def install(self) -> StopSignal:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def uninstall(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _handle(self, signum: int, frame: object) -> None:
        name = signal.Signals(signum).name
        if self.received is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.received = self.received or name
        log.warning("%s received: will checkpoint and stop after this step", name)

    @property
    def requested(self) -> bool:
        return self.received is not None
