"""The feed's tap (``FeedConfig.tap``): every REST attempt's outcome, every WebSocket frame in
and out, when each session starts and ends; a tap that raises costs neither the feed nor more
than one log record.

Real parts: the REST client against the local exchange and the hostile server (a compressed
answer, a redirect), WebSocket sessions and the whole feed against the local exchange.
"""

from __future__ import annotations

import gzip
import json
import logging

import pytest

from kucandle_gui.feed import FeedClient, FeedTap, HistoryEvent, SubscriptionEvent
from kucandle_gui.feed.connection import SessionTimeouts, WsSession, session_url
from kucandle_gui.feed.rest import ExchangeUnreachable, KucoinApiError, RestClient
from kucandle_gui.feed.tap import TAP_METHODS, GuardedTap, guarded
from kucandle_gui.protocol import candle_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import EventRecorder, fast_feed_config
from tests.sim.simclient import wait_until

from .checks import BTC, is_live, reconnecting_because
from .gates import TapLog
from .hostile import HostileServer, raw_reply, redirect

TIMESTAMP = "/api/v1/timestamp"
BULLET = "/api/v1/bullet-public"
CANDLES = "/api/v1/market/candles"


def test_a_tap_is_guarded_once() -> None:
    tap: FeedTap = TapLog()  # a FeedTap structurally, as a recorder is
    wrapped = guarded(tap)
    assert isinstance(wrapped, GuardedTap) and wrapped.tap is tap
    assert guarded(wrapped) is wrapped
    assert guarded(None) is None


def test_a_guarded_tap_has_every_method_of_the_protocol() -> None:
    methods = {n for n, value in vars(FeedTap).items() if callable(value) and n[0] != "_"}
    assert set(TAP_METHODS) == methods
    tap = TapLog()
    wrapped = guarded(tap)
    for name in TAP_METHODS:
        getattr(wrapped, name)("a", "b")
    assert [name for name, _ in tap.calls] == list(TAP_METHODS)


def test_every_rest_attempt_is_told_with_its_path_params_and_answer(
    exchange: LocalExchange,
) -> None:
    tap = TapLog()
    exchange.faults.rest_server_error(CANDLES, count=1)
    rest = RestClient(exchange.base_url, retry_base=0.01, retry_cap=0.02, tap=tap)
    try:
        now = int(rest.server_time())
        candles = rest.candles("BTC-USDT", "1min", now - 600, now)
    finally:
        rest.close()
    answers = tap.of("rest_answer")
    assert [(a[0], a[1], a[3]) for a in answers] == [
        ("GET", TIMESTAMP, 200),
        ("GET", CANDLES, 500),  # the retry is an attempt of its own
        ("GET", CANDLES, 200),
    ]
    params = {"symbol": "BTC-USDT", "type": "1min", "startAt": now - 600, "endAt": now}
    assert answers[1][2] == answers[2][2] == params  # as sent, without the base URL
    assert json.loads(answers[0][5])["data"] == pytest.approx(now * 1000, abs=1000)
    rows = json.loads(answers[2][5])["data"]
    assert len(rows) == len(candles) > 0
    assert "Content-Type" in answers[2][4]
    assert tap.of("rest_failure") == []


def test_an_attempt_without_an_answer_is_told_as_a_failure(exchange: LocalExchange) -> None:
    tap = TapLog()
    exchange.faults.outage(True)
    rest = RestClient(exchange.base_url, tap=tap)
    try:
        with pytest.raises(ExchangeUnreachable):
            rest.server_time()
    finally:
        rest.close()
    [(method, path, params, status, failure, text)] = tap.of("rest_failure")
    assert (method, path, params, status) == ("GET", TIMESTAMP, None, None)
    assert failure is not None and text
    assert tap.of("rest_answer") == []


def test_the_body_told_is_the_inflated_one_and_a_refused_answer_has_its_status() -> None:
    body = json.dumps({"code": "200000", "data": 1_700_000_000_000}).encode()
    with HostileServer() as hostile:
        hostile.route(TIMESTAMP, raw_reply(gzip.compress(body), 200, {"Content-Encoding": "gzip"}))
        hostile.route(BULLET, redirect("http://elsewhere.example/"))
        tap = TapLog()
        rest = RestClient(hostile.base_url, tap=tap)
        try:
            assert rest.server_time() == 1_700_000_000
            with pytest.raises(KucoinApiError):
                rest.bullet_public()
        finally:
            rest.close()
    [answer] = tap.of("rest_answer")
    assert answer[5] == body
    [(method, path, _, status, failure, text)] = tap.of("rest_failure")
    assert (method, path, status, failure) == ("POST", BULLET, 302, "server")
    assert "redirect" in text


