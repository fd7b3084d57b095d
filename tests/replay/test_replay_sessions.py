"""Recorded WebSocket sessions played to a client that connects as the app does: the k-th
connect plays session k, in order; recorded ends close the connection; a client that drops
gets the rest of its session on the next connect; the end of the recording."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from typing import Any

import pytest
import requests
import websocket

from kucandle_gui.replay import ReplayExchange
from tests.replay.recordings import OTHER_TOPIC, T0, TOPIC, RecordingWriter, push_number
from tests.sim.simclient import WsClient, wait_until

Connect = Callable[..., WsClient]


def until_closed(client: WsClient) -> tuple[list[dict[str, Any]], int | None]:
    """The frames received up to the end of the connection, and its close code (None when
    the connection was cut without a close frame)."""
    frames, code = [], None
    for opcode, data in client.frames_until_closed():
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = struct.unpack("!H", data[:2])[0]
        elif opcode == websocket.ABNF.OPCODE_TEXT:
            frames.append(json.loads(data))
    return frames, code


def test_the_kth_connect_plays_session_k_in_order(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    m = 1.01
    for n in range(1, 31):
        m += (0.0, 0.001, 0.02, 0.005)[n % 4]  # uneven gaps, some none
        rec.push(m, 1, n)
    rec.end(3.0, 1, "connect token due for renewal")
    rec.connect(10.0, 2)
    rec.push(10.1, 2, 100)
    rec.end(10.2, 2, "stopped")
    replay = start_replay(rec)

    first, first_close = until_closed(connect(replay.base_url, "client-1"))
    second, second_close = until_closed(connect(replay.base_url, "client-2"))

    assert [push_number(f) for f in first] == list(range(1, 31))
    assert [push_number(f) for f in second] == [100]
    assert (first_close, second_close) == (1000, 1000)  # planned ends: normal closes
    assert replay.finished.wait(5)
    assert replay.position().t == pytest.approx(T0 + 10.2)


def test_a_lost_session_is_cut_without_a_close_frame(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.push(1.1, 1, 1)
    rec.end(1.2, 1, "connection dropped", planned=False)
    replay = start_replay(rec)

    frames, code = until_closed(connect(replay.base_url))

    assert [push_number(f) for f in frames] == [1]
    assert code is None


def test_a_connect_that_failed_in_the_recording_is_refused(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1, welcome=False)
    rec.end(1.1, 1, "cannot open wss://ws-api-spot.kucoin.com/: timed out", planned=False)
    rec.connect(5.0, 2)
    rec.push(5.1, 2, 2)
    rec.end(5.2, 2)
    replay = start_replay(rec)

    with pytest.raises((websocket.WebSocketException, ConnectionError)):
        connect(replay.base_url, "refused")  # no welcome: the connection dies
    frames, _ = until_closed(connect(replay.base_url, "accepted"))

    assert [push_number(f) for f in frames] == [2]


def test_a_client_that_drops_mid_session_gets_the_rest_on_its_next_connect(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "recorded-a", TOPIC)
    rec.push(1.2, 1, 1)
    rec.subscribe(1.3, 1, "recorded-b", OTHER_TOPIC)  # the cursor waits here for the client
    rec.push(1.4, 1, 2)
    rec.end(1.5, 1)
    rec.connect(2.0, 2)
    rec.push(2.1, 2, 3)
    rec.end(2.2, 2)
    replay = start_replay(rec, answer_wait=60.0)

    before = connect(replay.base_url, "before-drop")
    assert before.subscribe(TOPIC, "a-1") == {"id": "a-1", "type": "ack"}
    assert push_number(before.recv_until(lambda f: f["type"] == "message")) == 1
    before.close()
    after = connect(replay.base_url, "after-drop")  # welcomed with its own connectId
    ack = after.subscribe(OTHER_TOPIC, "b-1")
    rest_of_session, _ = until_closed(after)
    next_session, _ = until_closed(connect(replay.base_url, "next"))

    assert ack == {"id": "b-1", "type": "ack"}
    assert [push_number(f) for f in rest_of_session] == [2]
    assert [push_number(f) for f in next_session] == [3]
    assert replay.position().skipped_answers == 0


def cut_off_recording() -> RecordingWriter:
    """One session with a push, then nothing: the recording ends before the session did."""
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.push(1.1, 1, 1)
    return rec


def test_at_the_end_the_last_connection_is_closed_and_later_ones_refused(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    replay = start_replay(cut_off_recording())

    frames, code = until_closed(connect(replay.base_url, "last"))
    assert replay.finished.wait(5)

    assert [push_number(f) for f in frames] == [1]
    assert code == 1000
    with pytest.raises((websocket.WebSocketException, ConnectionError)):
        connect(replay.base_url, "later")  # no welcome: the connection dies
    position = replay.position()
    assert (position.finished, position.fraction, position.passes) == (True, 1.0, 1)


def test_without_close_at_end_later_connects_are_only_welcomed(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    replay = start_replay(cut_off_recording(), close_at_end=False)
    last = connect(replay.base_url, "last")
    assert last.recv() is not None
    assert replay.finished.wait(5)
    last.close()

    later = connect(replay.base_url, "later")  # welcomed
    later.send({"id": "s-1", "type": "subscribe", "topic": OTHER_TOPIC, "response": True})
    later.send({"id": "u-1", "type": "unsubscribe", "topic": TOPIC, "response": True})
    later.send({"id": "p-1", "type": "ping"})

    assert [later.recv() for _ in range(3)] == [
        {"id": "s-1", "type": "ack"},
        {"id": "u-1", "type": "ack"},
        {"id": "p-1", "type": "pong"},
    ]


def test_without_close_at_end_the_last_connection_stays_open(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    replay = start_replay(cut_off_recording(), close_at_end=False)

    client = connect(replay.base_url)
    push = client.recv()
    assert replay.finished.wait(5)
    client.send({"id": "p-1", "type": "ping"})

    assert push is not None and push_number(push) == 1
    assert client.recv() == {"id": "p-1", "type": "pong"}


def test_a_looping_replay_starts_again_with_the_rest_answers_from_the_first(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.rest(0.5, "/api/v1/timestamp", '{"code":"200000","data":1}')
    rec.connect(1.0, 1)
    rec.push(1.1, 1, 1)
    rec.end(1.2, 1)
    replay = start_replay(rec, loop=True)
    timestamp = f"{replay.base_url}/api/v1/timestamp"

    assert requests.get(timestamp, timeout=5).status_code == 200
    first_pass, _ = until_closed(connect(replay.base_url, "pass-1"))
    wait_until(lambda: replay.position().passes == 1, what="the first pass ends")
    answer = requests.get(timestamp, timeout=5)
    second_pass, _ = until_closed(connect(replay.base_url, "pass-2"))

    assert answer.status_code == 200
    assert [push_number(f) for f in first_pass] == [push_number(f) for f in second_pass] == [1]
    assert not replay.finished.is_set()
    assert replay.position().unmatched_requests == 0


def test_without_close_at_end_the_recordings_own_end_leaves_the_connection_open(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.push(1.1, 1, 1)
    rec.end(1.2, 1)  # the recorded app stopped
    replay = start_replay(rec, close_at_end=False)

    client = connect(replay.base_url)
    push = client.recv()
    assert replay.finished.wait(5)
    client.send({"id": "p-1", "type": "ping"})

    assert push is not None and push_number(push) == 1
    assert client.recv() == {"id": "p-1", "type": "pong"}


def test_without_close_at_end_a_planned_end_followed_by_a_session_still_closes(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.push(1.1, 1, 1)
    rec.end(1.2, 1, "connect token due for renewal")
    rec.connect(2.0, 2)
    rec.push(2.1, 2, 2)
    replay = start_replay(rec, close_at_end=False)

    first, _ = until_closed(connect(replay.base_url, "first"))
    second = connect(replay.base_url, "second")

    assert [push_number(f) for f in first] == [1]
    push = second.recv()
    assert push is not None and push_number(push) == 2
