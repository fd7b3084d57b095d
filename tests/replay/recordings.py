"""Small recordings for the replay tests, written line by line in the recording format
(version 1: gzip, one JSON object a line), and a client that speaks to the replay server as
the app does.

A test says what the recorded app saw, in recorded time ``m`` (seconds); ``t`` is ``T0 + m``.
Every part is flushed after each line, so that cutting the file off loses only its tail.
"""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from pathlib import Path
from typing import Any

from kucandle_gui.protocol import (
    Candle,
    ack_message,
    candle_push_message,
    pong_message,
    subscribe_message,
    unsubscribe_message,
    welcome_message,
)
from tests.recording.files import header

#: Recorded wall-clock time at ``m == 0``.
T0 = 1_750_000_000.0
#: The endpoint KuCoin's bullet-public named when the recording was made.
RECORDED_ENDPOINT = "wss://ws-api-spot.kucoin.com/"
TOPIC = "/market/candles:BTC-USDT_1min"
OTHER_TOPIC = "/market/candles:ETH-USDT_1min"
#: Start of the candle every push updates.
CANDLE_START = 1_750_000_020


class RecordingWriter:
    """Lines of a recording; :meth:`save` writes them."""

    def __init__(self, *, version: int = 1) -> None:
        self.recording_id = uuid.uuid4().hex
        self.lines: list[dict[str, Any]] = [
            header(recording=self.recording_id, version=version, t=T0, simulated=True)
        ]

    # -- REST --------------------------------------------------------------------------------

    def rest(
        self,
        m: float,
        path: str,
        body: str,
        *,
        params: dict[str, str] | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        method: str = "GET",
    ) -> None:
        self._line(
            "rest", m, method=method, path=path, params=params or {}, status=status,
            headers=headers or {}, body=body,
        )  # fmt: skip

    def rest_failure(self, m: float, path: str, *, params: dict[str, str] | None = None) -> None:
        self._line(
            "rest", m, method="GET", path=path, params=params or {}, status=None,
            failure="refused", text="connection refused",
        )  # fmt: skip

    def bullet(self, m: float, *, ping_interval: int = 18000, ping_timeout: int = 10000) -> None:
        server = {
            "endpoint": RECORDED_ENDPOINT,
            "encrypt": True,
            "protocol": "websocket",
            "pingInterval": ping_interval,
            "pingTimeout": ping_timeout,
        }
        data = {"token": "REDACTED", "instanceServers": [server]}
        body = json.dumps({"code": "200000", "data": data})
        self.rest(m, "/api/v1/bullet-public", body, method="POST")

    # -- WebSocket ---------------------------------------------------------------------------

    def connect(self, m: float, session: int, *, welcome: bool = True) -> str:
        """Token, connect and (unless the connect fails) the welcome; the recorded
        connectId."""
        connect_id = f"recorded-{session}"
        self.bullet(m)
        url = f"{RECORDED_ENDPOINT}?token=REDACTED&connectId={connect_id}"
        self._line("ws_open", m, session=session, url=url)
        if welcome:
            self.received(m + 0.001, session, welcome_message(connect_id))
        return connect_id

    def subscribe(
        self, m: float, session: int, request_id: str, topic: str = TOPIC, *, answer: str = ""
    ) -> None:
        """The app's subscribe and the exchange's ack (or ``answer``) a millisecond later."""
        self.sent(m, session, subscribe_message(request_id, topic))
        self.received(m + 0.001, session, answer or ack_message(request_id))

    def unsubscribe(self, m: float, session: int, request_id: str, topic: str = TOPIC) -> None:
        self.sent(m, session, unsubscribe_message(request_id, topic))
        self.received(m + 0.001, session, ack_message(request_id))

    def ping(self, m: float, session: int, ping_id: str) -> None:
        self.sent(m, session, json.dumps({"id": ping_id, "type": "ping"}))
        self.received(m + 0.001, session, pong_message(ping_id))

    def push(self, m: float, session: int, n: int) -> str:
        """A candle push whose close price is ``n`` (tells pushes apart); its text."""
        candle = Candle(CANDLE_START, n, n + 2, n - 1, n + 1, 1.0, float(n))
        frame = candle_push_message("BTC-USDT", "1min", candle, int((T0 + m) * 1e9))
        self.received(m, session, frame)
        return frame

    def received(self, m: float, session: int, frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            self._line("ws_in", m, session=session, b64=base64.b64encode(frame).decode())
        else:
            self._line("ws_in", m, session=session, text=frame)

    def sent(self, m: float, session: int, frame: str) -> None:
        self._line("ws_out", m, session=session, text=frame)

    def end(self, m: float, session: int, reason: str = "stopped", *, planned: bool = True) -> None:
        self._line("ws_end", m, session=session, reason=reason, planned=planned)

    # -- the file ----------------------------------------------------------------------------

    def save(self, path: Path, *, clean_end: bool = True, tail: bytes = b"") -> Path:
        """Write the lines (with ``end`` if ``clean_end``), then ``tail`` as it is."""
        lines = list(self.lines)
        if clean_end:
            lines.append({"k": "end", "t": T0 + self._last_m(), "m": self._last_m()})
        with gzip.open(path, "wb") as part:
            for line in lines:
                part.write(json.dumps(line).encode() + b"\n")
                part.flush()
            part.write(tail)
        return path

    def _line(self, kind: str, m: float, **fields: Any) -> None:
        self.lines.append({"k": kind, "t": T0 + m, "m": m, **fields})

    def _last_m(self) -> float:
        return max(line["m"] for line in self.lines)


def push_number(frame: dict[str, Any]) -> int:
    """The ``n`` of :meth:`RecordingWriter.push` a received push carries."""
    return round(float(frame["data"]["candles"][2])) - 1
