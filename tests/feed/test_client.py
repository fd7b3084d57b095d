"""FeedClient against the local exchange over real loopback sockets, with faults injected.

The reference for "no candle missing, none duplicated, none wrong" is the exchange's own
truth: the candles its market model says happened, compared candle for candle.
"""

from __future__ import annotations

import json
import threading

from kucandle_gui.feed import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedClient,
    HistoryEvent,
    StatusEvent,
)
from kucandle_gui.protocol import TIMEFRAME_SECONDS, TIMEFRAMES, candle_start, candle_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config, fast_sim_config

BTC = ("BTC-USDT", "1min")
ETH = ("ETH-USDT", "1min")


def is_live(event: object) -> bool:
    return isinstance(event, StatusEvent) and event.state is ConnectionState.LIVE


def reconnecting_because(text: str):
    def predicate(event: object) -> bool:
        return (
            isinstance(event, StatusEvent)
            and event.state is ConnectionState.RECONNECTING
            and text in event.reason
        )

    return predicate


def is_history(event: object) -> bool:
    return isinstance(event, HistoryEvent)


def catch_up_and_compare(exchange: LocalExchange, consumer: Consumer, symbol: str, tf: str) -> int:
    """Let the consumer see two candles past the last closed one, then compare every candle
    from its oldest to that one with the exchange's truth; returns how many were compared."""
    length = TIMEFRAME_SECONDS[tf]
    closed = candle_start(tf, exchange.now()) - length
    consumer.pump_until(lambda: (consumer.newest(symbol, tf) or 0) >= closed + 2 * length)
    got = consumer.candles(symbol, tf)
    first = min(got)
    truth = {c.time: c for c in exchange.truth(symbol, tf, first, closed)}
    mine = {t: c for t, c in got.items() if t <= closed}
    assert sorted(set(truth) - set(mine)) == [], "candles missing"
    assert sorted(set(mine) - set(truth)) == [], "candles the exchange never had"
    assert [t for t in truth if truth[t] != mine[t]] == [], "candles with wrong values"
    return len(truth)


def assert_series_unique_and_sorted(feed: FeedClient, symbol: str, tf: str) -> None:
    """The feed's own series after stop(): strictly increasing start times."""
    subscription = feed._subscriptions.get((symbol, tf))
    assert subscription is not None
    times = [c.time for c in subscription.series.candles()]
    assert times == sorted(set(times))


def test_happy_path_history_then_live_candles_match_the_exchange(exchange: LocalExchange) -> None:
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        consumer = Consumer(feed)
        history = events.wait_for(is_history)
        assert history.count >= 50  # 60 asked; a few minutes may have had no trades
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


def test_welcome_timeout_reconnects_until_welcome_comes(exchange: LocalExchange) -> None:
    exchange.faults.delay_welcome(5.0)
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        events.wait_for(reconnecting_because("no welcome"))
        exchange.faults.delay_welcome(0.0)
        events.wait_for(is_live)
        Consumer(feed).pump_until(lambda: feed.metrics().messages > 0)
    assert exchange.stats().connects >= 2


def test_missing_pongs_mean_a_dead_link_and_a_reconnect(exchange: LocalExchange) -> None:
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        events.wait_for(is_live)
        exchange.faults.ignore_pings(True)
        events.wait_for(reconnecting_because("no pong"))
        exchange.faults.ignore_pings(False)
        events.wait_count(is_live, 2)
        consumer = Consumer(feed)
        catch_up_and_compare(exchange, consumer, *BTC)
    assert feed.metrics().reconnects >= 1


def test_stalled_stream_is_detected_by_the_pong_watchdog(exchange: LocalExchange) -> None:
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events):
        events.wait_for(is_live)
        exchange.faults.stall(True)
        events.wait_for(reconnecting_because("no pong"))
        exchange.faults.stall(False)
        events.wait_count(is_live, 2)


