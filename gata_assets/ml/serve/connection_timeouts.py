"""Close connections that never send a whole request head: uvicorn alone waits forever.

uvicorn times out an idle keep-alive connection only after a response, so a client that
connects and says nothing, or drips its headers a byte at a time (slowloris), holds a socket
and its memory for as long as it likes: 1,000 of them pin the process. This protocol arms a
deadline whenever the connection is waiting for a request head (on connect, and again after
each response) and disarms it once a request is being served; when it fires the client gets
`408` (or, having sent nothing, just a closed socket). Body timeouts are the application's
(see `limits.read_body`), because only it knows how much body it still expects.

Pass `http=protocol_with_head_timeout(seconds)` to `uvicorn.Config`.
"""

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_HEAD_TIMEOUT_S = 10.0


def _timeout_response() -> bytes:
    body = json.dumps(
        {"error": "request_timeout", "reason": "the request head did not arrive in time"}
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class HeadTimeoutH11Protocol(H11Protocol):
    head_timeout_s = DEFAULT_HEAD_TIMEOUT_S

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        self._bytes_waiting = False
        super().connection_made(transport)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._bytes_waiting = True
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._bytes_waiting = False
        self._watch()

    def _serving(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _watch(self) -> None:
        if self._serving():
            self._disarm()
        elif self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expire(self) -> None:
        self._head_timer = None
        if self._serving() or self.transport.is_closing():
            return
        if self._bytes_waiting:
            self.transport.write(_timeout_response())
        self.transport.close()


def protocol_with_head_timeout(seconds: float) -> type[H11Protocol]:
    """An h11 protocol class whose connections must send a request head within `seconds`."""
    return type("HeadTimeoutProtocol", (HeadTimeoutH11Protocol,), {"head_timeout_s": seconds})
