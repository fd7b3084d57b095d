"""The simulated market: candles of any timeframe and range, as of any simulated moment.

REST history, WebSocket pushes and ``LocalExchange.truth`` all call :meth:`Market.candles`,
so they agree by construction: a candle is the aggregate of the deterministic trades of
:mod:`kucandle_gui.sim.trades` whose second lies in the candle's period, after the listing
time and not after "now". Periods without trades have no candle at all, as on KuCoin.

Day chunks of minute bars are cached, so the second-level work for a day is done once; so is
each minute "as of each of its seconds" (:meth:`MinuteBars.running`), which is what cuts the
current minute at "now" for candles and for the 24 h statistics alike.
"""

from __future__ import annotations

import math

import numpy as np

from kucandle_gui.protocol import Candle, candle_start, next_candle_start
from kucandle_gui.sim.cache import LruCache
from kucandle_gui.sim.symbols import SymbolSpec
from kucandle_gui.sim.trades import (
    MINUTES_PER_DAY,
    NO_TRADES,
    DayTrades,
    MinuteBars,
    Span,
    TradeModel,
    aggregate,
    hashed_unit,
    stable_key,
)

#: Share of rollovers on which the previous candle's final update comes after the new candle.
LATE_UPDATE_SHARE = 0.1
#: Day chunks kept (about 80 kB each): a month of history for 32 pairs, or today and
#: yesterday of the 300 pairs of a full watchlist (each 24 h window spans two days).
_CACHED_DAYS = 1024
#: Running minutes kept (about 4 kB each): the current and the previous minute of 300 pairs,
#: with room for moments asked of the past.
_CACHED_MINUTES = 1024
_RECENT_CANDLES = 4096


class UnknownSymbolError(KeyError):
    """The market does not list this pair."""


