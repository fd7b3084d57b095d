"""Watched pairs' 24 h statistics over real loopback sockets, on the candles' own connection:
values, reconnects, garbage, refused pairs, unwatching.

The reference is the exchange's own truth: ``LocalExchange.ticker(symbol, at)`` at the moment
a ticker carries gives exactly what was sent. These tests read snapshot pushes, so they run
over every frame reader (see ``conftest.py``; the hook below does it for this module).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from kucandle_gui.feed import ErrorEvent, ErrorKind, FeedClient
from kucandle_gui.feed.reader import Reader
from kucandle_gui.protocol import Ticker, candle_topic, snapshot_push_message, snapshot_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config, fast_sim_config

from .checks import (
    BTC,
    Watchlist,
    is_live,
    is_ticker_refused,
    reconnecting_because,
    snapshot_requests_settled,
)

PAIRS = ("BTC-USDT", "ETH-USDT", "SOL-USDT")
STATS = "/api/v1/market/stats"
#: A price no pair of the local exchange ever trades at: a ticker holding it was never sent.
POISON = 123456789.0


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "frame_reader" in metafunc.fixturenames:
        metafunc.parametrize("frame_reader", [r.value for r in Reader], indirect=True)


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    """The fast local exchange, pushing each pair's statistics every 0.2 s."""
    with LocalExchange(fast_sim_config(snapshot_interval=0.2)) as running:
        yield running


def snapshot_topics(symbols: tuple[str, ...] | list[str]) -> set[str]:
    """One topic per pair, as the exchange counts them."""
    return {snapshot_topic([s]) for s in symbols}


def test_watched_pairs_equal_the_exchanges_statistics_on_the_candles_connection(
    exchange: LocalExchange,
) -> None:
    events = EventRecorder()
    with FeedClient(
        exchange.base_url, [BTC], config=fast_feed_config(), listener=events, watched=PAIRS
    ) as feed:
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: all(len(watchlist.times(s)) >= 4 for s in PAIRS))
        Consumer(feed).pump_until(lambda: feed.metrics().messages > 20)
        stats = exchange.stats()
        metrics = feed.metrics()
    assert watchlist.assert_truth(exchange) >= 12
    assert stats.connects == 1 and stats.active_connections == 1
    assert stats.subscriptions == (frozenset({candle_topic(*BTC)} | snapshot_topics(PAIRS)),)
    assert stats.snapshots_sent > 0
    # The first values came over REST, one call per pair (fewer than ``ticker_bulk``).
    assert stats.rest_requests.get(STATS) == len(PAIRS)
    assert metrics.errors == 0 and metrics.reconnects == 0
    assert not [e for e in events.events if isinstance(e, ErrorEvent)]


def test_pairs_watched_later_and_unwatched_on_a_live_connection(exchange: LocalExchange) -> None:
    with FeedClient(exchange.base_url, config=fast_feed_config(), watched=["BTC-USDT"]) as feed:
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: len(watchlist.times("BTC-USDT")) >= 2)
        feed.watch(["eth-usdt", "SOL-USDT"])  # names are normalised as everywhere
        watchlist.pump_until(lambda: all(len(watchlist.times(s)) >= 2 for s in PAIRS))
        feed.unwatch(["ETH-USDT"])
        # Once the exchange has dropped the topic the unwatch was done long before.
        watchlist.pump_until(
            lambda: "/market/snapshot:ETH-USDT" not in exchange.stats().subscriptions[0]
        )
        watchlist.take()
        done = len(watchlist.log)
        watchlist.pump_until(lambda: len(watchlist.times("BTC-USDT")) >= 8)
        after = watchlist.log[done:]
        stats = exchange.stats()
        metrics = feed.metrics()
    assert "ETH-USDT" not in {t.symbol for t in after}
    assert {"BTC-USDT", "SOL-USDT"} <= {t.symbol for t in after}
    assert stats.subscriptions == (frozenset(snapshot_topics(["BTC-USDT", "SOL-USDT"])),)
    assert stats.connects == 1
    # No candles here: the messages are the snapshot pushes (every ticker but the three
    # first values, which came over REST).
    assert metrics.messages >= len(watchlist.log) - len(PAIRS) > 0
    watchlist.assert_truth(exchange)


