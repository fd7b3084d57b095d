"""The WebSocket session as an independent KuCoin client sees it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import websocket

from kucandle_gui.sim import LocalExchange
from tests.sim.simclient import WsClient, bullet, error_frame, wait_until

Connect = Callable[..., WsClient]
BTC_1MIN = "/market/candles:BTC-USDT_1min"


def test_welcome_echoes_the_connect_id_or_names_one(sim: LocalExchange, connect: Connect) -> None:
    connect(sim.base_url, connect_id="my id/with&odd=chars")  # asserts the welcome
    anonymous = connect(sim.base_url, connect_id=None, welcome=False)
    welcome = anonymous.recv()
    assert welcome is not None and welcome["type"] == "welcome"
    assert isinstance(welcome["id"], str) and welcome["id"]
    stats = sim.stats()
    assert stats.connect_ids == ("my id/with&odd=chars", welcome["id"])
    assert stats.connects == 2 and stats.active_connections == 2


def test_a_json_ping_gets_a_pong_with_the_same_id(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.send({"id": "1545910590801", "type": "ping"})
    assert client.reply_to("1545910590801") == {"id": "1545910590801", "type": "pong"}
    stats = sim.stats()
    assert (stats.pings_received, stats.pongs_sent, stats.client_messages) == (1, 1, 1)


def test_subscribe_is_acked_with_the_id_as_a_string(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.send({"id": 1545910660739, "type": "subscribe", "topic": BTC_1MIN, "response": True})
    assert client.reply_to("1545910660739") == {"id": "1545910660739", "type": "ack"}
    assert sim.stats().subscriptions == (frozenset({BTC_1MIN}),)


def test_no_ack_without_response_true(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.send({"id": "quiet-sub", "type": "subscribe", "topic": BTC_1MIN})
    client.send({"id": "after", "type": "ping"})
    reply = client.recv_until(lambda f: f.get("type") != "message")
    assert reply == {"id": "after", "type": "pong"}
    assert sim.stats().subscriptions == (frozenset({BTC_1MIN}),)


def test_a_comma_list_subscribes_each_topic_and_unsubscribe_removes_them(
    sim: LocalExchange, connect: Connect
) -> None:
    client = connect(sim.base_url)
    client.subscribe("/market/candles:BTC-USDT_1min,ETH-USDT_5min,ETH-USDT_5min")
    assert sim.stats().subscriptions == (frozenset({BTC_1MIN, "/market/candles:ETH-USDT_5min"}),)
    client.send({"id": "u", "type": "unsubscribe", "topic": BTC_1MIN, "response": True})
    assert client.reply_to("u") == {"id": "u", "type": "ack"}
    assert sim.stats().subscriptions == (frozenset({"/market/candles:ETH-USDT_5min"}),)


def test_pushes_have_kucoins_exact_shape(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.subscribe("/market/candles:ETH-BTC_1min,BTC-USDT_1hour")
    seen: dict[str, dict] = {}
    while len(seen) < 2:
        push = client.recv_until(lambda f: f.get("type") == "message")
        seen[push["topic"]] = push
    for topic, symbol in (
        ("/market/candles:ETH-BTC_1min", "ETH-BTC"),
        ("/market/candles:BTC-USDT_1hour", "BTC-USDT"),
    ):
        push = seen[topic]
        assert list(push) == ["topic", "type", "subject", "data"]
        assert push["type"] == "message" and push["subject"] == "trade.candles.update"
        assert list(push["data"]) == ["symbol", "candles", "time"]
        assert push["data"]["symbol"] == symbol
        fields = push["data"]["candles"]
        assert len(fields) == 7 and all(isinstance(f, str) for f in fields)
        assert isinstance(push["data"]["time"], int) and len(str(push["data"]["time"])) == 19
        assert abs(push["data"]["time"] - time.time_ns()) < 60 * 10**9


def test_unknown_pair_is_404_with_the_request_id(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.send({"id": 77, "type": "subscribe", "topic": "/market/candles:NOPE-USDT_1min"})
    assert client.reply_to("77") == error_frame(
        "77", 404, "topic /market/candles:NOPE-USDT_1min is not found"
    )
    assert sim.stats().subscriptions == (frozenset(),)


def test_other_channels_are_not_found(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.send({"id": "t", "type": "subscribe", "topic": "/market/ticker:BTC-USDT"})
    assert client.reply_to("t")["data"] == "topic /market/ticker:BTC-USDT is not found"


def test_bad_candle_types_and_malformed_topics_are_invalid(
    sim: LocalExchange, connect: Connect
) -> None:
    client = connect(sim.base_url)
    for n, topic in enumerate(
        ["/market/candles:BTC-USDT_2min", "/market/candles:BTC-USDT", "/market/candles:,"]
    ):
        client.send({"id": f"bad{n}", "type": "subscribe", "topic": topic, "response": True})
        reply = client.reply_to(f"bad{n}")
        assert (reply["type"], reply["code"], reply["data"]) == ("error", 400, "topic is invalid")


def test_a_subscribe_without_topic_is_406(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.send({"id": "nt", "type": "subscribe", "response": True})
    assert client.reply_to("nt")["code"] == 406


def test_unknown_message_type_is_415(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url)
    client.send({"id": "1", "type": "hello"})
    assert client.reply_to("1") == error_frame("1", 415, "type is not supported")


def test_non_json_text_is_a_400_and_still_counts(sim: LocalExchange, connect: Connect) -> None:
    client = connect(sim.base_url, connect_id="c-400")
    client.send("this is not json")
    client.send("[1, 2]")
    for _ in range(2):
        reply = client.reply_to("c-400")
        assert (reply["type"], reply["code"]) == ("error", 400)
    assert sim.stats().client_messages == 2


def test_topic_limits_per_request_and_per_session(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    # 30 pairs x 14 types = 420 topics; a short history keeps each first candle cheap.
    symbols = tuple(f"P{i}-USDT" for i in range(30))
    sim = make_exchange(symbols=symbols, history_days=0.01, push_interval=3600)
    client = connect(sim.base_url)
    types = ("1min", "3min", "5min", "15min", "30min", "1hour", "2hour", "4hour", "6hour",
             "8hour", "12hour", "1day", "1week", "1month")  # fmt: skip
    topics = [f"{s}_{t}" for s in symbols for t in types]
    too_many = "/market/candles:" + ",".join(topics[:101])
    client.send({"id": "big", "type": "subscribe", "topic": too_many, "response": True})
    assert client.reply_to("big")["code"] == 509
    for n in range(4):
        batch = "/market/candles:" + ",".join(topics[n * 100 : n * 100 + 100])
        assert client.subscribe(batch, request_id=f"ok{n}")["type"] == "ack"
    client.send({"id": "over", "type": "subscribe", "topic": "/market/candles:" + topics[400]})
    assert client.reply_to("over") == error_frame(
        "over", 509, "exceed max subscription count limitation of 400 per session"
    )
    assert len(sim.stats().subscriptions[0]) == 400


def test_more_than_100_messages_in_10_seconds_are_refused(
    sim: LocalExchange, connect: Connect
) -> None:
    client = connect(sim.base_url)
    for n in range(101):
        client.send({"id": f"p{n}", "type": "ping"})
    for n in range(100):
        assert client.reply_to(f"p{n}")["type"] == "pong"
    assert client.reply_to("p100") == error_frame("p100", 509, "exceed max permits per second")
    stats = sim.stats()
    assert (stats.uplink_violations, stats.client_messages, stats.pongs_sent) == (1, 101, 100)


def test_transport_pings_do_not_keep_a_silent_client_alive(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    sim = make_exchange(idle_timeout=1.0)
    client = connect(sim.base_url, connect_id="mute")
    client.ws.settimeout(0.1)
    pongs = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        client.ws.ping("still here")
        try:
            opcode, frame = client.ws.recv_data_frame(True)
        except websocket.WebSocketTimeoutException:
            continue
        if opcode == websocket.ABNF.OPCODE_PONG:
            pongs += 1
        elif opcode == websocket.ABNF.OPCODE_TEXT:
            error = json.loads(frame.data)
            break
    else:
        raise AssertionError("the silent client was never dropped")
    assert error == error_frame("mute", 400, "ping timeout")
    assert pongs > 3  # the transport pings were answered, just not counted as activity
    tail = client.frames_until_closed()
    assert tail and tail[-1][0] == websocket.ABNF.OPCODE_CLOSE
    wait_until(lambda: sim.stats().active_connections == 0, what="session closed")


def test_json_pings_keep_a_client_alive(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    sim = make_exchange(idle_timeout=0.5)
    client = connect(sim.base_url)
    for n in range(8):  # 8 pings 0.2 s apart outlast the 0.5 s idle timeout three times
        client.send({"id": f"hb{n}", "type": "ping"})
        assert client.reply_to(f"hb{n}")["type"] == "pong"
        assert client.recv(timeout=0.2) is None
    assert sim.stats().active_connections == 1


def test_missing_or_unknown_tokens_are_refused(sim: LocalExchange) -> None:
    _, endpoint = bullet(sim.base_url)
    for url in (f"{endpoint}?connectId=x", f"{endpoint}?token=forged&connectId=x"):
        client = WsClient(websocket.create_connection(url, timeout=5), "x")
        assert client.recv() == {
            "id": "x",
            "type": "error",
            "code": 401,
            "data": "token is invalid",
        }
        assert client.frames_until_closed()[-1][0] == websocket.ABNF.OPCODE_CLOSE
    stats = sim.stats()
    assert stats.connect_tokens == ("", "forged")
    assert stats.active_connections == 0


def test_tokens_past_their_ttl_are_expired(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    sim = make_exchange(token_ttl=0.0)
    client = connect(sim.base_url, welcome=False)
    assert client.recv() == {
        "id": "conn-1",
        "type": "error",
        "code": 401,
        "data": "token is expired",
    }
