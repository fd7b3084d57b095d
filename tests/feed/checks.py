"""Checks shared by the feed tests: event predicates, waiting on the exchange's clock, the
comparison of a consumer's candles with the exchange's truth, a watchlist's view of the
tickers, and a session's request side for the snapshot bookkeeping."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterable

from kucandle_gui.feed import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedClient,
    HistoryEvent,
    StatusEvent,
)
from kucandle_gui.protocol import TIMEFRAME_SECONDS, Ticker, candle_start, parse_snapshot_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer

SeriesKey = tuple[str, str]
BTC: SeriesKey = ("BTC-USDT", "1min")
ETH: SeriesKey = ("ETH-USDT", "1min")
PAIRS: tuple[SeriesKey, ...] = tuple(
    (symbol, "1min") for symbol in ("BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "KCS-USDT")
)
SWITCHES = 200


def burst(seed: int, pairs: tuple[SeriesKey, ...] = PAIRS) -> list[SeriesKey]:
    """The pairs shown one after another: the first, then ``SWITCHES`` switches, never to the
    pair already shown, the last one a pair also chosen earlier in the burst."""
    rng = random.Random(seed)
    shown = [pairs[0]]
    for _ in range(SWITCHES):
        shown.append(rng.choice([p for p in pairs if p != shown[-1]]))
    assert shown[-1] in shown[:-1]
    return shown


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


def is_ticker_refused(event: object) -> bool:
    return isinstance(event, ErrorEvent) and event.kind is ErrorKind.TICKER_REFUSED


def is_ticker_error(event: object) -> bool:
    return isinstance(event, ErrorEvent) and event.kind is ErrorKind.TICKER


def is_history(event: object) -> bool:
    return isinstance(event, HistoryEvent)


def is_backfill(event: object) -> bool:
    return isinstance(event, HistoryEvent) and event.backfill


def pump_for_candles(
    exchange: LocalExchange, consumer: Consumer, symbol: str, tf: str, count: int
) -> None:
    """Apply updates until the consumer holds a candle ``count`` periods after the one open
    now by the exchange's clock: that much of the live stream has then really come through.

    Counting from the consumer's own newest candle would not do: right after the start-up
    history that may be the oldest history row, with the rest of the page queued behind it,
    and those rows alone would satisfy the wait before any time passed.
    """
    target = candle_start(tf, exchange.now()) + count * TIMEFRAME_SECONDS[tf]
    consumer.pump_until(lambda: (consumer.newest(symbol, tf) or 0) >= target)


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
    wrong = [(truth[t], mine[t]) for t in truth if truth[t] != mine[t]]
    assert wrong == [], f"candles with wrong values (truth, ours): {wrong[:3]}"
    return len(truth)


def assert_series_unique_and_sorted(feed: FeedClient, symbol: str, tf: str) -> None:
    """The feed's own series after stop(): strictly increasing start times."""
    subscription = feed._subscriptions.get((symbol, tf))
    assert subscription is not None
    times = [c.time for c in subscription.series.candles()]
    assert times == sorted(set(times))


class Watchlist:
    """What a watchlist does with the feed's tickers: keep them all, checking as they come
    that none of a pair is older than one before it, but for the second: a pair's first
    ticker may be its REST value, made when the reply was, and its first push then carries
    when its statistics were computed, which may be earlier."""

    def __init__(self, feed: FeedClient) -> None:
        self.feed = feed
        self.log: list[Ticker] = []
        self.latest: dict[str, Ticker] = {}

    def take(self, timeout: float = 0.0) -> list[Ticker]:
        """The tickers the feed has now (waiting up to ``timeout`` for one), kept."""
        tickers = self.feed.tickers(timeout)
        assert len({t.symbol for t in tickers}) == len(tickers), "two tickers of one pair"
        for ticker in tickers:
            before = self.latest.get(ticker.symbol)
            second = len(self.times(ticker.symbol)) == 1
            assert before is None or second or ticker.time >= before.time, "a ticker went back"
            self.latest[ticker.symbol] = ticker
            self.log.append(ticker)
        return tickers

    def pump_until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        """Take tickers as they come until ``condition()`` holds; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            assert remaining > 0, "condition not reached in time"
            self.take(min(remaining, 0.2))

    def times(self, symbol: str) -> list[int]:
        return [t.time for t in self.log if t.symbol == symbol]

    def pump_until_newer(self, symbols: Iterable[str], than: int, count: int = 1) -> None:
        """Until each of ``symbols`` has ``count`` tickers of times after ``than`` (ms)."""
        wanted = list(symbols)
        self.pump_until(lambda: all(sum(t > than for t in self.times(s)) >= count for s in wanted))

    def assert_truth(self, exchange: LocalExchange) -> int:
        """Every ticker taken equals the exchange's statistics of its moment; how many."""
        wrong = [t for t in self.log if exchange.ticker(t.symbol, at=t.time / 1000) != t]
        assert wrong == [], f"{len(wrong)} tickers differ from the exchange's, e.g. {wrong[0]}"
        return len(self.log)


def snapshot_requests_settled(feed: FeedClient) -> bool:
    """Whether every snapshot request the feed sent was answered and none waits to go out,
    read from its bookkeeping (feed-thread state, read whole). A request whose answer the
    feed could not match would stay here until its ack timeout cost the session."""
    topics = feed._tickers.topics
    return not topics._requests and not topics._wishes.waiting


class Uplink:
    """A session's request side: room for ``room`` more requests, each recorded."""

    def __init__(self, room: int = 10_000) -> None:
        self.room = room
        self.sent: list[tuple[str, str, list[str]]] = []
        self._pending: set[str] = set()
        self._ids = itertools.count(1)

    def request_room(self) -> bool:
        return self.room > 0

    def request(self, kind: str, topic: str) -> str:
        assert self.room > 0, "a request handed over without room"
        self.room -= 1
        ident = str(next(self._ids))
        self.sent.append((ident, kind, parse_snapshot_topic(topic)))
        self._pending.add(ident)
        return ident

    def answered(self, ident: str | None) -> bool:
        if ident in self._pending:
            self._pending.discard(ident)
            return True
        return False

    def unanswered(self) -> list[tuple[str, str, list[str]]]:
        return [r for r in self.sent if r[0] in self._pending]
