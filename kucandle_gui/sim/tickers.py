"""24 h statistics of the simulated market: what ``/market/stats``, ``allTickers`` and the
``/market/snapshot`` pushes say, all from :meth:`DailyStats.ticker`.

The window is KuCoin's rolling 24 h: the 1440 one-minute periods ending with the one that
contains the moment asked for, counting trades up to that moment's second. It adds up the
same deterministic trades as the candles (integer ticks and units), so the statistics agree
with REST's 1min candles of the window: open = the first traded minute's open, last = the
newest trade, high/low/volume/turnover over the window, ``changeRate`` rounded to 4 decimals
as KuCoin does.

Cost: the 1439 closed minutes of a window are aggregated once per pair and minute, and the
current minute's trades are listed once (both cached), so a push round over 300 pairs only
adds up each pair's trades of the current minute so far.
"""

from __future__ import annotations

import operator
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from kucandle_gui.protocol import Ticker
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.trades import MINUTES_PER_DAY, MinuteBars

#: Closed parts of windows, and current minutes' trades, kept: a few minutes of 300 pairs.
_CACHED_MINUTES = 4096
_LOW_BITS = np.int64(0xFFFFFFFF)
K = TypeVar("K")
V = TypeVar("V")
#: A minute's trades: their seconds, prices (ticks) and sizes (units), oldest first.
_Trades = tuple[list[int], list[int], list[int]]


@dataclass(frozen=True, slots=True)
class Span:
    """The trades of some consecutive minutes, in ticks and units; without trades every
    field but ``traded`` is 0."""

    traded: bool
    open: int
    close: int
    high: int
    low: int
    volume: int
    turnover: int

    def then(self, later: Span) -> Span:
        """These minutes followed by ``later``'s."""
        if not later.traded:
            return self
        if not self.traded:
            return later
        return Span(
            True,
            self.open,
            later.close,
            max(self.high, later.high),
            min(self.low, later.low),
            self.volume + later.volume,
            self.turnover + later.turnover,
        )


NO_TRADES = Span(False, 0, 0, 0, 0, 0, 0)


def span_of(bars: MinuteBars) -> Span:
    """The aggregate of minute bars (exact: Python ints for the sums)."""
    traded = np.flatnonzero(bars.traded)
    if len(traded) == 0:
        return NO_TRADES
    mask = bars.traded
    # A day's turnover can pass int64: sum its halves, join them as Python ints.
    turnover = (int((bars.turnover >> 32).sum()) << 32) + int((bars.turnover & _LOW_BITS).sum())
    return Span(
        True,
        int(bars.open[traded[0]]),
        int(bars.close[traded[-1]]),
        int(bars.high[mask].max()),
        int(bars.low[mask].min()),
        int(bars.volume.sum()),
        turnover,
    )


def time_ms(at: float) -> int:
    """The exchange time (ms) of the moment ``at``: rounded, so that ``time / 1000`` gives the
    same ms back and the statistics of a push can be asked for again."""
    return round(at * 1000)


class DailyStats:
    """The 24 h statistics of every listed pair, as of any simulated moment. Thread-safe."""

    def __init__(self, market: Market) -> None:
        self._market = market
        self._windows: OrderedDict[tuple[str, int], Span] = OrderedDict()
        self._minutes: OrderedDict[tuple[str, int], _Trades] = OrderedDict()
        self._lock = threading.Lock()

    def ticker(self, symbol: str, at: float) -> Ticker:
        """``symbol``'s statistics at ``at`` (simulated seconds), stamped ``time_ms(at)`` and
        counting trades up to that ms's second. ``UnknownSymbolError`` for unlisted pairs.

        A window without any trade (only before the listing's first trade) is all zeros.
        """
        stamp = time_ms(at)
        second = stamp // 1000
        minute = second // 60
        closed = self._closed(symbol, minute)
        span = closed.then(self._current(symbol, minute, second))
        spec = self._market.spec(symbol)
        price_scale = 10**spec.price_decimals
        size_scale = 10**spec.size_decimals
        change = span.close - span.open
        return Ticker(
            symbol=symbol,
            last=span.close / price_scale,
            change_rate=round(change / span.open, 4) if span.traded else 0.0,
            change_price=change / price_scale,
            high=span.high / price_scale,
            low=span.low / price_scale,
            volume=span.volume / size_scale,
            turnover=span.turnover / (price_scale * size_scale),
            time=stamp,
        )

    def tickers(self, symbols: list[str], at: float) -> list[Ticker]:
        """:meth:`ticker` of each pair at the same moment (one executor call per push round)."""
        return [self.ticker(symbol, at) for symbol in symbols]

    def _closed(self, symbol: str, minute: int) -> Span:
        """The 1439 whole minutes before ``minute``: the part of its window that is over."""
        key = (symbol, minute)
        span = _cached(self._lock, self._windows, key)
        if span is None:
            bars = self._market.minute_bars(symbol, minute - MINUTES_PER_DAY + 1, minute)
            span = _keep(self._lock, self._windows, key, span_of(bars))
        return span

    def _current(self, symbol: str, minute: int, second: int) -> Span:
        """The trades of ``minute`` up to ``second``."""
        key = (symbol, minute)
        trades = _cached(self._lock, self._minutes, key)
        if trades is None:
            seconds, ticks, sizes = self._market.trades(symbol, minute, 1)
            trades = _keep(
                self._lock, self._minutes, key, (seconds.tolist(), ticks.tolist(), sizes.tolist())
            )
        seconds, ticks, sizes = trades
        count = bisect_right(seconds, second)
        if count == 0:
            return NO_TRADES
        ticks, sizes = ticks[:count], sizes[:count]
        return Span(
            True,
            ticks[0],
            ticks[-1],
            max(ticks),
            min(ticks),
            sum(sizes),
            sum(map(operator.mul, ticks, sizes)),
        )


def _cached(lock: threading.Lock, cache: OrderedDict[K, V], key: K) -> V | None:
    with lock:
        value = cache.get(key)
        if value is not None:
            cache.move_to_end(key)
        return value


def _keep(lock: threading.Lock, cache: OrderedDict[K, V], key: K, value: V) -> V:
    with lock:
        cache[key] = value
        while len(cache) > _CACHED_MINUTES:
            cache.popitem(last=False)
    return value
