"""WsSession over both frame readers (see ``conftest.py``): what a session makes of what it
reads, from websocket-client fed by hand and from the local exchange."""

from __future__ import annotations

import time

import pytest

from kucandle_gui.feed.connection import (
    REQUEST_BURST,
    ConnectionLost,
    SessionTimeouts,
    WsSession,
)
from kucandle_gui.feed.reader import Reader
from kucandle_gui.feed.rest import BulletToken, InstanceServer
from kucandle_gui.protocol import Ack, CandlePush, Pong, candle_topic
from tests.feed.wsframes import PUSH, FakeSocket, frame


def test_a_text_frame_that_is_not_utf8_drops_the_session() -> None:
    """As before (websocket-client's own check raised): RFC 6455 says fail the connection."""
    bullet = BulletToken("token", (InstanceServer("ws://127.0.0.1:1/", True, 18.0, 10.0),))
    session = WsSession(bullet, SessionTimeouts())
    ws = session.reader.socket_class(enable_multithread=False, skip_utf8_validation=True)
    ws.sock, ws.connected = FakeSocket([frame(b'{"type": "\xff"}')]), True
    session._ws = ws
    with pytest.raises(ConnectionLost, match="not UTF-8"):
        session._receive()


def test_a_closed_socket_is_still_a_lost_connection() -> None:
    bullet = BulletToken("token", (InstanceServer("ws://127.0.0.1:1/", True, 18.0, 10.0),))
    session = WsSession(bullet, SessionTimeouts())
    ws = session.reader.socket_class(enable_multithread=False, skip_utf8_validation=True)
    ws.sock, ws.connected = FakeSocket([frame(PUSH)]), True
    session._ws = ws
    assert session._receive() is not None
    with pytest.raises(ConnectionLost):
        session._receive()


def test_timeout_without_data_is_idle() -> None:
    bullet = BulletToken("token", (InstanceServer("ws://127.0.0.1:1/", True, 18.0, 10.0),))
    session = WsSession(bullet, SessionTimeouts())
    ws = session.reader.socket_class(enable_multithread=False, skip_utf8_validation=True)
    ws.sock, ws.connected = FakeSocket([None, frame(PUSH)]), True
    session._ws = ws
    assert session._receive() is None
    assert session._receive() is not None


def test_a_session_with_the_local_exchange_reads_welcome_acks_pongs_and_pushes(
    live_session: WsSession, frame_reader: Reader
) -> None:
    session = live_session
    assert session.reader is frame_reader
    assert type(session._ws) is frame_reader.socket_class
    ident = session.request("subscribe", candle_topic("BTC-USDT", "1min"))
    seen: set[type] = set()
    deadline = time.monotonic() + 10.0
    while not {Ack, Pong, CandlePush} <= seen:
        assert time.monotonic() < deadline, f"only {seen} within 10 s"
        message = session.step()
        if isinstance(message, Ack):
            assert session.answered(message.id) and message.id == ident
        seen.add(type(message))


def test_requests_go_ten_back_to_back_then_at_the_uplinks_pace(live_session: WsSession) -> None:
    """A storm of pair switches cannot spend the whole window (69 requests here, with pings
    every 0.4 s) at once: the last wish would wait for the window to pass."""
    session = live_session
    sent = 0
    while session.request_room():
        session.request("unsubscribe", candle_topic("BTC-USDT", "1min"))
        session.step()  # sends it
        sent += 1
        assert sent <= REQUEST_BURST, "more requests back to back than the burst allows"
    assert sent == REQUEST_BURST
