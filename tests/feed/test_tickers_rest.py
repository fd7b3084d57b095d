"""Watched pairs' first values over REST, against the local exchange: before the first push,
one ``allTickers`` call for many pairs, quiet retries, giving up after three attempts,
cancelling; and the REST client's two ticker endpoints with their bounds.

The exchange pushes its first snapshot round one ``snapshot_interval`` after a connection
begins; with a long one every ticker a test sees before it came over REST.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator

import pytest

from kucandle_gui.feed import ErrorEvent, FeedClient, rest
from kucandle_gui.feed.rest import UNKNOWN_PAIR, KucoinApiError, RestClient
from kucandle_gui.protocol import Ticker
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config, fast_sim_config

from .checks import BTC, Watchlist, is_ticker_error

STATS = "/api/v1/market/stats"
ALL_TICKERS = "/api/v1/market/allTickers"
PAIRS = ("BTC-USDT", "ETH-USDT", "SOL-USDT")
#: More pairs than ``FeedConfig.ticker_bulk``: made up, the local exchange lists them all.
MANY = tuple(f"T{i}-USDT" for i in range(12))


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    """The fast local exchange, listing ``MANY`` too; no snapshot push for a minute."""
    config = fast_sim_config(snapshot_interval=60.0)
    config.symbols = config.symbols + MANY
    with LocalExchange(config) as running:
        yield running


def requests(exchange: LocalExchange, path: str) -> int:
    return exchange.stats().rest_requests.get(path, 0)


def loads_queued(feed: FeedClient) -> bool:
    """Whether a first-value load waits in the ticker loader's queue (feed state, read whole)."""
    return bool(feed._tickers._loader._jobs)


def test_first_values_come_over_rest_before_the_first_push(exchange: LocalExchange) -> None:
    with FeedClient(exchange.base_url, config=fast_feed_config(), watched=PAIRS) as feed:
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: set(watchlist.latest) == set(PAIRS))
        stats = exchange.stats()
    assert stats.snapshots_sent == 0
    assert stats.rest_requests.get(STATS) == len(PAIRS)
    assert ALL_TICKERS not in stats.rest_requests
    assert watchlist.assert_truth(exchange) == len(PAIRS)


def test_many_new_pairs_take_one_all_tickers_call(exchange: LocalExchange) -> None:
    with FeedClient(exchange.base_url, config=fast_feed_config(), watched=MANY) as feed:
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: set(watchlist.latest) == set(MANY))
        # The pairs not watched are left out; a few added later go one by one.
        assert set(watchlist.latest) == set(MANY)
        feed.watch(PAIRS[:2])
        watchlist.pump_until(lambda: set(watchlist.latest) == set(MANY + PAIRS[:2]))
        stats = exchange.stats()
    assert stats.rest_requests.get(ALL_TICKERS) == 1
    assert stats.rest_requests.get(STATS) == 2
    assert stats.snapshots_sent == 0
    assert {t.time for t in watchlist.log if t.symbol in MANY} == {watchlist.log[0].time}
    watchlist.assert_truth(exchange)


def test_a_rate_limit_on_the_stats_path_is_waited_out(exchange: LocalExchange) -> None:
    exchange.faults.rest_rate_limit(STATS, count=1, reset_ms=50)
    events = EventRecorder()
    config = fast_feed_config(rest_retry_base=0.01)
    with FeedClient(exchange.base_url, config=config, listener=events, watched=PAIRS[:1]) as feed:
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: PAIRS[0] in watchlist.latest)
    assert requests(exchange, STATS) == 2  # the 429, then the answer
    assert events.count(is_ticker_error) == 0  # the REST client's own retry hid it
    watchlist.assert_truth(exchange)


@pytest.mark.parametrize(("path", "watched"), [(STATS, PAIRS[:1]), (ALL_TICKERS, MANY)])
def test_failing_first_value_calls_are_retried_quietly_and_then_succeed(
    exchange: LocalExchange, path: str, watched: tuple[str, ...]
) -> None:
    # Five failures exhaust the REST client's attempts: the loader retries the whole load.
    exchange.faults.rest_server_error(path, count=5)
    events = EventRecorder()
    config = fast_feed_config(rest_retry_base=0.01)
    with FeedClient(exchange.base_url, config=config, listener=events, watched=watched) as feed:
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: set(watchlist.latest) == set(watched))
        metrics = feed.metrics()
    assert requests(exchange, path) == 6
    assert metrics.errors == 1
    # Nothing to tell: the values came (the pushes would have brought them too).
    assert not [e for e in events.events if isinstance(e, ErrorEvent)]
    watchlist.assert_truth(exchange)


@pytest.mark.parametrize(
    ("path", "watched", "symbol"), [(STATS, PAIRS[:1], PAIRS[0]), (ALL_TICKERS, MANY, "")]
)
def test_a_first_value_load_gives_up_after_three_attempts_and_says_so_once(
    exchange: LocalExchange,
    path: str,
    watched: tuple[str, ...],
    symbol: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    exchange.faults.rest_server_error(path, count=3 * 5)  # three loads of five tries
    caplog.set_level(logging.INFO, logger="kucandle_gui")
    events = EventRecorder()
    config = fast_feed_config(rest_retry_base=0.01)
    with FeedClient(exchange.base_url, config=config, listener=events, watched=watched) as feed:
        failed = events.wait_for(is_ticker_error)
        # Nothing more is tried: a pair watched now loads after it, on the same thread.
        feed.watch(PAIRS[1:2])
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: PAIRS[1] in watchlist.latest)
        metrics = feed.metrics()
    assert (failed.symbol, failed.timeframe, failed.code) == (symbol, "", 500000)
    assert not failed.retrying and failed.retry_in is None and not failed.subscription_dropped
    assert "24 h statistics failed" in failed.message
    assert events.count(is_ticker_error) == 1
    # Three loads of five tries each, and the one of the pair watched after.
    tried = {STATS: 1} | ({ALL_TICKERS: 3 * 5} if path == ALL_TICKERS else {STATS: 3 * 5 + 1})
    assert {p: requests(exchange, p) for p in tried} == tried
    assert metrics.errors == 3
    # Said once in the log too, by the event (the loader's retries are below INFO); the REST
    # client's own lines about each of its tries are left out here.
    said = [
        r
        for r in caplog.records
        if "24 h statistics" in r.getMessage() or "retrying" in r.getMessage()
    ]
    assert [r.name for r in said if not r.name.endswith(".rest")] == ["kucandle_gui.feed.client"]


