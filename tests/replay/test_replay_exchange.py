"""The replay as an object: pause, resume and speed; damaged and unreadable recordings;
the server's bounds."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import websocket

from kucandle_gui.recording import RecordingUnreadable
from kucandle_gui.replay import ReplayExchange, ReplayOptions
from kucandle_gui.replay.server import MAX_CLIENT_FRAME, MAX_CONNECTIONS
from tests.replay.recordings import T0, RecordingWriter, push_number
from tests.replay.test_replay_sessions import Connect, until_closed
from tests.sim.simclient import WsClient


def one_session() -> RecordingWriter:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.push(1.1, 1, 1)
    rec.push(1.2, 1, 2)
    rec.end(1.3, 1)
    return rec


def test_paused_a_connect_is_welcomed_pings_answered_and_nothing_else_sent(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    replay = start_replay(one_session())
    replay.pause()

    client = connect(replay.base_url, "paused")  # welcomed: it would give up and reconnect
    client.send({"id": "p-1", "type": "ping"})
    while_paused = client.recv()  # not a push: nothing after the welcome goes out
    position = replay.position()
    replay.resume()
    frames, _ = until_closed(client)

    assert while_paused == {"id": "p-1", "type": "pong"}
    assert (position.paused, position.t) == (True, T0 + 1.001)  # the welcome's
    assert [push_number(f) for f in frames] == [1, 2]
    assert not replay.paused


def test_the_speed_can_change_within_its_range(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    replay = start_replay(one_session(), speed=2.0)

    replay.set_speed(50.0)
    with pytest.raises(ValueError, match="not in"):
        replay.set_speed(1001.0)

    assert replay.speed == replay.position().speed == 50.0
    with pytest.raises(ValueError, match="not in"):
        ReplayExchange(ReplayOptions(Path("any.kcr"), speed=0.0))


def test_a_recording_cut_off_mid_line_plays_what_it_holds(tmp_path: Path, connect: Connect) -> None:
    rec = one_session()
    path = rec.save(tmp_path / "cut.kcr", clean_end=False, tail=b'{"k":"ws_in","t":17500')

    with ReplayExchange(ReplayOptions(path, speed=1000.0)) as replay:
        frames, _ = until_closed(connect(replay.base_url))
        assert replay.finished.wait(5)

    assert [push_number(f) for f in frames] == [1, 2]
    assert replay.report.problems  # says what was lost
    assert not replay.report.complete


def test_a_truncated_compressed_part_plays_up_to_the_damage(
    tmp_path: Path, connect: Connect
) -> None:
    rec = one_session()
    path = rec.save(tmp_path / "truncated.kcr", clean_end=False)
    path.write_bytes(path.read_bytes()[:-10])  # the gzip stream's end and trailer

    with ReplayExchange(ReplayOptions(path, speed=1000.0)) as replay:
        frames, _ = until_closed(connect(replay.base_url))

    assert [push_number(f) for f in frames] == [1, 2]
    assert replay.report.problems


def test_a_recording_of_a_newer_version_plays_the_lines_this_one_knows(
    tmp_path: Path, connect: Connect
) -> None:
    rec = RecordingWriter(version=2)
    rec.connect(1.0, 1)
    rec.push(1.1, 1, 1)
    rec.lines.append({"k": "ws_hologram", "t": 1.0, "m": 1.15, "session": 1})
    rec.push(1.2, 1, 2)
    rec.end(1.3, 1)
    path = rec.save(tmp_path / "newer.kcr")

    with ReplayExchange(ReplayOptions(path, speed=1000.0)) as replay:
        frames, _ = until_closed(connect(replay.base_url))

    assert [push_number(f) for f in frames] == [1, 2]
    assert any("newer" in problem for problem in replay.report.problems)


def test_a_file_that_is_no_recording_cannot_be_started(tmp_path: Path) -> None:
    path = tmp_path / "lines.kcr"
    with gzip.open(path, "wt") as file:
        file.write(json.dumps({"k": "ws_in", "t": 1.0, "m": 0.0, "session": 1, "text": "{}"}))

    with pytest.raises(RecordingUnreadable):
        ReplayExchange(ReplayOptions(path)).start()


def finished_replay(start_replay: Callable[..., ReplayExchange]) -> str:
    """The endpoint of a replay of nothing that stays open at its end (finished at once:
    connects get a welcome)."""
    replay = start_replay(RecordingWriter(), close_at_end=False)
    assert replay.finished.wait(5)
    return replay.base_url.replace("http://", "ws://") + "/endpoint"


def test_a_client_frame_beyond_the_bound_ends_its_connection(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    endpoint = finished_replay(start_replay)
    client = WsClient(websocket.create_connection(f"{endpoint}?connectId=c", timeout=5), "c")
    try:
        assert client.recv() == {"id": "c", "type": "welcome"}
        client.send("x" * (MAX_CLIENT_FRAME + 1))
        # Closed with 1009 (message too big), or reset when the unread rest of the frame
        # makes the close cut the connection: either way it ends, with nothing more said.
        frames, code = until_closed(client)
    finally:
        client.close()

    assert frames == []
    assert code in (1009, None)


def test_connections_beyond_the_bound_are_refused(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    endpoint = finished_replay(start_replay)
    open_now = [
        websocket.create_connection(f"{endpoint}?connectId=c{i}", timeout=5)
        for i in range(MAX_CONNECTIONS)
    ]
    try:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(f"{endpoint}?connectId=one-more", timeout=5)
        assert refused.value.status_code == 503
    finally:
        for ws in open_now:
            ws.close()
