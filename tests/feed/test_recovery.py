"""Recovery after repeated drops, against the local exchange's outages (fast clock).

A flaky link drops every few seconds with a short outage each time. The reconnect delays
then grow within an outage (connects that fail are backed off) and start from the base
again once the next session's subscribe is acknowledged, so that every outage costs about
itself, not more than the one before. The delays are read from the events the feed emits
(``StatusEvent.retry_in``), never from a clock.
"""

from __future__ import annotations

import logging

import pytest

from kucandle_gui.feed import ConnectionState, FeedClient, StatusEvent, SubscriptionEvent
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config

from .checks import catch_up_and_compare, pump_for_candles

BTC = ("BTC-USDT", "1min")
BASE = 0.05
OUTAGES = 3
#: Failed connects waited for in each outage: enough for the delay to grow past the base.
FAILED_PER_OUTAGE = 3


def is_reconnecting(event: object) -> bool:
    return isinstance(event, StatusEvent) and event.state is ConnectionState.RECONNECTING


def is_subscribed(event: object) -> bool:
    return isinstance(event, SubscriptionEvent) and event.subscribed


def test_after_an_acknowledged_session_the_reconnect_delay_starts_from_the_base(
    exchange: LocalExchange, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kucandle_gui.feed.client")
    events = EventRecorder()
    config = fast_feed_config(reconnect_base=BASE, reconnect_cap=0.8, min_connect_interval=0.3)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events) as feed:
        consumer = Consumer(feed)
        for outage in range(OUTAGES):
            events.wait_count(is_subscribed, outage + 1)
            # The session lives a while (over a second), longer than the least interval.
            pump_for_candles(exchange, consumer, *BTC, 2)
            failed_before = events.count(is_reconnecting) + 1  # the drop's own
            assert exchange.faults.outage(True) == 1
            events.wait_count(is_reconnecting, failed_before + FAILED_PER_OUTAGE)
            exchange.faults.outage(False)
        events.wait_count(is_subscribed, OUTAGES + 1)
        compared = catch_up_and_compare(exchange, consumer, *BTC)
        metrics = feed.metrics()
    assert compared >= 55
    delays = [e for e in events.events if is_reconnecting(e)]
    drops = [i for i, e in enumerate(delays) if e.reason != "no token"]
    assert len(drops) == OUTAGES
    for i in drops:
        after_drop = delays[i].retry_in
        assert after_drop is not None and after_drop <= BASE, "backoff not reset by the ack"
        grown = delays[i + FAILED_PER_OUTAGE].retry_in
        assert grown is not None and grown > BASE, "failed connects must still back off"
    assert metrics.reconnects == OUTAGES  # one per live session lost
    assert metrics.connect_attempts == len(delays) - OUTAGES  # the connects that failed
    # The log says why each gap began, with the delay chosen.
    lost = [r.getMessage() for r in caplog.records if r.getMessage().startswith("connection")]
    assert len(lost) == OUTAGES
    assert all("reconnecting in" in line for line in lost)
    failed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("connect ")]
    assert failed and all(line.startswith("connect failed: no token;") for line in failed)


def test_a_server_that_acknowledges_and_drops_at_once_is_not_hammered(
    exchange: LocalExchange,
) -> None:
    """Every session is acknowledged, so the backoff starts over each time: the least
    interval between connects alone spaces them (what is left of it is the delay)."""
    events = EventRecorder()
    config = fast_feed_config(reconnect_base=0.01, reconnect_cap=0.02, min_connect_interval=1.0)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events):
        for drop in range(1, 3):
            events.wait_count(is_subscribed, drop)
            assert exchange.faults.drop_connections() == 1
            events.wait_count(is_reconnecting, drop)
        events.wait_count(is_subscribed, 3)
    delays = [e.retry_in for e in events.events if is_reconnecting(e)]
    # Without the interval they would be at most 0.02 s; a session of under half a second
    # (connect, subscribe, ack, drop on loopback) leaves more than half of it.
    assert len(delays) == 2 and all(d is not None and d > 0.5 for d in delays), delays
    assert exchange.stats().connects == 3


def test_connects_that_never_got_through_are_attempts_not_reconnects() -> None:
    events = EventRecorder()
    # Nothing listens on this port: every connect fails before a session is live.
    with FeedClient(
        "http://127.0.0.1:9", [BTC], config=fast_feed_config(), listener=events
    ) as feed:
        events.wait_count(is_reconnecting, 3)
        metrics = feed.metrics()
    assert metrics.reconnects == 0
    assert metrics.connect_attempts >= 3
