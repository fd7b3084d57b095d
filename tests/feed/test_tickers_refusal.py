"""A pair the exchange does not list is refused once, whichever tells first: its snapshot
topic's refusal or its REST statistics (null fields); pairs missing from ``allTickers`` are
asked for one by one; a first-value load that gives up says so only while a row is empty.

The local exchange refuses an unknown pair's topic at once, so over a socket which of the two
answers the feed handles first is a race (``test_tickers.py`` has one test for each order that
a socket can make certain). Here each order is played exactly: the REST calls are real ones
to the local exchange, made by the feed's own loader thread, but what it hands back to the
feed thread waits in a queue until the test, playing the feed thread, runs it; and the
session's request side is :class:`.checks.Uplink`, whose answers the test gives.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator

import pytest

from kucandle_gui.feed import ErrorEvent, FeedEvent
from kucandle_gui.feed.metrics import MetricsRecorder
from kucandle_gui.feed.rest import RestClient
from kucandle_gui.feed.ticker_feed import TickerFeed
from kucandle_gui.protocol import ErrorMessage, SnapshotPush, snapshot_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import fast_feed_config, fast_sim_config

from .checks import Uplink, is_ticker_refused

STATS = "/api/v1/market/stats"
ALL_TICKERS = "/api/v1/market/allTickers"
NOT_FOUND = "topic /market/snapshot:NOPE-USDT is not found"


class FeedThread:
    """The feed thread's part, played by the test: what the loader posts waits here."""

    def __init__(self) -> None:
        self.posted: queue.Queue[Callable[[], None]] = queue.Queue()
        self.events: list[FeedEvent] = []

    def post(self, work: Callable[[], None]) -> None:
        self.posted.put(work)

    def take(self) -> Callable[[], None]:
        """The loader's next result, not run yet."""
        return self.posted.get(timeout=10.0)

    def run(self, count: int = 1) -> None:
        for _ in range(count):
            self.take()()

    def refusals(self) -> list[ErrorEvent]:
        return [e for e in self.events if is_ticker_refused(e)]


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    with LocalExchange(fast_sim_config(snapshot_interval=60.0)) as running:
        yield running


@pytest.fixture
def thread() -> FeedThread:
    return FeedThread()


@pytest.fixture
def make_feed(exchange: LocalExchange, thread: FeedThread) -> Iterator[Callable[..., TickerFeed]]:
    """A ticker feed whose REST calls go to the exchange; its loader is started by the test."""
    made: list[tuple[TickerFeed, RestClient]] = []

    def make(**config: object) -> TickerFeed:
        rest = RestClient(exchange.base_url, retry_base=0.01)
        feed = TickerFeed(
            rest, thread.post, thread.events.append, MetricsRecorder(), fast_feed_config(**config)
        )
        made.append((feed, rest))
        return feed

    yield make
    for feed, rest in made:
        rest.cancel.set()
        feed.stop(2.0)
        rest.close()


def requests(exchange: LocalExchange, path: str) -> int:
    return exchange.stats().rest_requests.get(path, 0)


def subscribed(feed: TickerFeed, symbols: list[str]) -> Uplink:
    """Watch ``symbols`` on a live session; their subscribe is sent, not answered."""
    uplink = Uplink()
    feed.watch(symbols)
    feed.topics.resubscribe()
    feed.topics.flush(uplink)
    assert [(kind, s) for _, kind, s in uplink.sent] == [("subscribe", symbols)]
    return uplink


def test_rest_first_then_the_topics_refusal_reports_the_pair_once(
    make_feed: Callable[..., TickerFeed], thread: FeedThread
) -> None:
    feed = make_feed()
    uplink = subscribed(feed, ["BTC-USDT", "NOPE-USDT"])
    feed.start()
    thread.run(2)  # BTC-USDT's statistics, then NOPE-USDT's null ones (one loader thread)
    [refused] = thread.refusals()
    assert (refused.symbol, refused.timeframe, refused.code) == ("NOPE-USDT", "", None)
    assert refused.subscription_dropped and not refused.retrying
    assert refused.message.endswith("the exchange does not list NOPE-USDT")
    assert feed.topics.watched == ("BTC-USDT",)
    # The topic's refusal comes as well: it answers our request, and says nothing new.
    assert feed.on_error(uplink, ErrorMessage(uplink.sent[0][0], 404, NOT_FOUND))
    assert len(thread.refusals()) == 1
    feed.topics.flush(uplink)
    assert [(kind, s) for _, kind, s in uplink.sent[1:]] == [("subscribe", ["BTC-USDT"])]
    assert [t.symbol for t in feed.tickers()] == ["BTC-USDT"]


def test_the_topics_refusal_first_then_rest_reports_the_pair_once(
    make_feed: Callable[..., TickerFeed], thread: FeedThread, exchange: LocalExchange
) -> None:
    feed = make_feed()
    uplink = subscribed(feed, ["BTC-USDT", "NOPE-USDT"])
    feed.start()
    results = [thread.take(), thread.take()]  # both REST answers are in, not handled yet
    assert feed.on_error(uplink, ErrorMessage(uplink.sent[0][0], 404, NOT_FOUND))
    [refused] = thread.refusals()
    assert (refused.symbol, refused.code) == ("NOPE-USDT", 404)
    for result in results:
        result()
    assert thread.refusals() == [refused]
    assert requests(exchange, STATS) == 2
    assert [t.symbol for t in feed.tickers()] == ["BTC-USDT"]


def test_pairs_missing_from_all_tickers_are_asked_for_one_by_one(
    make_feed: Callable[..., TickerFeed], thread: FeedThread, exchange: LocalExchange
) -> None:
    feed = make_feed(ticker_bulk=2)
    feed.watch(["BTC-USDT", "NOPE-USDT", "ETH-USDT"])  # no session: only REST can tell
    feed.start()
    thread.run()  # allTickers: NOPE-USDT is not in it
    assert {t.symbol for t in feed.tickers()} == {"BTC-USDT", "ETH-USDT"}
    thread.run()  # its own statistics: null
    assert [e.symbol for e in thread.refusals()] == ["NOPE-USDT"]
    assert feed.topics.watched == ("BTC-USDT", "ETH-USDT")
    assert (requests(exchange, ALL_TICKERS), requests(exchange, STATS)) == (1, 1)
    assert thread.posted.empty()


def test_a_load_given_up_after_a_push_filled_its_row_says_nothing(
    make_feed: Callable[..., TickerFeed], thread: FeedThread, exchange: LocalExchange
) -> None:
    exchange.faults.rest_server_error(STATS, count=100)
    feed = make_feed()
    uplink = subscribed(feed, ["BTC-USDT"])
    assert feed.on_ack(uplink, uplink.sent[0][0])
    feed.start()
    thread.run()  # the first attempt failed: retried, quietly
    assert thread.events == []
    ticker = exchange.ticker("BTC-USDT")
    feed.on_push(SnapshotPush(snapshot_topic(["BTC-USDT"]), "BTC-USDT", ticker, "1"))
    thread.run(2)  # the second attempt failed, then the third, the last
    assert not [e for e in thread.events if isinstance(e, ErrorEvent)]
    assert feed.tickers() == [ticker]
    assert requests(exchange, STATS) == 3 * 5  # the REST client's own five tries each
    assert thread.posted.empty()
