"""Where progress and results go: Dagster Pipes when launched by it, plain logging otherwise.

Under Pipes, log lines appear in the Dagster run's event log and the final metrics are
reported as the asset materialization's metadata. Locally the messages go to a temp file; on
SageMaker they go to stderr beside the plain log lines, SageMaker ships both to CloudWatch and
the SageMaker trainer picks the Pipes lines out (the context comes in as the job's `pipes`
channel, see pipes_channel.py). `dagster_pipes` is a tiny dependency-free package, not Dagster
itself; it is imported only when the Pipes environment is present.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

log = logging.getLogger("gata.train")

# dagster_pipes.DAGSTER_PIPES_CONTEXT_ENV_VAR, without importing it to find out.
PIPES_CONTEXT_ENV = "DAGSTER_PIPES_CONTEXT"


def setup_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )


class Reporter:
    """Logs to stderr always; mirrors to Pipes when a Pipes session launched this process."""

    def __init__(self) -> None:
        self._pipes: Any = None
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Reporter:
        if os.environ.get(PIPES_CONTEXT_ENV):
            from dagster_pipes import open_dagster_pipes

            from gata_assets.ml.train.pipes_channel import ChannelContextLoader

            self._pipes = self._stack.enter_context(
                open_dagster_pipes(context_loader=ChannelContextLoader())
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def info(self, message: str) -> None:
        log.info(message)
        if self._pipes is not None:
            self._pipes.log.info(message)

    def warning(self, message: str) -> None:
        log.warning(message)
        if self._pipes is not None:
            self._pipes.log.warning(message)

    def error(self, message: str) -> None:
        log.error(message)
        if self._pipes is not None:
            self._pipes.log.error(message)

    def materialization(self, metadata: Mapping[str, Any], data_version: str | None) -> None:
        """Final metrics: the asset materialization's metadata under Pipes."""
        if self._pipes is not None:
            self._pipes.report_asset_materialization(
                metadata=dict(metadata), data_version=data_version or None
            )
