"""Reading a SageMaker job's CloudWatch log for Pipes: streams that appear late or anew (spot
restart), paging that never repeats an event, throttling waited out, waits that stay capped.

LogTail runs against moto's CloudWatch Logs; the reader's pacing and throttling are pinned
with a botocore Stubber, which checks every call's parameters (the tokens it pages with).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time

import boto3
import pytest
from botocore.stub import Stubber
from dagster_pipes import PIPES_PROTOCOL_VERSION, PIPES_PROTOCOL_VERSION_FIELD
from moto import mock_aws

from gata_assets.resources.cloudwatch_tail import LOG_GROUP, LogTail
from gata_assets.resources.pipes_lines import PipesLines
from gata_assets.resources.sagemaker_pipes import CloudWatchMessageReader
from gata_assets_tests.resources.sagemaker_pipes_helpers import RecordingHandler

REGION, JOB = "eu-west-1", "gata-general-model-0123456789abcdef0123"
STREAM = f"{JOB}/algo-1-1764950000"
PREFIX = {"logGroupName": LOG_GROUP, "logStreamNamePrefix": f"{JOB}/algo-1-"}


def message(method: str, **params) -> str:
    return json.dumps(
        {PIPES_PROTOCOL_VERSION_FIELD: PIPES_PROTOCOL_VERSION, "method": method, "params": params}
    )


def log(text: str) -> str:
    return message("log", message=text, level="INFO")


@pytest.fixture
def logs(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        yield boto3.client("logs", region_name=REGION)


def put(logs, stream: str, lines: list[str]) -> None:
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=LOG_GROUP)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    now = int(time.time() * 1000)
    events = [{"timestamp": now, "message": line} for line in lines]
    logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=events)


def test_a_late_stream_is_read_from_its_head_then_a_restarted_containers_stream(logs):
    tail = LogTail(logs, JOB)
    assert tail.read() == []  # no job has logged here yet: not even the group exists
    logs.create_log_group(logGroupName=LOG_GROUP)
    assert tail.read() == [] and tail.stream is None  # the container has not started
    put(logs, STREAM, ["one", "two\nthree"])
    put(logs, f"{JOB}-r1/algo-1-1764950001", ["another job, whose name starts like this one"])
    put(logs, f"{JOB}/algo-2-1764950000", ["a second host"])
    assert tail.read() == ["one", "two", "three"]
    assert tail.read() == []  # the token at the end of a stream hands out nothing twice
    put(logs, STREAM, ["four"])
    assert tail.read() == ["four"]
    assert not tail.advance()
    put(logs, f"{JOB}/algo-1-1764953600", ["after the spot restart"])
    assert tail.read() == [] and tail.advance()
    assert tail.read() == ["after the spot restart"] and tail.read() == []


def throttle(stub: Stubber, operation: str, times: int) -> None:
    for _ in range(times):
        stub.add_client_error(
            operation, "ThrottlingException", "Rate exceeded", http_status_code=400
        )


def page(stub: Stubber, lines: list[str], token: str, after: str | None) -> None:
    expected = {"logGroupName": LOG_GROUP, "logStreamName": STREAM, "startFromHead": True}
    events = [{"timestamp": 1, "message": line, "ingestionTime": 1} for line in lines]
    stub.add_response(
        "get_log_events",
        {"events": events, "nextForwardToken": token, "nextBackwardToken": "b/0"},
        {**expected, **({"nextToken": after} if after else {})},
    )


class Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


def offline_logs_client():
    """A logs client for the Stubber: every call is answered by the stub, none leaves."""
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("logs", region_name=REGION, **keys)


def reader_for(client, warnings: Warnings, **pacing) -> CloudWatchMessageReader:
    logger = logging.getLogger("test-cloudwatch-tail")
    logger.addHandler(warnings)
    settings = {"poll_seconds": 0.01, "poll_max_seconds": 0.04, "drain_seconds": 10.0}
    return CloudWatchMessageReader(
        LogTail(client, JOB), **{**settings, **pacing}, log=logger, forward_lines=False
    )


def test_throttling_is_waited_out_with_capped_backoff_and_nothing_is_lost_or_repeated():
    client = offline_logs_client()
    stub, warnings = Stubber(client), Warnings()
    found = {"logStreams": [{"logStreamName": STREAM}]}
    throttle(stub, "describe_log_streams", 3)  # the first look for the job's stream
    stub.add_response("describe_log_streams", found, PREFIX)
    throttle(stub, "get_log_events", 4)
    page(stub, [message("opened"), log("epoch 1"), "plain line"], "f/1", None)
    throttle(stub, "get_log_events", 2)
    page(stub, [log("epoch 2"), message("closed")], "f/2", "f/1")
    page(stub, [], "f/2", "f/2")  # the end, once the job has ended
    stub.add_response("describe_log_streams", found, PREFIX)  # no restart's stream either
    reader, handler, waits = reader_for(client, warnings), RecordingHandler(), []

    def pause(seconds: float) -> None:  # the job ends while the first wait goes on
        waits.append(seconds)
        reader._ended.wait(5)

    reader.pause = pause
    with stub, reader.read_messages(handler) as params:
        assert params == {"stdio": "stderr"}
    stub.assert_no_pending_responses()
    assert handler.methods() == ["opened", "log", "log", "closed"]
    assert [m["params"]["message"] for m in handler.messages[1:3]] == ["epoch 1", "epoch 2"]
    assert len(waits) >= 9 and max(waits) <= 0.04  # each throttle waited, never past the cap
    assert warnings.seen == [] and handler.errors == []


def test_a_quiet_log_is_asked_less_often_down_to_the_cap_and_a_talking_one_again_often():
    client = offline_logs_client()
    stub, warnings = Stubber(client), Warnings()
    found = {"logStreams": [{"logStreamName": STREAM}]}
    stub.add_response("describe_log_streams", found, PREFIX)
    page(stub, [log("epoch 1")], "f/1", None)
    page(stub, [], "f/1", "f/1")
    stub.add_response("describe_log_streams", found, PREFIX)  # quiet: a restart's stream?
    for _ in range(5):  # hours of a quiet job, as far as the reader can tell
        page(stub, [], "f/1", "f/1")
    page(stub, [log("epoch 2"), message("closed")], "f/2", "f/1")
    page(stub, [], "f/2", "f/2")
    stub.add_response("describe_log_streams", found, PREFIX)
    reader = reader_for(client, warnings, poll_seconds=1.0, poll_max_seconds=8.0)
    handler, waits = RecordingHandler(), []

    def pause(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 7:
            reader.end()

    reader.pause = pause
    lines = PipesLines(handler, forward=False)
    with stub:
        reader.follow(lines)  # the reader thread's loop, here in the test's thread
    lines.finish()
    stub.assert_no_pending_responses()
    assert waits == [1.0, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 1.0]
    assert handler.methods() == ["log", "log", "closed"] and warnings.seen == []


def test_a_restarted_container_still_makes_one_session_for_dagster():
    handler = RecordingHandler()
    lines = PipesLines(handler, forward=False)
    first = [message("opened"), log("epoch 1"), message("closed")]
    second = [message("opened"), "2026-12-04 INFO gata.train: epoch 2", log("epoch 2")]
    for line in [*first, *second, message("closed"), "{not json", '{"json": "but not pipes"}']:
        lines.feed(line)
    assert handler.methods() == ["opened", "log", "log"]  # closed waits for the log's end
    lines.finish()
    assert handler.methods() == ["opened", "log", "log", "closed"]
