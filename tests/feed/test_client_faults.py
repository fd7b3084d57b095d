"""FeedClient against the local exchange when things go wrong on the wire or at the exchange:
silent or stalled links, garbage frames, error messages, refused pairs and tokens, failing
history loads. Each fault must be reported for what it is and the feed must go on (or drop
just the series the exchange refuses), over real loopback sockets.
"""

from __future__ import annotations

import json

from kucandle_gui.feed import ErrorEvent, ErrorKind, FeedClient
from kucandle_gui.protocol import candle_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config

from .checks import (
    BTC,
    ETH,
    catch_up_and_compare,
    is_history,
    is_live,
    pump_for_candles,
    reconnecting_because,
)


def is_dropped(event: object) -> bool:
    """An error that ended a subscription."""
    return isinstance(event, ErrorEvent) and event.subscription_dropped


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
        refused = events.wait_for(is_dropped)
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
        refused = events.wait_for(is_dropped)
        assert refused.symbol == "NOPE-USDT"
        # Four candles on (one simulated minute a second) the 2 s ack timeout is well past:
        # an error left unmatched would have cost a reconnect (and a retry of the bad pair).
        pump_for_candles(exchange, Consumer(feed), *BTC, 4)
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


def test_pair_refused_by_rest_history_is_dropped_not_shown_with_holes(
    exchange: LocalExchange,
) -> None:
    refusal = '{"code":"400100","msg":"This pair is not provided at present."}'
    exchange.faults.rest_fail("/api/v1/market/candles", count=1, status=200, body=refusal)
    events = EventRecorder()
    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        refused = events.wait_for(is_dropped)
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
