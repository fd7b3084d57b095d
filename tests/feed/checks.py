"""Checks shared by the feed tests: event predicates, waiting on the exchange's clock, and the
comparison of a consumer's candles with the exchange's truth."""

from __future__ import annotations

import random

from kucandle_gui.feed import ConnectionState, FeedClient, HistoryEvent, StatusEvent
from kucandle_gui.protocol import TIMEFRAME_SECONDS, candle_start
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
    assert [t for t in truth if truth[t] != mine[t]] == [], "candles with wrong values"
    return len(truth)


def assert_series_unique_and_sorted(feed: FeedClient, symbol: str, tf: str) -> None:
    """The feed's own series after stop(): strictly increasing start times."""
    subscription = feed._subscriptions.get((symbol, tf))
    assert subscription is not None
    times = [c.time for c in subscription.series.candles()]
    assert times == sorted(set(times))