class Market:
    """Deterministic candles for a set of pairs listed at ``listing_time``.

    Thread-safe: the exchange's loop, its REST worker threads and test threads share it.
    """

    def __init__(self, seed: int, specs: list[SymbolSpec], listing_time: float) -> None:
        #: First second with trades; a minute start, so minute bars need no partial left edge.
        self.listing_time = int(listing_time) // 60 * 60
        self._models = {spec.symbol: TradeModel(seed, spec) for spec in specs}
        self._late_key = stable_key(seed, "late-update")
        self._days: LruCache[tuple[str, int], DayTrades] = LruCache(_CACHED_DAYS)
        self._minutes: LruCache[tuple[str, int], MinuteBars] = LruCache(_CACHED_MINUTES)
        self._recent: LruCache[tuple[str, str, int, int], Candle | None] = LruCache(_RECENT_CANDLES)

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._models)

    def spec(self, symbol: str) -> SymbolSpec:
        return self._model(symbol).spec

    def candles(
        self,
        symbol: str,
        timeframe: str,
        first_start: int,
        last_start: int,
        now: float,
        limit: int | None = None,
    ) -> list[Candle]:
        """Candles whose start is in [first_start, last_start] as of ``now``, oldest first.

        With ``limit``, only the newest ``limit`` of them (REST pages are the newest rows).
        """
        model = self._model(symbol)
        if limit == 0:
            return []
        now_second = math.floor(now)
        lowest = max(first_start, candle_start(timeframe, self.listing_time))
        start = candle_start(timeframe, min(last_start, now_second))
        found: list[Candle] = []
        while start >= lowest and (limit is None or len(found) < limit):
            wanted = 1500 if limit is None else limit - len(found)
            batch: list[int] = []
            while start >= lowest and len(batch) < wanted + 16:
                batch.append(start)
                start = candle_start(timeframe, start - 1)
            batch.reverse()
            found = self._aggregate(model, timeframe, batch, now_second) + found
        return found if limit is None else found[-limit:]

    def candle(self, symbol: str, timeframe: str, start: int, now: float) -> Candle | None:
        """The candle starting at ``start`` as of ``now``; None while it has no trade.

        Memoised per simulated second: every connection pushing the same pair asks this.
        """

        def make() -> Candle | None:
            rows = self.candles(symbol, timeframe, start, start, now)
            return rows[0] if rows else None

        return self._recent.get((symbol, timeframe, start, math.floor(now)), make)

    def minute_bars(self, symbol: str, first_minute: int, stop_minute: int) -> MinuteBars:
        """Aggregates of the whole minutes [first_minute, stop_minute) (minute numbers since
        the epoch), nothing before listing."""
        model = self._model(symbol)
        if stop_minute <= first_minute:
            return MinuteBars.empty(0)
        return self._bars(model, first_minute, stop_minute, stop_minute * 60)

    def minute_so_far(self, symbol: str, second: int) -> Span:
        """The trades of the minute containing ``second`` (Unix), up to that second: the
        current minute's cut, as the candles make it. Cheap after the minute's first call
        (a push round asks it of every subscribed pair)."""
        model = self._model(symbol)
        if second < self.listing_time:
            return NO_TRADES
        return self._running(model, second // 60).span(second % 60)

    def trades(
        self, symbol: str, first_minute: int, minutes: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every trade in ``minutes`` whole minutes from ``first_minute`` on (minute numbers
        since the epoch), all in one UTC day: its second (Unix), price (ticks) and size
        (units), oldest first, nothing before listing; the very trades the candles add up."""
        model = self._model(symbol)
        day_number, offset = divmod(first_minute, MINUTES_PER_DAY)
        if offset + minutes > MINUTES_PER_DAY:
            raise ValueError("trades() covers one UTC day at most")
        day = self._day(model, day_number)
        if not day.bars.traded[offset : offset + minutes].any():
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        ticks, sizes = model.seconds(day, offset, minutes)
        unlisted = self.listing_time - first_minute * 60
        if unlisted > 0:
            sizes[:unlisted] = 0
        traded = np.flatnonzero(sizes)
        return first_minute * 60 + traded, ticks[traded], sizes[traded]

    def is_late_rollover(self, symbol: str, timeframe: str, new_start: int) -> bool:
        """Whether, when the candle at ``new_start`` begins, the previous one's final update
        comes after the new candle (KuCoin's "late update"); fixed per seed, pair and time."""
        key = self._late_key ^ stable_key(symbol, timeframe)
        return hashed_unit(key, new_start) < LATE_UPDATE_SHARE

    def _model(self, symbol: str) -> TradeModel:
        try:
            return self._models[symbol]
        except KeyError:
            raise UnknownSymbolError(symbol) from None

    def _aggregate(
        self, model: TradeModel, timeframe: str, starts: list[int], now_second: int
    ) -> list[Candle]:
        """Candles for consecutive period ``starts`` (ascending, none after now)."""
        first_minute = starts[0] // 60
        period_end = next_candle_start(timeframe, starts[-1])
        stop_minute = min(period_end // 60, now_second // 60 + 1)
        bars = self._bars(model, first_minute, stop_minute, now_second)
        spans = aggregate(bars, [s // 60 - first_minute for s in starts])
        price_scale = 10**model.spec.price_decimals
        size_scale = 10**model.spec.size_decimals
        return [
            Candle(
                time=start,
                open=span.open / price_scale,
                high=span.high / price_scale,
                low=span.low / price_scale,
                close=span.close / price_scale,
                volume=span.volume / size_scale,
                turnover=span.turnover / (price_scale * size_scale),
            )
            for start, span in zip(starts, spans, strict=True)
            if span.traded
        ]

    def _bars(
        self, model: TradeModel, first_minute: int, stop_minute: int, now_second: int
    ) -> MinuteBars:
        """Minute bars of [first_minute, stop_minute): nothing before listing, nothing after
        ``now_second`` (the minute containing it is cut at that second).

        Days before listing are not computed at all: their minutes are simply empty.
        """
        listing_minute = self.listing_time // 60
        parts = []
        minute = first_minute
        if minute < listing_minute:
            unlisted = min(listing_minute, stop_minute) - minute
            parts.append(MinuteBars.empty(unlisted))
            minute += unlisted
        while minute < stop_minute:
            day_number, offset = divmod(minute, MINUTES_PER_DAY)
            take = min(stop_minute - minute, MINUTES_PER_DAY - offset)
            day = self._day(model, day_number)
            part = day.bars.slice(offset, offset + take)
            if minute + take - 1 == now_second // 60:
                second = now_second % 60
                cut = self._running(model, now_second // 60).slice(second, second + 1)
                part = MinuteBars.concat([part.slice(0, take - 1), cut])
            parts.append(part)
            minute += take
        return MinuteBars.concat(parts)

    def _day(self, model: TradeModel, day_number: int) -> DayTrades:
        return self._days.get((model.spec.symbol, day_number), lambda: model.day(day_number))

    def _running(self, model: TradeModel, minute: int) -> MinuteBars:
        """``minute`` (listed) as of each of its seconds (:meth:`MinuteBars.running`)."""

        def make() -> MinuteBars:
            day_number, offset = divmod(minute, MINUTES_PER_DAY)
            ticks, sizes = model.seconds(self._day(model, day_number), offset, 1)
            return MinuteBars.running(ticks, sizes)

        return self._minutes.get((model.spec.symbol, minute), make)
