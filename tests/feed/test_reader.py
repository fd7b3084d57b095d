"""The session's WebSocket reader: read-ahead and plain-frame decoding change no outcome.

``_ReadAheadWebSocket`` is websocket-client with two shortcuts (see its docstring). Each test
feeds the same bytes, cut at awkward places, to it and to plain websocket-client and expects
the same ``recv()`` results and the same errors, in the same order.
"""

from __future__ import annotations

import random
import struct
from typing import Any

import pytest
import websocket

from kucandle_gui.feed.connection import (
    READ_AHEAD,
    ConnectionLost,
    SessionTimeouts,
    WsSession,
    _ReadAheadWebSocket,
)
from kucandle_gui.feed.rest import BulletToken, InstanceServer

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA
PUSH = (
    '{"topic": "/market/candles:BTC-USDT_1min", "type": "message", "subject": '
    '"trade.candles.update", "data": {"symbol": "BTC-USDT", "candles": ["1729839600", '
    '"67644.9", "67437.6", "67724.8", "67243.8", "44.88321441", "3027558.991928447"], '
    '"time": 1729842192785164840}}'
)


def frame(
    payload: bytes | str,
    opcode: int = TEXT,
    fin: bool = True,
    rsv: int = 0,
    mask: bytes | None = None,
) -> bytes:
    """One frame as a server (or, with ``mask``, a misbehaving server) writes it."""
    data = payload.encode() if isinstance(payload, str) else payload
    first = (0x80 if fin else 0) | rsv << 4 | opcode
    mask_bit = 0x80 if mask else 0
    if len(data) < 126:
        header = struct.pack("!BB", first, mask_bit | len(data))
    elif len(data) < 65536:
        header = struct.pack("!BBH", first, mask_bit | 126, len(data))
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, len(data))
    if mask:
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        return header + mask + data
    return header + data


class FakeSocket:
    """Serves ``data`` in the given pieces (a piece of None is a read timeout), then EOF."""

    def __init__(self, pieces: list[bytes | None]) -> None:
        self._pieces = list(pieces)
        self.sent: list[bytes] = []

    def gettimeout(self) -> float:
        return 1.0

    def recv(self, bufsize: int) -> bytes:
        if not self._pieces:
            return b""
        piece = self._pieces[0]
        if piece is None:
            self._pieces.pop(0)
            raise TimeoutError("timed out")
        if len(piece) <= bufsize:
            self._pieces.pop(0)
            return piece
        self._pieces[0] = piece[bufsize:]
        return piece[:bufsize]

    def send(self, data: bytes) -> int:
        self.sent.append(bytes(data))
        return len(data)

    def close(self) -> None:
        pass

    def shutdown(self, how: int) -> None:
        pass


def cut(data: bytes, rng: random.Random, pieces: int) -> list[bytes | None]:
    points = sorted(rng.sample(range(1, len(data)), min(pieces, len(data) - 1)))
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def outcomes(cls: type[websocket.WebSocket], pieces: list[bytes | None]) -> list[Any]:
    """Every ``recv()`` result until EOF or a protocol error, errors as their type; plus how
    many frames the reader sent back (pongs, close replies) and their opcodes."""
    ws = cls(enable_multithread=False, skip_utf8_validation=True)
    fake = FakeSocket(pieces)
    ws.sock, ws.connected = fake, True
    seen: list[Any] = []
    while True:
        try:
            seen.append(ws.recv())
        except websocket.WebSocketTimeoutException:
            seen.append("timeout")
        except (websocket.WebSocketException, UnicodeDecodeError) as exc:
            seen.append(type(exc).__name__)
            if isinstance(exc, websocket.WebSocketConnectionClosedException):
                break
            if not isinstance(exc, UnicodeDecodeError):
                break  # a protocol error: websocket-client's state is not defined after it
        if len(seen) > 10_000:
            raise AssertionError("no end of stream")
    # Client frames are masked with a random key: compare their opcodes only.
    seen.append([sent[0] & 0x0F for sent in fake.sent])
    return seen


STREAM = b"".join(
    [
        frame(PUSH),
        frame("short"),
        frame(""),
        frame("x" * 126),  # the smallest 16-bit length
        frame("é" * 40_000),  # 80,000 bytes: a 64-bit length, longer than the read-ahead
        frame(PUSH * 200),  # 16-bit length, spans reads
        frame(b"\x00\x01binary", BINARY),
        frame("frag", fin=False),
        frame(b"ping!", PING),  # between fragments: answered, not returned
        frame("ment", CONT, fin=False),
        frame("ed", CONT),
        frame(b"", PONG),
        frame(PUSH, mask=b"\x01\x02\x03\x04"),  # a masked server frame: websocket-client takes it
        frame(b"\xff\xfe not utf-8"),
        frame(PUSH),
        frame(struct.pack("!H", 1000) + b"bye", CLOSE),
        frame("after close"),
    ]
)


@pytest.mark.parametrize("seed", range(12))
def test_same_outcomes_as_websocket_client_whatever_the_cuts(seed: int) -> None:
    rng = random.Random(seed)
    pieces = cut(STREAM, rng, rng.choice([3, 40, 400, 4000]))
    expected = outcomes(websocket.WebSocket, pieces)
    assert outcomes(_ReadAheadWebSocket, pieces) == expected
    assert expected[0] == PUSH and "UnicodeDecodeError" in expected