def test_drops_mid_stream_leave_no_missing_or_duplicate_candle(exchange: LocalExchange) -> None:
    events = EventRecorder()
    # Reconnect delays of 0.5-1 s are 30-60 simulated seconds: pushes miss whole candles,
    # which only the backfill can bring back.
    config = fast_feed_config(reconnect_base=1.0, reconnect_cap=1.0)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events) as feed:
        consumer = Consumer(feed)
        events.wait_for(is_history)
        for drop in range(1, 4):
            consumer.pump_until(lambda: consumer.newest(*BTC) is not None)
            newest = consumer.newest(*BTC)
            consumer.pump_until(lambda newest=newest: consumer.newest(*BTC) >= newest + 120)
            assert exchange.faults.drop_connections() == 1
            events.wait_count(lambda e: isinstance(e, HistoryEvent) and e.backfill, drop)
        compared = catch_up_and_compare(exchange, consumer, *BTC)
        metrics = feed.metrics()
    assert_series_unique_and_sorted(feed, *BTC)
    assert compared >= 60
    assert metrics.reconnects == 3
    stats = exchange.stats()
    assert stats.connects == 4
    assert len(set(stats.connect_tokens)) == 4, "a fresh token for every connect"
    assert stats.tokens_issued == 4


def test_garbage_frames_are_counted_as_errors_and_the_stream_goes_on(
    exchange: LocalExchange,
) -> None:
    topic = candle_topic(*BTC)
    wrong_typed = json.dumps(
        {
            "type": "message",
            "topic": topic,
            "subject": "trade.candles.update",
            "data": {
                "symbol": "BTC-USDT",
                "candles": ["1", "x", "2", "3", "1", "5", "6"],
                "time": 1729842192785164840,
            },
        }
    )
    impossible = json.dumps(
        {
            "type": "message",
            "topic": topic,
            "subject": "trade.candles.update",
            "data": {
                "symbol": "BTC-USDT",
                "candles": ["60", "10", "10", "9", "11", "1", "10"],
                "time": "1729842192785164840",
            },
        }
    )
    frames = [
        "not json at all",
        '{"type":"message","topic":"' + topic,
        wrong_typed,
        impossible,
        b"\x00\x01\x02",
    ]
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        consumer = Consumer(feed)
        consumer.pump_until(lambda: feed.metrics().messages > 0)
        errors_before = feed.metrics().errors
        for frame in frames:
            assert exchange.faults.send_raw(frame) == 1
        exchange.faults.send_raw('{"type":"notice","data":{}}')
        consumer.pump_until(lambda: feed.metrics().errors >= errors_before + len(frames))
        messages = feed.metrics().messages
        consumer.pump_until(lambda: feed.metrics().messages >= messages + 5)
        catch_up_and_compare(exchange, consumer, *BTC)
        metrics = feed.metrics()
    assert metrics.errors == errors_before + len(frames)
    assert metrics.ignored >= 1
    assert metrics.reconnects == 0
    assert events.count(lambda e: isinstance(e, ErrorEvent) and "bad frame" in e.message) == 5


def test_unknown_symbol_is_a_clear_error_and_no_crash_loop(exchange: LocalExchange) -> None:
    events = EventRecorder()
    with FeedClient(
        exchange.base_url, [("NOPE-USDT", "1min")], config=fast_feed_config(), listener=events
    ) as feed:
        refused = events.wait_for(lambda e: isinstance(e, ErrorEvent) and e.subscription_dropped)
        assert "NOPE-USDT" in refused.message and "404" in refused.message
        assert (refused.kind, refused.code, refused.retrying) == (ErrorKind.REFUSED, 404, False)
        # The connection stays up and serves a valid pair afterwards.
        feed.subscribe(*ETH)
        Consumer(feed).pump_until(lambda: feed.metrics().messages > 0)
        metrics = feed.metrics()
    assert metrics.reconnects == 0
    assert exchange.stats().connects == 1


