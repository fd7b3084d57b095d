"""Helpers for the local-exchange tests: fast settings and a plain KuCoin-style WebSocket
client (requests + websocket-client, as an independent client would use).

Every wait blocks on a condition with a deadline or on a socket read with a timeout.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import requests
import websocket

from kucandle_gui.sim import SimConfig
from tests.helpers import fast_sim_config

#: A fixed simulated start (a minute boundary + 30 s) makes every market value reproducible.
START = 1_750_000_050.0


def sim_config(**overrides: Any) -> SimConfig:
    """The shared fast settings, with a fixed start so that every market value repeats;
    ``overrides`` win."""
    fixed = fast_sim_config(
        start_time=START, push_interval=0.1, ping_interval_ms=500, ping_timeout_ms=1000
    )
    return replace(fixed, **overrides)


def wait_until(condition: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"condition not met in {timeout} s: {what}"
        time.sleep(0.01)


def bullet(base_url: str) -> tuple[str, str]:
    """(token, endpoint) from ``POST /api/v1/bullet-public``."""
    reply = requests.post(f"{base_url}/api/v1/bullet-public", timeout=5).json()
    return reply["data"]["token"], reply["data"]["instanceServers"][0]["endpoint"]


class WsClient:
    """A raw connection; ``frames`` keeps everything received, in order."""

    def __init__(self, ws: websocket.WebSocket, connect_id: str | None) -> None:
        self.ws = ws
        self.connect_id = connect_id
        self.frames: list[dict[str, Any]] = []

    @classmethod
    def open(
        cls,
        base_url: str,
        connect_id: str | None = "conn-1",
        token: str | None = None,
        welcome: bool = True,
    ) -> WsClient:
        """Connect with a fresh token (or ``token``) and, by default, await the welcome."""
        fresh_token, endpoint = bullet(base_url)
        query = {"token": fresh_token if token is None else token}
        if connect_id is not None:
            query["connectId"] = connect_id
        client = cls(
            websocket.create_connection(f"{endpoint}?{urlencode(query)}", timeout=5), connect_id
        )
        if welcome:
            frame = client.recv(timeout=5)
            assert frame == {"id": connect_id, "type": "welcome"}, frame
        return client

    def send(self, obj: Any) -> None:
        self.ws.send(obj if isinstance(obj, str) else json.dumps(obj))

    def recv(self, timeout: float = 5.0) -> dict[str, Any] | None:
        """The next frame as JSON; None on timeout."""
        self.ws.settimeout(timeout)
        try:
            text = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        frame = json.loads(text)
        self.frames.append(frame)
        return frame

    def recv_until(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        """The first frame matching ``predicate`` (others are kept in ``frames``)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no matching frame in {timeout} s; got {self.frames[-5:]}"
            frame = self.recv(remaining)
            if frame is not None and predicate(frame):
                return frame

    def reply_to(self, request_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The pong/ack/error answering ``request_id``."""
        return self.recv_until(
            lambda f: f.get("type") != "message" and f.get("id") == request_id, timeout
        )

    def subscribe(self, topic: str, request_id: str = "sub-1") -> dict[str, Any]:
        self.send({"id": request_id, "type": "subscribe", "topic": topic, "response": True})
        return self.reply_to(request_id)

    def frames_until_closed(self, timeout: float = 5.0) -> list[tuple[int, bytes]]:
        """(opcode, payload) of every frame up to the end of the connection, control frames
        included; ends without a CLOSE opcode when the socket was cut."""
        self.ws.settimeout(timeout)
        seen: list[tuple[int, bytes]] = []
        while True:
            try:
                opcode, frame = self.ws.recv_data_frame(True)
            except (websocket.WebSocketConnectionClosedException, ConnectionError):
                return seen
            seen.append((opcode, frame.data))
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return seen

    def close(self) -> None:
        with contextlib.suppress(OSError, websocket.WebSocketException):
            self.ws.close(timeout=1)


def error_frame(ident: str, code: int, data: str) -> dict[str, Any]:
    """An error frame as KuCoin writes it."""
    return {"id": ident, "type": "error", "code": code, "data": data}


def pushes(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("type") == "message"]