def test_same_outcomes_one_byte_at_a_time() -> None:
    pieces: list[bytes | None] = [STREAM[i : i + 1] for i in range(len(STREAM))]
    assert outcomes(_ReadAheadWebSocket, pieces) == outcomes(websocket.WebSocket, pieces)


def test_same_outcomes_all_in_one_read() -> None:
    assert outcomes(_ReadAheadWebSocket, [STREAM]) == outcomes(websocket.WebSocket, [STREAM])


@pytest.mark.parametrize("seed", range(6))
def test_timeouts_in_the_middle_of_frames_lose_nothing(seed: int) -> None:
    rng = random.Random(seed)
    pushes = b"".join(frame(f"{PUSH}{n}") for n in range(300))
    pieces = cut(pushes, rng, 60)
    for _ in range(10):
        pieces.insert(rng.randrange(len(pieces) + 1), None)
    expected = outcomes(websocket.WebSocket, pieces)
    assert outcomes(_ReadAheadWebSocket, pieces) == expected
    assert [x for x in expected if isinstance(x, str) and x.startswith("{")] == [
        f"{PUSH}{n}" for n in range(300)
    ]


def test_a_timeout_between_fragments_keeps_the_message_whole() -> None:
    """recv() returns only whole messages; a timeout between two fragments leaves
    websocket-client mid-message, where a new text frame is illegal and must stay so."""
    pieces: list[bytes | None] = [
        frame("frag", fin=False),
        None,
        frame("ment", CONT, fin=False) + frame("ed", CONT) + frame(PUSH),
        frame("again", fin=False),
        None,
        frame("a new message inside the last one"),
    ]
    expected = outcomes(websocket.WebSocket, pieces)
    assert expected == ["timeout", "fragmented", PUSH, "timeout", "WebSocketProtocolException", []]
    assert outcomes(_ReadAheadWebSocket, pieces) == expected


@pytest.mark.parametrize(
    "bad",
    [
        frame(PUSH, rsv=4),  # RSV1 without a negotiated extension
        frame(PUSH, opcode=0x3),  # a reserved opcode
        frame("continuation without a start", CONT),
        frame("second start", fin=False) + frame("inside a fragmented message"),
        frame(b"p" * 126, PING),  # a control frame too long
    ],
)
def test_protocol_errors_are_still_refused(bad: bytes) -> None:
    pieces: list[bytes | None] = [frame(PUSH) + bad + frame(PUSH)]
    expected = outcomes(websocket.WebSocket, pieces)
    assert "WebSocketProtocolException" in expected
    assert outcomes(_ReadAheadWebSocket, pieces) == expected


def test_reads_ahead_in_large_pieces() -> None:
    """The point of it: one socket read serves many frames."""
    pushes = b"".join(frame(PUSH) for _ in range(1000))
    fake = FakeSocket([pushes])
    calls: list[int] = []
    recv = fake.recv

    def counting_recv(bufsize: int) -> bytes:
        calls.append(bufsize)
        return recv(bufsize)

    fake.recv = counting_recv  # type: ignore[method-assign]
    ws = _ReadAheadWebSocket(enable_multithread=False, skip_utf8_validation=True)
    ws.sock, ws.connected = fake, True
    assert [ws.recv() for _ in range(1000)] == [PUSH] * 1000
    assert len(calls) <= len(pushes) // READ_AHEAD + 2


def test_a_text_frame_that_is_not_utf8_drops_the_session() -> None:
    """As before (websocket-client's own check raised): RFC 6455 says fail the connection."""
    bullet = BulletToken("token", (InstanceServer("ws://127.0.0.1:1/", True, 18.0, 10.0),))
    session = WsSession(bullet, SessionTimeouts())
    ws = _ReadAheadWebSocket(enable_multithread=False, skip_utf8_validation=True)
    ws.sock, ws.connected = FakeSocket([frame(b'{"type": "\xff"}')]), True
    session._ws = ws
    with pytest.raises(ConnectionLost, match="not UTF-8"):
        session._receive()


def test_a_closed_socket_is_still_a_lost_connection() -> None:
    bullet = BulletToken("token", (InstanceServer("ws://127.0.0.1:1/", True, 18.0, 10.0),))
    session = WsSession(bullet, SessionTimeouts())
    ws = _ReadAheadWebSocket(enable_multithread=False, skip_utf8_validation=True)
    ws.sock, ws.connected = FakeSocket([frame(PUSH)]), True
    session._ws = ws
    assert session._receive() is not None
    with pytest.raises(ConnectionLost):
        session._receive()


def test_timeout_without_data_is_idle() -> None:
    bullet = BulletToken("token", (InstanceServer("ws://127.0.0.1:1/", True, 18.0, 10.0),))
    session = WsSession(bullet, SessionTimeouts())
    ws = _ReadAheadWebSocket(enable_multithread=False, skip_utf8_validation=True)
    ws.sock, ws.connected = FakeSocket([None, frame(PUSH)]), True
    session._ws = ws
    assert session._receive() is None
    assert session._receive() is not None
