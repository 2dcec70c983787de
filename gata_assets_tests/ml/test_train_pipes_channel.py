"""gata-train finds its Pipes context in the job's `pipes` channel wherever it is mounted:
`SM_CHANNEL_PIPES` when set (a relocated /opt/ml layout), else the path the params name
(SageMaker's own layout); params without a channel load as dagster_pipes loads them."""

from __future__ import annotations

import json

from gata_assets.ml.train.pipes_channel import ChannelContextLoader, resolve_channel

ON_SAGEMAKER = {"path": "/opt/ml/input/data/pipes/context.json", "channel": "pipes"}


def test_the_channel_variable_moves_the_path_and_nothing_else_does(tmp_path):
    moved = resolve_channel(ON_SAGEMAKER, {"SM_CHANNEL_PIPES": str(tmp_path)})
    assert moved == {"path": str(tmp_path / "context.json"), "channel": "pipes"}
    assert resolve_channel(ON_SAGEMAKER, {"SM_CHANNEL_TRAIN": str(tmp_path)}) == ON_SAGEMAKER
    local = {"path": "/tmp/pipes-context-1234"}  # the local trainer's temp file
    assert resolve_channel(local, {"SM_CHANNEL_PIPES": str(tmp_path)}) == local


def test_the_loader_reads_the_context_from_the_mounted_channel(tmp_path, monkeypatch):
    (tmp_path / "context.json").write_text(json.dumps({"run_id": "r1", "extras": {}}))
    monkeypatch.setenv("SM_CHANNEL_PIPES", str(tmp_path))
    with ChannelContextLoader().load_context(ON_SAGEMAKER) as data:
        assert data == {"run_id": "r1", "extras": {}}
