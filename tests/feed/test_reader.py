"""The frame readers: read-ahead and plain-frame decoding change no outcome; without the
websocket-client internals they need, sessions fall back to websocket-client's ``recv``.

``ReadAheadWebSocket`` is websocket-client with two shortcuts (see its docstring). Each
equivalence test feeds the same bytes, cut at awkward places, to it and to plain
websocket-client and expects the same ``recv()`` results and the same errors, in the same
order.
"""

from __future__ import annotations

import logging
import random
import struct
import types
from typing import Any

import pytest
import websocket

from kucandle_gui.feed.reader import (
    READ_AHEAD,
    ReadAheadWebSocket,
    Reader,
    choose_reader,
    missing_internals,
)
from tests.feed.wsframes import BINARY, CLOSE, CONT, PING, PONG, PUSH, FakeSocket, frame


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
    assert outcomes(ReadAheadWebSocket, pieces) == expected
    assert expected[0] == PUSH and "UnicodeDecodeError" in expected


def test_same_outcomes_one_byte_at_a_time() -> None:
    pieces: list[bytes | None] = [STREAM[i : i + 1] for i in range(len(STREAM))]
    assert outcomes(ReadAheadWebSocket, pieces) == outcomes(websocket.WebSocket, pieces)


def test_same_outcomes_all_in_one_read() -> None:
    assert outcomes(ReadAheadWebSocket, [STREAM]) == outcomes(websocket.WebSocket, [STREAM])


@pytest.mark.parametrize("seed", range(6))
def test_timeouts_in_the_middle_of_frames_lose_nothing(seed: int) -> None:
    rng = random.Random(seed)
    pushes = b"".join(frame(f"{PUSH}{n}") for n in range(300))
    pieces = cut(pushes, rng, 60)
    for _ in range(10):
        pieces.insert(rng.randrange(len(pieces) + 1), None)
    expected = outcomes(websocket.WebSocket, pieces)
    assert outcomes(ReadAheadWebSocket, pieces) == expected
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
    assert outcomes(ReadAheadWebSocket, pieces) == expected


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
    assert outcomes(ReadAheadWebSocket, pieces) == expected


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
    ws = ReadAheadWebSocket(enable_multithread=False, skip_utf8_validation=True)
    ws.sock, ws.connected = fake, True
    assert [ws.recv() for _ in range(1000)] == [PUSH] * 1000
    assert len(calls) <= len(pushes) // READ_AHEAD + 2


# --- which reader a session uses -----------------------------------------------------------


def test_the_installed_websocket_client_has_what_the_read_ahead_needs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Fails when a websocket-client inside pyproject.toml's range changed its internals:
    the feed would still work, by the fallback, but slower; the range needs a look."""
    probe = ReadAheadWebSocket(enable_multithread=False)
    assert missing_internals(probe) == []
    with caplog.at_level(logging.WARNING, logger="kucandle_gui.feed.reader"):
        assert choose_reader(probe) is Reader.READ_AHEAD
    assert caplog.records == []


def probe_without(lack: str) -> object:
    """What a websocket-client without one internal would build (``everything``: an object
    with none of them)."""
    if lack == "everything":
        return types.SimpleNamespace()
    probe = ReadAheadWebSocket(enable_multithread=False)
    if lack == "frame_buffer.recv":
        probe.frame_buffer.recv = FakeSocket([]).recv  # reads the socket, not ``_recv``
    else:
        owner, _, attribute = lack.rpartition(".")
        delattr(getattr(probe, owner) if owner else probe, attribute)
    return probe


@pytest.mark.parametrize(
    ("lack", "named"),
    [
        ("everything", "frame_buffer.header, frame_buffer.recv_buffer"),
        ("cont_frame", "cont_frame.recving_frames"),
        ("cont_frame.recving_frames", "cont_frame.recving_frames"),
        ("frame_buffer.header", "frame_buffer.header"),
        ("frame_buffer.recv", "frame_buffer reading through WebSocket._recv"),
    ],
)
def test_without_the_internals_sessions_fall_back_to_recv_with_a_warning(
    lack: str, named: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kucandle_gui.feed.reader"):
        assert choose_reader(probe_without(lack)) is Reader.RECV
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert named in record.getMessage()
    assert "recv()" in record.getMessage()


def test_each_reader_names_its_socket_class() -> None:
    assert Reader.READ_AHEAD.socket_class is ReadAheadWebSocket
    assert Reader.RECV.socket_class is websocket.WebSocket
    assert [reader.value for reader in Reader] == ["read-ahead", "recv"]
