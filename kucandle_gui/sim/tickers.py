"""24 h statistics of the simulated market: what ``/market/stats``, ``allTickers`` and the
``/market/snapshot`` pushes say, all from :meth:`DailyStats.ticker`.

The window is KuCoin's rolling 24 h: the 1440 one-minute periods ending with the one that
contains the moment asked for, counting trades up to that moment's second. It adds up the
same deterministic trades as the candles, with the same function
(:func:`~kucandle_gui.sim.trades.aggregate`, integer ticks and units), so the statistics agree
with REST's 1min candles of the window: open = the first traded minute's open, last = the
newest trade, high/low/volume/turnover over the window, ``changeRate`` rounded to 4 decimals
as KuCoin does.

Cost: the 1439 closed minutes of a window are aggregated once per pair and minute (cached
here), and the current minute up to "now" is the market's running minute (cached there), so a
push round over 300 pairs only joins two cached aggregates per pair.
"""

from __future__ import annotations

from kucandle_gui.protocol import Ticker
from kucandle_gui.sim.cache import LruCache
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.trades import MINUTES_PER_DAY, Span, aggregate

#: Closed parts of windows kept: a few minutes of 300 pairs.
_CACHED_WINDOWS = 4096


def time_ms(at: float) -> int:
    """The exchange time (ms) of the moment ``at``: rounded, so that ``time / 1000`` gives the
    same ms back and the statistics of a push can be asked for again."""
    return round(at * 1000)


class DailyStats:
    """The 24 h statistics of every listed pair, as of any simulated moment. Thread-safe."""

    def __init__(self, market: Market) -> None:
        self._market = market
        self._closed: LruCache[tuple[str, int], Span] = LruCache(_CACHED_WINDOWS)

    def ticker(self, symbol: str, at: float) -> Ticker:
        """``symbol``'s statistics at ``at`` (simulated seconds), stamped ``time_ms(at)`` and
        counting trades up to that ms's second. ``UnknownSymbolError`` for unlisted pairs.

        A window without any trade (only before the listing's first trade) is all zeros.
        """
        stamp = time_ms(at)
        second = stamp // 1000
        closed = self._closed_part(symbol, second // 60)
        span = closed.then(self._market.minute_so_far(symbol, second))
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

    def _closed_part(self, symbol: str, minute: int) -> Span:
        """The 1439 whole minutes before ``minute``: the part of its window that is over."""

        def make() -> Span:
            bars = self._market.minute_bars(symbol, minute - MINUTES_PER_DAY + 1, minute)
            [span] = aggregate(bars, [0])
            return span

        return self._closed.get((symbol, minute), make)