def test_bad_pair_names_are_refused_at_once() -> None:
    feed = FeedClient("http://127.0.0.1:9")
    with pytest.raises(ValueError, match="BTC_USDT"):
        feed.watch(["ETH-USDT", "BTC_USDT"])
    with pytest.raises(ValueError, match="nope"):
        FeedClient("http://127.0.0.1:9", watched=["nope"])


def test_after_a_drop_and_an_outage_every_pair_flows_again(exchange: LocalExchange) -> None:
    events = EventRecorder()
    with FeedClient(
        exchange.base_url, [BTC], config=fast_feed_config(), listener=events, watched=PAIRS
    ) as feed:
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: all(watchlist.times(s) for s in PAIRS))

        assert exchange.faults.drop_connections() == 1
        events.wait_count(is_live, 2)
        dropped_at = int(exchange.now() * 1000)
        watchlist.pump_until_newer(PAIRS, dropped_at, count=2)

        assert exchange.faults.outage(True) == 1
        events.wait_for(reconnecting_because("no token"))  # a connect failed in the outage
        out_at = int(exchange.now() * 1000)
        exchange.faults.outage(False)
        events.wait_count(is_live, 3)
        watchlist.pump_until_newer(PAIRS, out_at, count=2)
        stats = exchange.stats()
    assert stats.active_connections == 1
    assert stats.subscriptions == (frozenset({candle_topic(*BTC)} | snapshot_topics(PAIRS)),)
    assert feed.metrics().reconnects >= 2
    watchlist.assert_truth(exchange)


def garbage_frames(good: Ticker) -> list[str]:
    """Snapshot frames for ``good.symbol`` that break the protocol, each in its own way; every
    one holds the poison price."""
    poisoned = Ticker(good.symbol, POISON, 0.0, 0.0, POISON, POISON, 1.0, POISON, good.time + 1)
    text = snapshot_push_message(poisoned, 1)
    frame = json.loads(text)

    def changed(**fields: object) -> str:
        copy = json.loads(text)
        copy["data"]["data"].update(fields)
        return json.dumps(copy)

    no_inner = dict(frame, data={"sequence": "1", "lastTradedPrice": POISON})
    return [
        text[: len(text) // 2],  # cut off
        json.dumps(no_inner),  # no data.data
        changed(lastTradedPrice=-POISON),  # a negative price
        changed(symbol="XRP-USDT"),  # another pair's statistics on this pair's topic
        changed(datetime="soon"),  # no time in ms
        changed(high=[POISON]),  # not a number
        re.sub(r'"lastTradedPrice":[0-9.]+', '"lastTradedPrice":NaN', text),  # not JSON
    ]


def test_garbage_snapshot_frames_are_counted_and_never_delivered(exchange: LocalExchange) -> None:
    events = EventRecorder()
    with FeedClient(
        exchange.base_url, config=fast_feed_config(), listener=events, watched=PAIRS[:2]
    ) as feed:
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: all(len(watchlist.times(s)) >= 2 for s in PAIRS[:2]))
        errors_before = feed.metrics().errors
        btc = watchlist.latest["BTC-USDT"]
        frames = garbage_frames(btc)
        assert "NaN" in frames[-1]
        for frame in frames:
            assert exchange.faults.send_raw(frame) == 1
        # Well-formed, but not to be delivered: a pair not watched, and an older moment.
        unwatched = Ticker("XRP-USDT", POISON, 0.0, 0.0, POISON, POISON, 1.0, POISON, btc.time)
        older = Ticker("BTC-USDT", POISON, 0.0, 0.0, POISON, POISON, 1.0, POISON, btc.time - 1)
        for ticker in (unwatched, older):
            exchange.faults.send_raw(snapshot_push_message(ticker, 2))
        watchlist.pump_until(lambda: feed.metrics().errors >= errors_before + len(frames))
        now = int(exchange.now() * 1000)
        watchlist.pump_until_newer(PAIRS[:2], now, count=2)
        metrics = feed.metrics()
    assert metrics.errors == errors_before + len(frames)
    assert metrics.reconnects == 0
    bad = [e for e in events.events if isinstance(e, ErrorEvent)]
    assert [e.kind for e in bad] == [ErrorKind.BAD_FRAME] * len(frames)
    assert POISON not in {t.last for t in watchlist.log}
    watchlist.assert_truth(exchange)


