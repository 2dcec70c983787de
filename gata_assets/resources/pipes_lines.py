"""One log, two audiences: Pipes messages for Dagster, every other line for stderr.

gata-train on SageMaker writes its Pipes messages to stderr beside its plain log lines (the
same text, formatted by `logging`), and SageMaker ships both to one CloudWatch stream. Only a
line that parses as a Pipes message (a JSON object carrying the protocol version field) goes
to Dagster's handler, so nothing reaches the event log twice; the plain lines go to this
process's stderr, where a local subprocess's stderr would go (the step's compute log).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import dagster as dg
from dagster_pipes import PIPES_PROTOCOL_VERSION_FIELD


class PipesLines:
    """Sorts log lines into Pipes messages for Dagster and plain lines for stderr.

    A container restarted by spot opens Pipes again; Dagster gets one session, so a second
    `opened` is dropped and `closed` is held back until the log has been read to its end."""

    def __init__(self, handler: dg.PipesMessageHandler, forward: bool):
        self.handler, self.forward = handler, forward
        self.opened = False
        self.held_close: dict[str, Any] | None = None

    def feed(self, line: str) -> None:
        message = as_message(line)
        if message is None:
            if self.forward:  # as a local subprocess's stderr: the step's compute log
                sys.stderr.write(line + "\n")
            return
        method = message.get("method")
        if method == "closed":
            self.held_close = message
        elif not (method == "opened" and self.opened):
            self.opened = self.opened or method == "opened"
            self.handler.handle_message(message)

    def finish(self) -> None:
        if self.held_close is not None:
            self.handler.handle_message(self.held_close)
            self.held_close = None


def as_message(line: str) -> dict[str, Any] | None:
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if isinstance(message, dict) and PIPES_PROTOCOL_VERSION_FIELD in message:
        return message
    return None