def test_unwatching_cancels_a_first_value_load_waiting_to_retry(exchange: LocalExchange) -> None:
    exchange.faults.rest_server_error(STATS, count=5)
    # The load is retried 0.5 to 1 s after it failed.
    config = fast_feed_config(rest_retry_base=0.01, reconnect_base=1.0, reconnect_cap=1.0)
    with FeedClient(exchange.base_url, [BTC], config=config, watched=PAIRS[:1]) as feed:
        consumer = Consumer(feed)
        consumer.pump_until(lambda: requests(exchange, STATS) == 5 and loads_queued(feed))
        feed.unwatch(PAIRS[:1])
        # The retry falls due and leaves the queue; the loader, one call at a time, loads
        # a pair watched after that only once it is done with the retry.
        consumer.pump_until(lambda: not loads_queued(feed))
        feed.watch(PAIRS[1:2])
        watchlist = Watchlist(feed)
        watchlist.pump_until(lambda: PAIRS[1] in watchlist.latest)
    assert requests(exchange, STATS) == 5 + 1
    assert set(watchlist.latest) == {PAIRS[1]}


def test_stop_is_quick_while_a_first_value_load_waits_and_wakes_a_waiting_consumer() -> None:
    with LocalExchange(fast_sim_config()) as exchange:
        exchange.faults.rest_server_error(STATS, count=100)
        config = fast_feed_config(reconnect_base=30.0, reconnect_cap=30.0)
        feed = FeedClient(exchange.base_url, config=config, watched=PAIRS)
        got: list[list[Ticker]] = []
        woken = threading.Event()

        def consume() -> None:
            got.append(feed.tickers(timeout=60.0))  # none come: REST fails, no push yet
            woken.set()

        consumer = threading.Thread(target=consume, name="test-consumer")
        consumer.start()
        feed.start()
        Watchlist(feed).pump_until(lambda: requests(exchange, STATS) >= 5 and loads_queued(feed))
        feed.stop(timeout=2.0)
        assert woken.wait(5.0), "stop() left a consumer waiting in tickers()"
        consumer.join(5.0)
    assert got == [[]]
    assert not [t.name for t in threading.enumerate() if t.name.startswith("kucandle-")]


# -- the REST client's ticker endpoints -----------------------------------------------------


@pytest.fixture
def client(exchange: LocalExchange) -> Iterator[RestClient]:
    rest_client = RestClient(exchange.base_url, retry_base=0.01)
    yield rest_client
    rest_client.close()


def test_ticker_stats_equal_the_exchanges(exchange: LocalExchange, client: RestClient) -> None:
    for symbol in PAIRS + MANY[:2]:
        ticker = client.ticker_stats(symbol)
        assert ticker.symbol == symbol
        assert ticker == exchange.ticker(symbol, at=ticker.time / 1000)


def test_ticker_stats_of_an_unknown_pair(client: RestClient) -> None:
    with pytest.raises(KucoinApiError) as raised:
        client.ticker_stats("NOPE-USDT")
    assert raised.value.code == UNKNOWN_PAIR
    assert raised.value.failure is None  # the exchange said so in good order


def test_ticker_stats_of_another_pair_are_malformed(
    exchange: LocalExchange, client: RestClient
) -> None:
    other = json.dumps({"code": "200000", "data": {"symbol": "ETH-USDT", "last": "1"}})
    exchange.faults.rest_fail(STATS, count=1, status=200, body=other)
    with pytest.raises(KucoinApiError, match="malformed"):
        client.ticker_stats("BTC-USDT")


def test_all_tickers_lists_every_pair_at_one_moment(
    exchange: LocalExchange, client: RestClient
) -> None:
    tickers = client.all_tickers()
    assert sorted(t.symbol for t in tickers) == sorted(exchange.config.symbols)
    assert len({t.time for t in tickers}) == 1
    assert all(t == exchange.ticker(t.symbol, at=t.time / 1000) for t in tickers)


def test_all_tickers_drops_bad_rows_and_keeps_the_good(
    exchange: LocalExchange, client: RestClient
) -> None:
    good = {"symbol": "BTC-USDT", "changeRate": "0.01", "changePrice": "1", "high": "101"}
    good |= {"low": "99", "vol": "2", "volValue": "200", "last": "100"}
    quiet = dict(good, symbol="ETH-USDT", last=None)  # no trade in 24 h
    body = {"code": "200000", "data": {"time": 1729173207043, "ticker": [good, quiet, "x"]}}
    exchange.faults.rest_fail(ALL_TICKERS, count=1, status=200, body=json.dumps(body))
    tickers = client.all_tickers()
    assert [(t.symbol, t.last, t.time) for t in tickers] == [("BTC-USDT", 100.0, 1729173207043)]


def test_all_tickers_reply_is_bounded(
    exchange: LocalExchange, client: RestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest, "ALL_TICKERS_REPLY_LIMIT", 1024)
    with pytest.raises(KucoinApiError) as raised:
        client.all_tickers()
    assert raised.value.code == "too-large"
