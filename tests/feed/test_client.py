"""FeedClient against the local exchange over real loopback sockets: history, live candles,
reconnects with their backfill, subscriptions and stopping (protocol faults and the errors
they raise are in ``test_client_faults.py``).

The reference for "no candle missing, none duplicated, none wrong" is the exchange's own
truth: the candles its market model says happened, compared candle for candle.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kucandle_gui.feed import ConnectionState, FeedClient, StatusEvent
from kucandle_gui.protocol import TIMEFRAMES, candle_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config, fast_sim_config
from tests.sim.simclient import START

from .checks import (
    BTC,
    ETH,
    assert_series_unique_and_sorted,
    catch_up_and_compare,
    is_backfill,
    is_history,
    pump_for_candles,
    reconnecting_because,
)


@pytest.fixture
def pinned_exchange() -> Iterator[LocalExchange]:
    """The local exchange started at a fixed simulated moment.

    Some minutes have no trade, hence no candle, as on KuCoin. From the wall clock, which
    minutes those are would change with the hour the test runs at, and so would how many
    candles a test gets to compare; from a fixed start they are the same on every run.
    """
    with LocalExchange(fast_sim_config(start_time=START)) as exchange:
        yield exchange


def test_happy_path_history_then_live_candles_match_the_exchange(
    pinned_exchange: LocalExchange,
) -> None:
    exchange = pinned_exchange
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        consumer = Consumer(feed)
        history = events.wait_for(is_history)
        assert history.count >= 50  # 60 asked, less the pinned market's minutes without a trade
        compared = catch_up_and_compare(exchange, consumer, *BTC)
        metrics = feed.metrics()
    assert compared >= 50
    assert metrics.messages > 0
    assert metrics.errors == 0
    assert metrics.reconnects == 0
    assert metrics.token_age is not None and metrics.token_age >= 0
    assert metrics.latency is not None and metrics.last_message_at is not None
    assert exchange.stats().connects == 1


def test_uses_instance_server_with_fresh_token_and_json_pings(exchange: LocalExchange) -> None:
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config()) as feed:
        consumer = Consumer(feed)
        # Several ping periods pass while candles flow: pings go whatever else is flowing.
        consumer.pump_until(lambda: exchange.stats().pongs_sent >= 4)
    stats = exchange.stats()
    assert stats.connects == 1
    assert stats.pings_received >= 4
    assert stats.tokens_issued == 1 and len(stats.connect_tokens) == 1


def test_drops_mid_stream_leave_no_missing_or_duplicate_candle(
    pinned_exchange: LocalExchange,
) -> None:
    exchange = pinned_exchange
    events = EventRecorder()
    # Reconnect delays of 0.5-1 s are 30-60 simulated seconds: pushes miss the end of a
    # candle, at times a whole one, which only the backfill can bring back.
    config = fast_feed_config(reconnect_base=1.0, reconnect_cap=1.0)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events) as feed:
        consumer = Consumer(feed)
        events.wait_for(is_history)
        for drop in range(1, 4):
            pump_for_candles(exchange, consumer, *BTC, 2)
            assert exchange.faults.drop_connections() == 1
            events.wait_count(is_backfill, drop)
        # Two candles more, so that the candle open at the last drop is among those compared.
        pump_for_candles(exchange, consumer, *BTC, 2)
        compared = catch_up_and_compare(exchange, consumer, *BTC)
        metrics = feed.metrics()
    assert_series_unique_and_sorted(feed, *BTC)
    # The start-up window's 60 minutes and at least the seven the pumps above let pass, less
    # the minutes without a trade, which the pinned start keeps the same on every run.
    assert compared >= 60
    assert metrics.reconnects == 3
    stats = exchange.stats()
    assert stats.connects == 4
    assert len(set(stats.connect_tokens)) == 4, "a fresh token for every connect"
    assert stats.tokens_issued == 4


def test_expired_token_mid_session_reconnects_with_new_token_and_no_gap(
    exchange: LocalExchange,
) -> None:
    events = EventRecorder()
    config = fast_feed_config(reconnect_base=1.0, reconnect_cap=1.0)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events) as feed:
        consumer = Consumer(feed)
        events.wait_for(is_history)
        exchange.faults.expire_tokens()
        events.wait_for(reconnecting_because("token is expired"))
        events.wait_for(is_backfill)
        catch_up_and_compare(exchange, consumer, *BTC)
    stats = exchange.stats()
    assert len(set(stats.connect_tokens)) == stats.connects == 2


def test_token_is_renewed_before_it_expires_without_a_gap(exchange: LocalExchange) -> None:
    events = EventRecorder()
    config = fast_feed_config(token_max_age=1.5, token_refresh_margin=0.0)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events) as feed:
        consumer = Consumer(feed)
        events.wait_count(reconnecting_because("renewal"), 3)
        events.wait_count(is_backfill, 3)
        catch_up_and_compare(exchange, consumer, *BTC)
    stats = exchange.stats()
    assert stats.connects >= 4
    assert len(set(stats.connect_tokens)) == stats.connects


def test_subscription_switch_on_a_live_connection(exchange: LocalExchange) -> None:
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config()) as feed:
        consumer = Consumer(feed)
        consumer.pump_until(lambda: consumer.newest(*BTC) is not None)
        feed.unsubscribe(*BTC)
        feed.subscribe(*ETH)
        consumer.pump_until(lambda: len(consumer.candles(*ETH)) >= 30)
        first_eth = consumer.log.index(ETH)
        assert BTC not in consumer.log[first_eth:], "a candle of the old pair after the new one's"
        stats = exchange.stats()
    assert stats.connects == 1
    assert stats.subscriptions == (frozenset({candle_topic(*ETH)}),)


def test_several_subscriptions_on_one_connection(exchange: LocalExchange) -> None:
    wanted = [BTC, ("ETH-USDT", "5min"), ("SOL-USDT", "1min")]
    with FeedClient(exchange.base_url, wanted, config=fast_feed_config()) as feed:
        consumer = Consumer(feed)
        consumer.pump_until(lambda: all(consumer.newest(*key) for key in wanted))
        for key in wanted:
            catch_up_and_compare(exchange, consumer, *key)
    assert exchange.stats().connects == 1


def test_uplink_limit_of_100_messages_per_10_s_is_respected() -> None:
    symbols = fast_sim_config().symbols
    wanted = [(s, tf) for s in symbols for tf in TIMEFRAMES if tf not in ("1week", "1month")]
    assert len(wanted) > 90  # with the pings, more than 100 messages would go in 10 s
    config = fast_feed_config()
    events = EventRecorder()
    with (
        LocalExchange(fast_sim_config(push_interval=0.5)) as exchange,
        FeedClient(exchange.base_url, wanted, config=config, listener=events),
    ):
        events.wait_count(is_history, len(wanted), timeout=40.0)
        stats = exchange.stats()
    assert stats.uplink_violations == 0
    assert stats.connects == 1
    assert len(stats.subscriptions[0]) == len(wanted)


def test_stop_joins_every_thread(exchange: LocalExchange) -> None:
    feed = FeedClient(exchange.base_url, [BTC], config=fast_feed_config()).start()
    Consumer(feed).pump_until(lambda: feed.metrics().messages > 0)
    feed.stop(timeout=2.0)
    assert not feed.running
    alive = [t.name for t in threading.enumerate() if t.name.startswith("kucandle-")]
    assert alive == []
    feed.drain()  # what arrived before the stop is still delivered...
    assert feed.next(timeout=None) is None  # ...and then the stream ends instead of blocking
    assert list(feed) == []


def test_stop_during_reconnect_backoff_joins() -> None:
    # Nothing listens on this port: the feed is in its reconnect wait when stopped.
    events = EventRecorder()
    feed = FeedClient(
        "http://127.0.0.1:9",
        [BTC],
        config=fast_feed_config(reconnect_base=30.0, reconnect_cap=30.0),
        listener=events,
    ).start()
    events.wait_for(lambda e: isinstance(e, StatusEvent) and e.retry_in)
    feed.stop(timeout=2.0)
    assert not feed.running
    assert events.events[-1] == StatusEvent(ConnectionState.STOPPED)
