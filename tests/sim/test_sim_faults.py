"""Each WebSocket fault, seen from an independent client (REST faults: test_sim_rest)."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

import websocket

from kucandle_gui.sim import LocalExchange
from tests.sim.simclient import WsClient, bullet, error_frame, wait_until

Connect = Callable[..., WsClient]
BTC_1MIN = "/market/candles:BTC-USDT_1min"
CLOSE = websocket.ABNF.OPCODE_CLOSE


def is_push(frame: dict) -> bool:
    return frame.get("type") == "message"


def test_drop_connections_cuts_every_socket_without_a_close_frame(
    sim: LocalExchange, connect: Connect
) -> None:
    clients = [connect(sim.base_url, connect_id=f"c{n}") for n in range(2)]
    assert sim.faults.drop_connections() == 2
    for client in clients:
        assert all(opcode != CLOSE for opcode, _ in client.frames_until_closed())
    wait_until(lambda: sim.stats().active_connections == 0, what="sessions gone")
    assert sim.faults.drop_connections() == 0


def test_ignored_pings_get_no_pong_while_pushes_go_on(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.subscribe(BTC_1MIN)
    sim.faults.ignore_pings()
    client.send({"id": "unanswered", "type": "ping"})
    wait_until(lambda: sim.stats().pings_received == 1, what="ping seen")
    for _ in range(3):  # three push rounds later, still no pong
        client.recv_until(is_push)
    assert all(f.get("type") != "pong" for f in client.frames)
    sim.faults.ignore_pings(False)
    client.send({"id": "answered", "type": "ping"})
    assert client.reply_to("answered") == {"id": "answered", "type": "pong"}
    stats = sim.stats()
    assert (stats.pings_received, stats.pongs_sent) == (2, 1)


def test_a_stall_silences_everything_but_keeps_the_socket(
    sim: LocalExchange, connect: Connect
) -> None:
    client = connect(sim.base_url)
    client.subscribe(BTC_1MIN)
    client.recv_until(is_push)
    sim.faults.stall()
    client.send({"id": "during-stall", "type": "ping"})
    eth = "/market/candles:ETH-USDT_1min"
    client.send({"id": "sub-during-stall", "type": "subscribe", "topic": eth, "response": True})
    wait_until(lambda: sim.stats().client_messages == 3, what="requests seen")
    stalled_since = time.time_ns()
    pushes_before = sim.stats().pushes_sent
    late = []
    while (frame := client.recv(timeout=0.5)) is not None:  # drain what was already in flight
        late.append(frame)
    assert all(is_push(f) and f["data"]["time"] < stalled_since for f in late)
    assert sim.stats().pushes_sent == pushes_before
    assert sim.stats().active_connections == 1
    sim.faults.stall(False)
    push = client.recv_until(is_push)
    assert push["data"]["time"] > stalled_since
    client.send({"id": "after-stall", "type": "ping"})
    assert client.reply_to("after-stall")["type"] == "pong"
    assert not any(f.get("id") in ("during-stall", "sub-during-stall") for f in client.frames)


def test_send_raw_delivers_exact_text_and_binary_frames(
    sim: LocalExchange, connect: Connect
) -> None:
    clients = [connect(sim.base_url, connect_id=f"c{n}") for n in range(2)]
    assert sim.faults.send_raw('{"type":"message","topic":') == 2
    assert sim.faults.send_raw(b"\x00\xffbinary") == 2
    for client in clients:
        client.ws.settimeout(5)
        assert client.ws.recv() == '{"type":"message","topic":'
        assert client.ws.recv() == b"\x00\xffbinary"


def test_send_error_reaches_every_connection(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    assert sim.faults.send_error(500, "system error", ident="sys") == 1
    assert client.recv() == error_frame("sys", 500, "system error")
    assert sim.faults.send_error(501000, "service stopped, please disconnect") == 1
    assert client.recv() == {
        "type": "error",
        "code": 501000,
        "data": "service stopped, please disconnect",
    }


def test_refused_tokens_get_401_invalid_then_connects_work_again(
    sim: LocalExchange, connect: Connect
) -> None:
    token, _ = bullet(sim.base_url)
    sim.faults.refuse_tokens(2)
    for n in range(2):
        refused = connect(sim.base_url, connect_id=f"r{n}", token=token, welcome=False)
        assert refused.recv() == error_frame(f"r{n}", 401, "token is invalid")
        assert refused.frames_until_closed()[-1][0] == CLOSE
    connect(sim.base_url, connect_id="ok", token=token)  # asserts the welcome
    stats = sim.stats()
    assert stats.connect_tokens == (token, token, token)
    assert stats.connects == 3 and stats.active_connections == 1


def test_expired_tokens_close_live_sessions_and_refuse_reconnects(
    sim: LocalExchange, connect: Connect
) -> None:
    client = connect(sim.base_url, connect_id="live")
    old_token = sim.stats().connect_tokens[0]
    assert sim.faults.expire_tokens() == 1
    assert client.recv() == error_frame("live", 401, "token is expired")
    assert client.frames_until_closed()[-1][0] == CLOSE
    again = connect(sim.base_url, connect_id="again", token=old_token, welcome=False)
    assert again.recv() == error_frame("again", 401, "token is expired")
    connect(sim.base_url, connect_id="fresh")  # a new bullet token is welcome
    wait_until(lambda: sim.stats().active_connections == 1, what="only the fresh session")


def test_a_delayed_welcome_comes_late_and_earlier_requests_are_ignored(
    sim: LocalExchange,
) -> None:
    sim.faults.delay_welcome(1.5)
    token, endpoint = bullet(sim.base_url)
    url = f"{endpoint}?{urlencode({'token': token, 'connectId': 'slow'})}"
    client = WsClient(websocket.create_connection(url, timeout=5), "slow")
    try:
        client.send({"id": "too-early", "type": "ping"})
        wait_until(lambda: sim.stats().client_messages == 1, what="early ping seen")
        assert client.recv(timeout=0.2) is None  # the welcome is not there yet
        assert client.recv() == {"id": "slow", "type": "welcome"}
        client.send({"id": "in-time", "type": "ping"})
        assert client.recv() == {"id": "in-time", "type": "pong"}
        assert sim.stats().pings_received == 1
    finally:
        client.close()
    sim.faults.delay_welcome(0)
    WsClient.open(sim.base_url, connect_id="prompt").close()  # asserts the welcome


def test_clear_turns_standing_faults_off(sim: LocalExchange, connect: Connect) -> None:
    sim.faults.ignore_pings()
    sim.faults.refuse_tokens(3)
    sim.faults.clear()
    client = connect(sim.base_url)  # not refused: asserts the welcome
    client.send({"id": "p", "type": "ping"})
    assert client.reply_to("p")["type"] == "pong"
