"""The client's requests during a replay: recorded answers go out with the client's ids and
wait for its request (within a bound); requests the recording cannot answer are answered at
once; pings are answered live and recorded pongs never played."""

from __future__ import annotations

from collections.abc import Callable

from kucandle_gui.protocol import error_message
from kucandle_gui.replay import ReplayExchange
from tests.replay.recordings import OTHER_TOPIC, TOPIC, RecordingWriter, push_number
from tests.replay.test_replay_sessions import Connect, until_closed


def test_recorded_answers_carry_the_ids_of_the_clients_requests(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "recorded-1", TOPIC)
    rec.push(1.2, 1, 1)
    refusal = error_message("recorded-2", 404, f"topic {OTHER_TOPIC} is not found")
    rec.subscribe(1.3, 1, "recorded-2", OTHER_TOPIC, answer=refusal)
    rec.push(1.4, 1, 2)
    rec.end(1.5, 1)
    replay = start_replay(rec)

    client = connect(replay.base_url)
    ack = client.subscribe(TOPIC, "mine-1")
    first = client.recv()
    error = client.subscribe(OTHER_TOPIC, "mine-2")
    rest, _ = until_closed(client)

    assert ack == {"id": "mine-1", "type": "ack"}
    assert first is not None and push_number(first) == 1
    assert error == {
        "id": "mine-2",
        "type": "error",
        "code": 404,
        "data": f"topic {OTHER_TOPIC} is not found",
    }
    assert [push_number(f) for f in rest] == [2]


def test_the_cursor_waits_for_the_request_a_recorded_answer_answers(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "recorded-1", TOPIC)
    rec.push(1.2, 1, 1)  # due right after the ack: held back with it
    rec.end(1.3, 1)
    replay = start_replay(rec, answer_wait=60.0)

    client = connect(replay.base_url)
    client.send({"id": "p-1", "type": "ping"})
    pong = client.recv()  # the push would have come first had the cursor not waited
    client.send({"id": "s-1", "type": "subscribe", "topic": TOPIC, "response": True})
    frames, _ = until_closed(client)

    assert pong == {"id": "p-1", "type": "pong"}
    assert frames[0] == {"id": "s-1", "type": "ack"}
    assert [push_number(f) for f in frames[1:]] == [1]
    assert replay.position().skipped_answers == 0


def test_an_answer_whose_request_never_comes_is_skipped_after_the_bound(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "recorded-1", TOPIC)
    rec.push(1.2, 1, 1)
    rec.end(1.3, 1)
    replay = start_replay(rec, answer_wait=0.05)

    frames, _ = until_closed(connect(replay.base_url))  # never subscribes

    assert [push_number(f) for f in frames] == [1]
    assert replay.position().skipped_answers == 1


def test_requests_the_session_cannot_answer_are_answered_at_once(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "recorded-1", TOPIC)  # the session stays here until asked
    rec.end(1.2, 1)
    replay = start_replay(rec, answer_wait=60.0)

    client = connect(replay.base_url)
    unknown = client.subscribe(OTHER_TOPIC, "x-1")
    client.send({"id": "x-2", "type": "unsubscribe", "topic": OTHER_TOPIC, "response": True})
    unsubscribed = client.reply_to("x-2")
    recorded = client.subscribe(TOPIC, "x-3")

    assert unknown == {
        "id": "x-1",
        "type": "error",
        "code": 404,
        "data": f"topic {OTHER_TOPIC} is not in the recording",
    }
    assert unsubscribed == {"id": "x-2", "type": "ack"}
    assert recorded == {"id": "x-3", "type": "ack"}


def test_a_request_beyond_the_recorded_ones_is_acked_if_the_session_has_its_topic(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "recorded-1", TOPIC)
    rec.subscribe(1.2, 1, "recorded-2", OTHER_TOPIC)  # keeps the session open
    rec.end(1.3, 1)
    replay = start_replay(rec, answer_wait=60.0)

    client = connect(replay.base_url)
    client.send({"id": "a", "type": "subscribe", "topic": TOPIC, "response": True})
    client.send({"id": "b", "type": "subscribe", "topic": TOPIC, "response": True})
    answers = {frame["id"]: frame for frame in (client.recv(), client.recv()) if frame}

    # The exchange acks a subscribe to a topic it serves, and the session's pushes have it:
    # a 404 would make the feed give the series up for good (after a reconnect of its own).
    assert answers == {"a": {"id": "a", "type": "ack"}, "b": {"id": "b", "type": "ack"}}


def test_pings_are_answered_live_and_recorded_pongs_never_played(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.ping(1.05, 1, "recorded-ping")
    rec.subscribe(1.1, 1, "recorded-1", TOPIC)
    rec.push(1.2, 1, 1)
    rec.ping(1.25, 1, "recorded-ping-2")
    rec.end(1.3, 1)
    replay = start_replay(rec, answer_wait=60.0)

    client = connect(replay.base_url)
    client.send({"id": "live-ping", "type": "ping"})
    pong = client.reply_to("live-ping")
    client.subscribe(TOPIC, "s-1")
    frames, _ = until_closed(client)

    received = client.frames + frames
    assert pong == {"id": "live-ping", "type": "pong"}
    assert [frame["type"] for frame in received] == ["welcome", "pong", "ack", "message"]
    assert [push_number(f) for f in frames] == [1]