@pytest.mark.parametrize("connect_id", [False, True], ids=["request-id", "connect-id"])
def test_an_unknown_pair_among_several_is_refused_alone(
    exchange: LocalExchange, connect_id: bool
) -> None:
    """The refusal of the unknown pair's topic, matched to its request by id or by the topic
    it names; the others of its list are asked for again. Its REST statistics would tell as
    well: the first ``/market/stats`` call is answered 429 with a 60 s reset, and the loader
    (one call at a time, in the order the pairs were watched) waits it out before it asks
    for NOPE-USDT's, so the topic's refusal comes first, for certain."""
    exchange.faults.errors_with_connect_id(connect_id)
    exchange.faults.rest_rate_limit(STATS, count=1, reset_ms=60_000)
    watched = ["BTC-USDT", "NOPE-USDT", "ETH-USDT"]
    events = EventRecorder()
    with FeedClient(
        exchange.base_url, [BTC], config=fast_feed_config(), listener=events, watched=watched
    ) as feed:
        refused = events.wait_for(is_ticker_refused)
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: all(len(watchlist.times(s)) >= 3 for s in PAIRS[:2]))
        # Every request answered: an error left unmatched would have kept its request
        # waiting until the ack timeout cost a reconnect.
        served = {candle_topic(*BTC)} | snapshot_topics(["BTC-USDT", "ETH-USDT"])
        watchlist.pump_until(
            lambda: snapshot_requests_settled(feed) and exchange.stats().subscriptions == (served,)
        )
        stats = exchange.stats()
        metrics = feed.metrics()
    assert (refused.symbol, refused.timeframe, refused.code) == ("NOPE-USDT", "", 404)
    assert refused.subscription_dropped and not refused.retrying
    assert "NOPE-USDT" in refused.message
    assert events.count(is_ticker_refused) == 1
    assert "NOPE-USDT" not in {t.symbol for t in watchlist.log}
    assert (stats.connects, metrics.reconnects) == (1, 0)
    assert stats.rest_requests.get(STATS) == 1  # the 429: nothing else went wrong
    assert metrics.errors == 1
    watchlist.assert_truth(exchange)


def test_an_unknown_pair_found_out_over_rest_is_never_subscribed(exchange: LocalExchange) -> None:
    """Its ``/market/stats`` (code 200000, null fields) refuse it: KuCoin may take the topic
    of a pair it does not list and stay silent, so the feed cannot wait for the topic's
    refusal. The exchange holds back its welcome until the refusal was reported, so no
    subscribe can have gone out before: the topic's refusal cannot come first."""
    exchange.faults.delay_welcome(60.0)
    watched = ["BTC-USDT", "NOPE-USDT", "ETH-USDT"]
    events = EventRecorder()
    with FeedClient(
        exchange.base_url, config=fast_feed_config(), listener=events, watched=watched
    ) as feed:
        refused = events.wait_for(is_ticker_refused)
        assert exchange.stats().subscribe_requests == 0
        exchange.faults.delay_welcome(0.0)
        watchlist = Watchlist(feed)
        live_at = int(exchange.now() * 1000)
        watchlist.pump_until_newer(["BTC-USDT", "ETH-USDT"], live_at, count=2)
        stats = exchange.stats()
    assert (refused.symbol, refused.timeframe, refused.code) == ("NOPE-USDT", "", None)
    assert refused.subscription_dropped and "NOPE-USDT" in refused.message
    assert events.count(is_ticker_refused) == 1
    assert not [e for e in events.events if isinstance(e, ErrorEvent) and e is not refused]
    assert stats.subscriptions == (frozenset(snapshot_topics(["BTC-USDT", "ETH-USDT"])),)
    assert "NOPE-USDT" not in {t.symbol for t in watchlist.log}
    watchlist.assert_truth(exchange)
