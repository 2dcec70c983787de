"""Event sinks: the local JSON-lines log (atomic appends) and EventBridge PutEvents."""

from __future__ import annotations

import json
import threading

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gata_assets.resources.events import EventBridgeEvents, LocalEventLog


def test_local_log_appends_one_json_object_per_line(tmp_path):
    log = LocalEventLog(path=str(tmp_path / "sub" / "events.jsonl"))
    assert log.read() == []
    log.emit("gata.run.succeeded", {"run_id": "r1", "models": []})
    log.emit("gata.run.failed", {"run_id": "r2", "error": "boom\nsecond line"})
    lines = (tmp_path / "sub" / "events.jsonl").read_text().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["source"] == "gata" and first["detail-type"] == "gata.run.succeeded"
    assert second["detail"] == {"run_id": "r2", "error": "boom\nsecond line"}
    assert first["time"].endswith("+00:00")


def test_concurrent_emitters_never_tear_lines(tmp_path):
    log = LocalEventLog(path=str(tmp_path / "events.jsonl"))
    big = "x" * 20_000  # larger than PIPE_BUF: atomicity must come from the lock

    def emit_many(worker: int) -> None:
        for i in range(25):
            log.emit("gata.test", {"worker": worker, "i": i, "pad": big})

    threads = [threading.Thread(target=emit_many, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = log.read()
    assert len(events) == 100
    assert {(e["detail"]["worker"], e["detail"]["i"]) for e in events} == {
        (w, i) for w in range(4) for i in range(25)
    }


@pytest.fixture
def aws_env(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(key, value)


def test_eventbridge_put_events_on_the_gata_bus(aws_env):
    with mock_aws():
        client = boto3.client("events", region_name="eu-west-1")
        client.create_event_bus(Name="gata-events")
        sink = EventBridgeEvents(bus_name="gata-events", region_name="eu-west-1")
        sink.emit("gata.run.succeeded", {"run_id": "r1", "models": [{"model_version": "v1"}]})


def test_eventbridge_request_shape_and_failed_entries_raise(aws_env):
    client = boto3.client("events", region_name="eu-west-1")
    sink = EventBridgeEvents(bus_name="gata-events", region_name="eu-west-1")
    sink = sink.with_clients(events=client)
    expected = {
        "Entries": [
            {
                "Source": "gata",
                "DetailType": "gata.run.failed",
                "Detail": json.dumps({"run_id": "r9"}),
                "EventBusName": "gata-events",
            }
        ]
    }
    with Stubber(client) as stub:
        stub.add_response(
            "put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": "e1"}]}, expected
        )
        sink.emit("gata.run.failed", {"run_id": "r9"})
        stub.add_response(
            "put_events",
            {
                "FailedEntryCount": 1,
                "Entries": [{"ErrorCode": "AccessDenied", "ErrorMessage": "no PutEvents"}],
            },
            expected,
        )
        with pytest.raises(RuntimeError, match="AccessDenied"):
            sink.emit("gata.run.failed", {"run_id": "r9"})
        stub.assert_no_pending_responses()
