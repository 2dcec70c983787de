"""The Dagster Pipes context from a SageMaker input channel, wherever the channel is mounted.

A SageMaker job with network isolation cannot fetch its Pipes context from S3, so the
orchestrator hands the context file in as an input channel and the params say
`{"path": "/opt/ml/input/data/pipes/context.json", "channel": "pipes"}`. On SageMaker that
path is right and dagster_pipes' default loader would do; a run of the same command over a
relocated `/opt/ml` layout (tests, a stand-in for SageMaker) sets `SM_CHANNEL_<NAME>` for every
channel instead, so the file is looked for there first. Params without `channel` (the local
trainer's temp file) load exactly as dagster_pipes loads them. Imported only under Pipes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster_pipes import PipesDefaultContextLoader


class ChannelContextLoader(PipesDefaultContextLoader):
    @contextmanager
    def load_context(self, params: Mapping[str, Any]) -> Iterator[Any]:
        with super().load_context(resolve_channel(params, os.environ)) as data:
            yield data


def resolve_channel(params: Mapping[str, Any], environ: Mapping[str, str]) -> Mapping[str, Any]:
    """`params` with `path` moved into `$SM_CHANNEL_<CHANNEL>` when that variable is set."""
    channel = params.get("channel")
    path = params.get(PipesDefaultContextLoader.FILE_PATH_KEY)
    mounted = environ.get(f"SM_CHANNEL_{str(channel).upper()}") if channel else None
    if not (mounted and isinstance(path, str)):
        return params
    return {**params, PipesDefaultContextLoader.FILE_PATH_KEY: str(Path(mounted) / Path(path).name)}
