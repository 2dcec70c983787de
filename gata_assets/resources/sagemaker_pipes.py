"""Dagster Pipes for SageMaker training jobs: context in through an input channel, messages out
through the job's CloudWatch log. dagster-aws has no SageMaker client, and its pieces do not
fit: `PipesS3ContextInjector` has the process read S3, which a job with network isolation
cannot (SageMaker downloads its input channels for it), and `PipesCloudWatchMessageReader`
follows one stream named up front, while a job's stream is named when its container starts.

So the context is a JSON file in S3 handed in as the `pipes` channel; the Environment (512
characters a value) carries only the params, which gata-train's `Reporter` opens Pipes with
(`ml/train/pipes_channel.py` finds the file wherever the channel is mounted). gata-train
writes the messages to stderr beside its plain log lines; the reader picks them out of the log.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_pipes import PipesDefaultMessageWriter

from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.cloudwatch_tail import LogTail, is_throttled
from gata_assets.resources.pipes_lines import PipesLines

CHANNEL = "pipes"
CONTEXT_FILE = "context.json"
CONTAINER_CONTEXT_PATH = f"/opt/ml/input/data/{CHANNEL}/{CONTEXT_FILE}"
MAX_FAILURES = 5
"""Consecutive failed reads (not throttling) before the reader gives up; the job goes on."""


class ChannelContextInjector(dg.PipesContextInjector):
    """Writes the Pipes context to `key` in the store, for the job's `pipes` channel.

    The file stays: a spot restart downloads the channels again, and a later run re-attaching
    to the job relies on it. It holds the run's ids and asset keys, nothing secret."""

    def __init__(self, store: ArtifactStore, key: str):
        self.store, self.key = store, key

    @property
    def uri(self) -> str:
        return self.store.uri(self.key)

    @contextmanager
    def inject_context(self, context_data: Any) -> Iterator[dict[str, Any]]:
        self.store.write_json(dict(context_data), self.key)
        # `path` is what dagster_pipes' default loader reads; `channel` lets gata-train find
        # the file when the channels are not mounted at /opt/ml/input/data.
        yield {"path": CONTAINER_CONTEXT_PATH, "channel": CHANNEL}

    def no_messages_debug_text(self) -> str:
        return f"The context was written to {self.uri} for the job's `{CHANNEL}` channel."


class CloudWatchMessageReader(dg.PipesMessageReader):
    """Follows the job's log in a thread while the session is open, then reads it to the end:
    until the `closed` message has arrived, or `drain_seconds` after the job ended."""

    def __init__(
        self,
        tail: LogTail,
        *,
        poll_seconds: float,
        poll_max_seconds: float,
        drain_seconds: float,
        log: Any,
        forward_lines: bool = True,
    ):
        self.tail, self.log, self.forward_lines = tail, log, forward_lines
        self.poll_seconds = poll_seconds
        self.poll_max_seconds = max(poll_max_seconds, poll_seconds)
        self.drain_seconds = drain_seconds
        self._ended, self._aborted, self._wake = (threading.Event() for _ in range(3))

    @contextmanager
    def read_messages(self, handler: dg.PipesMessageHandler) -> Iterator[dict[str, Any]]:
        lines = PipesLines(handler, self.forward_lines)
        thread = threading.Thread(
            target=self._run, args=(handler, lines), name=f"pipes-{self.tail.prefix}", daemon=True
        )
        thread.start()
        try:
            yield {PipesDefaultMessageWriter.STDIO_KEY: PipesDefaultMessageWriter.STDERR}
        except BaseException:
            self.abort()  # interrupted or failed here: no point reading on
            thread.join(timeout=5.0)  # a daemon: a hung call must not hold the run
            raise
        self.end()
        thread.join()  # bounded: the follower stops drain_seconds after this at the latest

    def end(self) -> None:
        """The job has ended: read the rest of its log, then stop."""
        self._ended.set()
        self._wake.set()

    def abort(self) -> None:
        self._aborted.set()
        self._wake.set()

    def no_messages_debug_text(self) -> str:
        return f"Read the CloudWatch log streams {self.tail.log_group}/{self.tail.prefix}*."

    def _run(self, handler: dg.PipesMessageHandler, lines: PipesLines) -> None:
        try:
            self.follow(lines)
        except Exception:
            handler.report_pipes_framework_exception(type(self).__name__, sys.exc_info())
        finally:
            lines.finish()

    def follow(self, lines: PipesLines) -> None:
        """The reader thread's loop: read, hand on, wait; returns when the log is read to its
        end after the job ended (or on abort, or after MAX_FAILURES failed reads)."""
        idle = backoff = self.poll_seconds
        failures, deadline, next_look = 0, None, 0.0
        while not self._aborted.is_set():
            now = time.monotonic()
            if self._ended.is_set() and deadline is None:
                deadline, idle = now + self.drain_seconds, self.poll_seconds
            if deadline is not None and now >= deadline:
                return self._unfinished(lines)
            try:
                new = self.tail.read()
                # A newer stream (spot restart) is looked for when this one is quiet.
                if not new and (deadline is not None or now >= next_look):
                    next_look = now + self.poll_max_seconds
                    if self.tail.advance():
                        continue
            except Exception as error:
                if not is_throttled(error):  # throttling only means: ask again later
                    failures += 1
                    self.log.warning(f"reading the job's CloudWatch log failed: {error}")
                    if failures >= MAX_FAILURES:
                        return
                backoff = min(self.poll_max_seconds, backoff * 2)
                self.pause(random.uniform(backoff / 2, backoff))
                continue
            failures, backoff = 0, self.poll_seconds
            for line in new:
                lines.feed(line)
            if not new and deadline is not None and lines.held_close is not None:
                return
            # Quiet streams are asked less and less often; one that talks, every poll_seconds.
            self.pause(self.poll_seconds if new else idle)
            idle = self.poll_seconds if new else min(self.poll_max_seconds, idle * 2)

    def _unfinished(self, lines: PipesLines) -> None:
        if lines.held_close is None:
            said = "had not closed its" if lines.opened else "never opened a"
            self.log.warning(
                f"{self.tail.prefix}*: {self.drain_seconds:g}s after the job ended, its log "
                f"{said} Pipes session; not reading on"
            )

    def pause(self, seconds: float) -> None:
        """Wait, unless the session ends or is aborted meanwhile."""
        self._wake.wait(seconds)
        self._wake.clear()
