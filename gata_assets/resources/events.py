"""Lifecycle events (run succeeded or failed, freshness breached) for whoever listens.

AWS: EventBridge `PutEvents` on a configured bus, source "gata", so rules can page someone or
trigger downstream systems. Embedded default: a JSON-lines file under GATA_HOME, one object
per line, appended atomically, which `tail -f` and tests read just as well.
"""

import fcntl
import json
import os
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.resources.aws import AwsResource

EVENT_SOURCE = "gata"


class EventSink(dg.ConfigurableResource, ABC):
    @abstractmethod
    def emit(self, detail_type: str, detail: dict[str, Any]) -> None:
        """Publish one event; raises if it could not be delivered."""


class LocalEventLog(EventSink):
    """`$GATA_HOME/events.jsonl`: one JSON object per line."""

    path: str

    def emit(self, detail_type: str, detail: dict[str, Any]) -> None:
        record = {
            "time": datetime.now(UTC).isoformat(),
            "source": EVENT_SOURCE,
            "detail-type": detail_type,
            "detail": detail,
        }
        line = (json.dumps(record, sort_keys=True, default=str) + "\n").encode()
        target = Path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # One write() on an O_APPEND descriptor under an exclusive lock: concurrent sensors
        # and runs never interleave or tear a line, and a reader never sees half an event.
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(f"short write to {target}: {written} of {len(line)} bytes")
        finally:
            os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        target = Path(self.path)
        if not target.is_file():
            return []
        return [json.loads(line) for line in target.read_text().splitlines() if line.strip()]


class EventBridgeEvents(EventSink, AwsResource):
    """EventBridge `PutEvents` on `bus_name` with source "gata"."""

    bus_name: str = "default"

    def emit(self, detail_type: str, detail: dict[str, Any]) -> None:
        response = self.client("events").put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, sort_keys=True, default=str),
                    "EventBusName": self.bus_name,
                }
            ]
        )
        # PutEvents answers 200 even when an entry is rejected: the count is the only signal.
        if response.get("FailedEntryCount", 0):
            failed = [e for e in response.get("Entries", []) if e.get("ErrorCode")]
            reason = failed[0] if failed else response
            raise RuntimeError(f"EventBridge rejected the {detail_type} event: {reason}")
