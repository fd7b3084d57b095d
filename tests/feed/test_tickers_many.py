"""Hundreds of watched pairs on the candles' one connection: within the uplink's budget, every
pair delivered; and past the 400 topics KuCoin allows a connection, the pairs that do not fit
are refused with the exchange's reason while every other one is served."""

from __future__ import annotations

from kucandle_gui.feed import ErrorEvent, FeedClient
from kucandle_gui.protocol import candle_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import EventRecorder, fast_feed_config, fast_sim_config

from .checks import BTC, Watchlist, is_ticker_refused

#: Made-up pairs: the local exchange lists any pair its config names.
MANY = tuple(f"W{i:03d}-USDT" for i in range(300))


def test_300_pairs_on_one_connection_within_the_uplink_budget() -> None:
    config = fast_sim_config(snapshot_interval=0.5)
    config.symbols = config.symbols + MANY
    with (
        LocalExchange(config) as exchange,
        FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), watched=MANY) as feed,
    ):
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: set(watchlist.latest) == set(MANY))  # allTickers
        first = int(exchange.now() * 1000)
        watchlist.pump_until_newer(MANY, first, count=1)  # and then a push of each
        stats = exchange.stats()
        metrics = feed.metrics()
    assert stats.uplink_violations == 0
    assert stats.connects == 1 and stats.active_connections == 1
    assert len(stats.subscriptions[0]) == len(MANY) + 1
    assert candle_topic(*BTC) in stats.subscriptions[0]
    assert stats.rest_requests.get("/api/v1/market/allTickers") == 1
    assert "/api/v1/market/stats" not in stats.rest_requests
    # Comma lists of 100: three subscribes for the pairs, one for the candles.
    assert stats.subscribe_requests == 4
    assert (metrics.errors, metrics.reconnects) == (0, 0)
    watchlist.assert_truth(exchange)


def test_pairs_past_400_topics_are_refused_with_the_exchanges_reason() -> None:
    watched = MANY + tuple(f"X{i:03d}-USDT" for i in range(105))  # 405 pairs and a series
    config = fast_sim_config(snapshot_interval=0.5)
    config.symbols = config.symbols + watched
    events = EventRecorder()
    with (
        LocalExchange(config) as exchange,
        FeedClient(
            exchange.base_url, [BTC], config=fast_feed_config(), listener=events, watched=watched
        ) as feed,
    ):

        def refused() -> list[ErrorEvent]:
            return [e for e in events.events if is_ticker_refused(e)]

        events.wait_count(is_ticker_refused, 6, timeout=60.0)
        watchlist = Watchlist(feed)
        served = [s for s in watched if s not in {e.symbol for e in refused()}]
        first = int(exchange.now() * 1000)
        watchlist.pump_until_newer(served, first, count=1)
        stats = exchange.stats()
        metrics = feed.metrics()
    assert len(refused()) == 6
    assert not [e for e in events.events if isinstance(e, ErrorEvent) and e not in refused()]
    assert all(e.code == 509 and "exceed max subscription" in e.reason for e in refused())
    assert len(stats.subscriptions[0]) == 400
    assert stats.uplink_violations == 0
    assert metrics.reconnects == 0
    # Their first values, if they came before the refusal, were discarded with it.
    assert not {e.symbol for e in refused()} & {t.symbol for t in watchlist.log}
    watchlist.assert_truth(exchange)