def test_a_session_tells_its_connect_and_every_frame(exchange: LocalExchange) -> None:
    tap = TapLog()
    rest = RestClient(exchange.base_url)
    try:
        bullet = rest.bullet_public()
    finally:
        rest.close()
    session = WsSession(bullet, SessionTimeouts(connect=2.0, welcome=2.0, poll=0.05), tap=tap)
    session.open(lambda: False)
    try:
        ident = session.request("subscribe", candle_topic(*BTC))
        answered = False
        while not answered:
            message = session.step()
            answered = getattr(message, "id", None) == ident
    finally:
        session.close()
    [(connect_id, url)] = tap.of("ws_open")
    assert connect_id == session.connect_id
    assert url == session_url(session.server, bullet.token, connect_id)  # the token in it
    received = tap.of("ws_received")
    assert all(c == connect_id for c, _ in received)
    assert json.loads(received[0][1])["type"] == "welcome"
    assert any(json.loads(f).get("id") == ident for _, f in received)  # the ack
    [(sent_id, frame)] = [s for s in tap.of("ws_sent") if json.loads(s[1])["type"] != "ping"]
    assert sent_id == connect_id
    assert json.loads(frame) == {
        "id": ident,
        "type": "subscribe",
        "topic": candle_topic(*BTC),
        "privateChannel": False,
        "response": True,
    }
    # The order of the calls is the order on the wire: the open first, the welcome next.
    names = [n for n, _ in tap.calls]
    assert names[:2] == ["ws_open", "ws_received"]


def test_the_feed_tells_each_session_end_once_with_why(exchange: LocalExchange) -> None:
    tap = TapLog()
    events = EventRecorder()
    config = fast_feed_config(tap=tap)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events) as feed:
        events.wait_for(lambda e: isinstance(e, HistoryEvent))
        # The link is lost, and the next connect fails: its welcome comes later than the
        # feed waits for it.
        exchange.faults.delay_welcome(5.0)
        assert exchange.faults.drop_connections() == 1
        events.wait_for(reconnecting_because("no welcome"))
        exchange.faults.delay_welcome(0.0)
        events.wait_count(is_live, 2)
        wait_until(lambda: feed.metrics().messages > 0)
    opened = [connect_id for connect_id, _ in tap.of("ws_open")]
    ended = tap.of("ws_end")
    assert [connect_id for connect_id, _, _ in ended] == opened
    assert len(opened) >= 3 and len(set(opened)) == len(opened)
    # Every session but the last was lost, with the reason the feed gave its listener.
    reconnects = [e for e in events.events if reconnecting_because("")(e)]
    assert [(reason, planned) for _, reason, planned in ended[:-1]] == [
        (e.reason, False) for e in reconnects
    ]
    assert "no welcome" in ended[1][1]
    assert ended[-1][1:] == ("stopped", True)
    # Each session's frames are told under its own connectId, none after its end.
    end_at = {args[0]: i for i, (name, args) in enumerate(tap.calls) if name == "ws_end"}
    framed = [(i, args[0]) for i, (n, args) in enumerate(tap.calls) if n.startswith("ws_")]
    assert all(i <= end_at[connect_id] for i, connect_id in framed)
    # The feed's REST calls are told too: tokens, the clock, the history.
    paths = {args[1] for args in tap.of("rest_answer")}
    assert {BULLET, TIMESTAMP, CANDLES} <= paths


class BrokenTap(TapLog):
    """A tap that fails on every frame received."""

    def ws_received(self, connect_id: str, frame: str | bytes) -> None:
        raise RuntimeError("the tap broke")


def test_a_tap_that_raises_is_logged_once_and_the_feed_goes_on(
    exchange: LocalExchange, caplog: pytest.LogCaptureFixture
) -> None:
    tap = BrokenTap()
    events = EventRecorder()
    with (
        caplog.at_level(logging.ERROR, logger="kucandle_gui.feed.tap"),
        FeedClient(
            exchange.base_url, [BTC], config=fast_feed_config(tap=tap), listener=events
        ) as feed,
    ):
        events.wait_for(lambda e: isinstance(e, SubscriptionEvent) and e.subscribed)
        wait_until(lambda: feed.metrics().messages >= 5, 10.0, "pushes")
        assert feed.next(timeout=10.0) is not None
    failures = [r for r in caplog.records if r.name == "kucandle_gui.feed.tap"]
    assert len(failures) == 1
    assert "ws_received" in failures[0].getMessage() and failures[0].exc_info is not None
    assert tap.of("ws_open") and tap.of("ws_end")  # its other methods were still called