def test_unknown_symbol_error_without_the_request_id_is_still_matched(
    exchange: LocalExchange,
) -> None:
    exchange.faults.errors_with_connect_id(True)
    events = EventRecorder()
    with FeedClient(
        exchange.base_url, [("NOPE-USDT", "1min"), BTC], config=fast_feed_config(), listener=events
    ) as feed:
        refused = events.wait_for(lambda e: isinstance(e, ErrorEvent) and e.subscription_dropped)
        assert refused.symbol == "NOPE-USDT"
        consumer = Consumer(feed)
        consumer.pump_until(lambda: consumer.newest(*BTC) is not None)
        first = consumer.newest(*BTC)
        # Three candles later we are past the 2 s ack timeout: an error left unmatched would
        # have cost a reconnect (and a retry of the bad pair) by now.
        consumer.pump_until(lambda: consumer.newest(*BTC) >= first + 180)
    assert feed.metrics().reconnects == 0
    assert exchange.stats().connects == 1


def test_exchange_error_message_is_reported_and_the_feed_goes_on(exchange: LocalExchange) -> None:
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        consumer = Consumer(feed)
        consumer.pump_until(lambda: feed.metrics().messages > 0)
        exchange.faults.send_error(500, "system error")
        reported = events.wait_for(lambda e: isinstance(e, ErrorEvent) and "500" in e.message)
        assert "system error" in reported.message
        assert (reported.kind, reported.code, reported.reason) == (
            ErrorKind.EXCHANGE,
            500,
            "system error",
        )
        assert not reported.retrying and not reported.subscription_dropped
        messages = feed.metrics().messages
        consumer.pump_until(lambda: feed.metrics().messages > messages)
    assert feed.metrics().reconnects == 0


def test_refused_tokens_are_replaced_by_fresh_ones(exchange: LocalExchange) -> None:
    exchange.faults.refuse_tokens(2)
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        events.wait_count(reconnecting_because("token refused"), 2)
        Consumer(feed).pump_until(lambda: feed.metrics().messages > 0)
    stats = exchange.stats()
    assert stats.connects == 3
    assert len(set(stats.connect_tokens)) == 3


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
        events.wait_for(lambda e: isinstance(e, HistoryEvent) and e.backfill)
        catch_up_and_compare(exchange, consumer, *BTC)
    stats = exchange.stats()
    assert len(set(stats.connect_tokens)) == stats.connects == 2


def test_token_is_renewed_before_it_expires_without_a_gap(exchange: LocalExchange) -> None:
    events = EventRecorder()
    config = fast_feed_config(token_max_age=1.5, token_refresh_margin=0.0)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events) as feed:
        consumer = Consumer(feed)
        events.wait_count(reconnecting_because("renewal"), 3)
        events.wait_count(lambda e: isinstance(e, HistoryEvent) and e.backfill, 3)
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


def test_pair_refused_by_rest_history_is_dropped_not_shown_with_holes(
    exchange: LocalExchange,
) -> None:
    refusal = '{"code":"400100","msg":"This pair is not provided at present."}'
    exchange.faults.rest_fail("/api/v1/market/candles", count=1, status=200, body=refusal)
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        refused = events.wait_for(lambda e: isinstance(e, ErrorEvent) and e.subscription_dropped)
        assert "400100" in refused.message and "not provided" in refused.message
        assert (refused.kind, refused.code, refused.symbol) == (
            ErrorKind.REFUSED,
            400100,
            "BTC-USDT",
        )
        feed.subscribe(*ETH)  # goes after the unsubscribe on the same socket
        consumer = Consumer(feed)
        consumer.pump_until(lambda: consumer.newest(*ETH) is not None)
        assert exchange.stats().subscriptions == (frozenset({candle_topic(*ETH)}),)
    assert feed.metrics().reconnects == 0


def test_a_failed_history_load_says_it_retries_and_when(exchange: LocalExchange) -> None:
    exchange.faults.rest_server_error("/api/v1/market/candles", count=5)
    events = EventRecorder()
    config = fast_feed_config(rest_retry_base=0.01)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events):
        failed = events.wait_for(lambda e: isinstance(e, ErrorEvent))
        assert (failed.kind, failed.symbol, failed.timeframe) == (ErrorKind.HISTORY, *BTC)
        assert failed.retrying and failed.retry_in is not None and failed.retry_in > 0
        assert not failed.subscription_dropped
        events.wait_for(is_history)
