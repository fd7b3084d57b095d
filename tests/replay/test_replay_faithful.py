"""What a client sees of a replay is what the recorded client saw: the frames' text as
recorded (only ids rewritten), answers where the recorded requests got them and none where
they got none, whatever order the requests of one topic come in; and a client that
reconnects mid-session, speeds up or loops is served without a hitch."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import requests
import websocket

from kucandle_gui.protocol import subscribe_message
from kucandle_gui.replay import ReplayExchange
from tests.replay.recordings import OTHER_TOPIC, TOPIC, RecordingWriter, push_number
from tests.replay.test_replay_sessions import Connect, until_closed
from tests.sim.simclient import WsClient


def raw_until_closed(client: WsClient) -> list[str | bytes]:
    """Every data frame up to the end of the connection as it came: text or bytes."""
    return [
        data.decode() if opcode == websocket.ABNF.OPCODE_TEXT else data
        for opcode, data in client.frames_until_closed()
        if opcode in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY)
    ]


def test_frames_go_out_as_recorded_with_only_the_ids_rewritten(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.bullet(0.5)
    rec.lines.append(
        {"k": "ws_open", "t": 1.0, "m": 1.0, "session": 1, "url": "wss://x/?connectId=rec-1"}
    )
    rec.received(1.01, 1, '{"id":"rec-1","type":"welcome"}')
    rec.sent(1.1, 1, subscribe_message("r1", TOPIC))
    rec.received(1.11, 1, '{"id":"r1","type":"ack"}')
    rec.received(1.2, 1, "not json at all")
    rec.received(1.3, 1, b"\x00\xffbinary")
    rec.received(1.4, 1, '{"id":"rec-1","type":"error","code":401,"data":"token is expired é"}')
    rec.end(1.5, 1, "token is expired", planned=False)
    rec.connect(2.0, 2, welcome=False)  # the token was refused at connect
    rec.received(2.01, 2, '{"id":"recorded-2","type":"error","code":401,"data":"token is invalid"}')
    rec.end(2.02, 2, "token is invalid", planned=False)
    replay = start_replay(rec, answer_wait=60.0)

    first = connect(replay.base_url, "c-1", welcome=False)
    welcome = first.ws.recv()
    first.send(subscribe_message("s-1", TOPIC))
    frames = raw_until_closed(first)
    refused = raw_until_closed(connect(replay.base_url, "c-2", welcome=False))

    assert welcome == '{"id":"c-1","type":"welcome"}'
    assert frames == [
        '{"id":"s-1","type":"ack"}',
        "not json at all",
        b"\x00\xffbinary",
        '{"id":"c-1","type":"error","code":401,"data":"token is expired é"}',
    ]
    assert refused == ['{"id":"c-2","type":"error","code":401,"data":"token is invalid"}']


def test_an_error_to_the_connect_id_answers_the_request_whose_topic_it_names(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    connect_id = rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "r1", TOPIC)
    pairs = f"{OTHER_TOPIC},XXX-USDT_1min"
    rec.sent(1.2, 1, subscribe_message("r2", pairs))
    refusal = '{"id":"%s","type":"error","code":500,"data":"topic %s is not found"}'
    rec.received(1.3, 1, refusal % (connect_id, "/market/candles:XXX-USDT_1min"))
    rec.push(1.4, 1, 1)
    rec.end(1.5, 1)
    replay = start_replay(rec, answer_wait=60.0)

    client = connect(replay.base_url, "c-1")
    ack = client.subscribe(TOPIC, "s-1")
    client.send(subscribe_message("s-2", pairs))
    frames = raw_until_closed(client)

    assert ack == {"id": "s-1", "type": "ack"}
    assert frames[0] == refusal % ("c-1", "/market/candles:XXX-USDT_1min")
    assert [push_number(json.loads(f)) for f in frames[1:]] == [1]  # nothing for s-2
    assert replay.position().skipped_answers == 0


def test_a_request_the_recorded_one_of_got_no_answer_gets_none(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.sent(1.1, 1, json.dumps({"id": "r1", "type": "subscribe", "topic": TOPIC}))
    rec.push(1.2, 1, 1)
    rec.end(1.3, 1)
    replay = start_replay(rec)

    client = connect(replay.base_url)
    client.send({"id": "s-1", "type": "subscribe", "topic": TOPIC, "response": False})
    frames, _ = until_closed(client)

    assert [push_number(f) for f in frames] == [1]


def test_requests_for_one_topic_get_their_answers_in_order(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "r1", TOPIC)
    rec.push(1.15, 1, 1)
    rec.unsubscribe(1.2, 1, "r2", TOPIC)
    rec.subscribe(1.3, 1, "r3", TOPIC)
    rec.push(1.4, 1, 2)
    rec.end(1.5, 1)
    replay = start_replay(rec, answer_wait=60.0)

    client = connect(replay.base_url)
    for ident, kind in (("s-1", "subscribe"), ("u-1", "unsubscribe"), ("s-2", "subscribe")):
        client.send({"id": ident, "type": kind, "topic": TOPIC, "response": True})
    frames, _ = until_closed(client)

    assert [f.get("id") or push_number(f) for f in frames] == ["s-1", 1, "u-1", "s-2", 2]


def test_a_comma_list_in_another_order_gets_the_recorded_answer(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "r1", "/market/candles:BTC-USDT_1min,ETH-USDT_1min")
    rec.end(1.2, 1)
    replay = start_replay(rec, answer_wait=60.0)

    client = connect(replay.base_url)
    ack = client.subscribe("/market/candles:ETH-USDT_1min,BTC-USDT_1min", "s-1")

    assert ack == {"id": "s-1", "type": "ack"}
    assert replay.position().skipped_answers == 0


def long_gap() -> RecordingWriter:
    """A session with ten recorded minutes between its two pushes."""
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "r1", TOPIC)
    rec.push(1.2, 1, 1)
    rec.push(601.2, 1, 2)
    rec.end(601.3, 1)
    return rec


def test_a_client_that_reconnects_mid_session_is_welcomed_at_once(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    replay = start_replay(long_gap(), speed=1.0)

    before = connect(replay.base_url, "before")
    before.subscribe(TOPIC, "s-1")
    assert push_number(before.recv_until(lambda f: f["type"] == "message")) == 1
    before.close()
    after = connect(replay.base_url, "after")  # welcomed now, not in ten minutes
    again = after.subscribe(TOPIC, "s-2")  # the topic is in the session: acked
    replay.set_speed(1000.0)
    frames, _ = until_closed(after)

    assert again == {"id": "s-2", "type": "ack"}
    assert [push_number(f) for f in frames] == [2]


def test_a_speed_up_shortens_the_gap_under_way(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    replay = start_replay(long_gap(), speed=1.0)

    client = connect(replay.base_url)
    client.subscribe(TOPIC, "s-1")
    first = client.recv()
    replay.set_speed(1000.0)  # the rest of the ten minutes: 0.6 s
    second = client.recv(timeout=5.0)

    assert first is not None and push_number(first) == 1
    assert second is not None and push_number(second) == 2


def test_a_looping_replay_without_sessions_waits_instead_of_spinning(
    start_replay: Callable[..., ReplayExchange],
) -> None:
    rec = RecordingWriter()
    rec.rest(0.1, "/api/v1/timestamp", '{"code":"200000","data":1}')
    rec.rest(0.2, "/api/v1/timestamp", '{"code":"200000","data":2}')
    replay = start_replay(rec, loop=True)
    url = f"{replay.base_url}/api/v1/timestamp"

    answers = [requests.get(url, timeout=5).json()["data"] for _ in range(2)]

    assert answers == [1, 2]  # no pass began again between them
    assert replay.position().passes == 0


def test_stop_ends_a_replay_waiting_for_the_clients_request(
    start_replay: Callable[..., ReplayExchange], connect: Connect
) -> None:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.subscribe(1.1, 1, "r1", TOPIC)  # the cursor waits for the client's subscribe
    rec.end(1.2, 1)
    replay = start_replay(rec, answer_wait=600.0)
    client = connect(replay.base_url)
    serving = [t for t in threading.enumerate() if t.name == "replay-exchange"]

    replay.stop()
    frames, code = until_closed(client)

    assert serving and not any(thread.is_alive() for thread in serving)
    assert (frames, code) == ([], None)  # cut
