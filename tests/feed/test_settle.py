"""``RetryingLoader.wait_idle`` and ``FeedClient.settle``: once they say so, every REST answer
received so far has been handed over (the loader) and merged on the feed thread (the feed).

Real parts: the history loader and the feed against the local exchange; a REST answer is held
in flight by a client that waits once it has received it, or by a tap that waits when told.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kucandle_gui.feed import FeedClient, HistoryEvent
from kucandle_gui.feed.history import HistoryJob, HistoryLoader
from kucandle_gui.feed.rest import RestClient
from kucandle_gui.protocol import Candle, Ticker
from kucandle_gui.sim import LocalExchange
from tests.helpers import EventRecorder, fast_feed_config

from .checks import BTC
from .gates import HeldRestClient, TapLog

CANDLES = "/api/v1/market/candles"
STATS = "/api/v1/market/stats"


def job(done: Callable[[list[Candle]], None], failed: Callable[..., None]) -> HistoryJob:
    return HistoryJob(*BTC, None, 10, threading.Event(), done, failed)


def test_a_loader_is_idle_once_what_it_fetched_is_posted(exchange: LocalExchange) -> None:
    rest = HeldRestClient(exchange.base_url)
    posted: list[Callable[[], None]] = []
    loader = HistoryLoader(rest, posted.append, 0.01, 0.05)
    loader.start()
    try:
        assert loader.wait_idle(0.0)  # nothing to do
        loader.submit(job(lambda candles: None, lambda *error: None))
        assert rest.answered.wait(10.0)
        assert not loader.wait_idle(0.05)  # the answer is in, not handed over yet
        rest.release.set()
        assert loader.wait_idle(10.0)
        assert len(posted) == 1
    finally:
        rest.cancel.set()
        rest.release.set()
        loader.stop(5.0)
        rest.close()
    assert not loader.wait_idle(0.0)  # stopped: nothing more is handed over


def test_a_retry_waiting_for_its_time_leaves_the_loader_idle(exchange: LocalExchange) -> None:
    rest = RestClient(exchange.base_url, max_attempts=1)
    posted: list[Callable[[], None]] = []
    loader = HistoryLoader(rest, posted.append, 60.0, 60.0)
    loader.start()
    exchange.faults.rest_server_error(CANDLES, count=1)
    try:
        loader.submit(job(lambda candles: None, lambda *error: None))
        assert loader.wait_idle(10.0)
        assert len(posted) == 1  # the failure, its retry due in a minute
    finally:
        rest.cancel.set()
        loader.stop(5.0)
        rest.close()


class GateTap(TapLog):
    """A tap that, while ``hold`` is set, keeps the thread telling it of a candle answer
    until ``release`` is; and says when candle and statistics answers came."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = threading.Event()
        self.release = threading.Event()
        self.candles = threading.Event()
        self.stats = threading.Event()

    def rest_answer(self, method: str, path: str, *rest: Any) -> None:
        if path == CANDLES:
            self.candles.set()
            if self.hold.is_set():
                self.release.wait(10.0)
        elif path == STATS:
            self.stats.set()


def test_settle_returns_once_the_answers_received_are_merged(exchange: LocalExchange) -> None:
    tap = GateTap()
    events = EventRecorder()
    config = fast_feed_config(tap=tap)
    with FeedClient(
        exchange.base_url, [BTC], config=config, listener=events, watched=["ETH-USDT"]
    ) as feed:
        assert tap.candles.wait(10.0) and tap.stats.wait(10.0)
        assert feed.settle(10.0)
        # The history's answer was received before settle was called: it is merged now.
        assert events.count(lambda e: isinstance(e, HistoryEvent)) == 1
        assert feed.candles_held() > 0
        tickers: list[Ticker] = feed.tickers()
        assert [t.symbol for t in tickers] == ["ETH-USDT"]


def test_settle_times_out_while_an_answer_is_in_flight(exchange: LocalExchange) -> None:
    tap = GateTap()
    tap.hold.set()
    events = EventRecorder()
    with FeedClient(
        exchange.base_url, [BTC], config=fast_feed_config(tap=tap), listener=events
    ) as feed:
        assert tap.candles.wait(10.0)
        assert not feed.settle(0.2)
        assert events.count(lambda e: isinstance(e, HistoryEvent)) == 0
        tap.release.set()
        assert feed.settle(10.0)
        assert events.count(lambda e: isinstance(e, HistoryEvent)) == 1
    assert not feed.settle(1.0)  # stopped: nothing is merged any more
