"""Flood mode's pushes: a pair's trades replayed second by second, as fast as they are taken.

**For benchmarks only.** Normal mode pushes what the simulated clock has reached, so pushes
and REST history agree at every moment. A flood (``SimConfig.push_interval == 0``) must instead
give a client as many *distinct* candle states per second as its socket takes, whatever the
clock says: it starts at the clock's "now" when the topic is subscribed and then runs ahead of
the clock, one state per traded second, rolling over into the next candles as it goes. Each
state is the market's own candle as of that second (the same trades, the same aggregation
and text as REST and normal pushes), but a state of the future: REST catches up with it only
when the clock gets there. Late updates of a closed candle are not replayed.

The work is done in bulk, ten simulated minutes at a time: the seconds' prices and sizes come
from the market as numpy arrays, running highs, lows and sums are numpy accumulations, and
each state is written once as a frame *prefix*; the sender appends ``data.time`` (its own
send time, so that latency can be measured) and the closing braces.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from kucandle_gui.protocol import (
    TIMEFRAME_SECONDS,
    candle_push_head,
    candle_push_prefix,
    candle_start,
    format_number,
)
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.trades import MINUTES_PER_DAY, SECONDS_PER_DAY, aggregate

#: Simulated minutes read per chunk: a few hundred states for a busy pair (more than a
#: flood turn asks of one subscription), and a chunk's turnover sum stays far inside int64.
CHUNK_MINUTES = 10
#: Formatted prices kept per replay; prices wander slowly, so most states hit this cache.
_PRICE_CACHE = 65536

#: Integer state of the candle being replayed: open, high, low (ticks), volume (units),
#: turnover (ticks x units, a Python int: a month of it can pass int64).
_State = tuple[int, int, int, int, int]


class CandleReplay:
    """Flood push state of one ``(symbol, timeframe)`` subscription on one connection."""

    def __init__(self, market: Market, symbol: str, timeframe: str, now: float) -> None:
        self.symbol = symbol
        self.timeframe = timeframe
        self._market = market
        spec = market.spec(symbol)
        self._price_scale = 10**spec.price_decimals
        self._size_scale = 10**spec.size_decimals
        self._turnover_scale = self._price_scale * self._size_scale
        self._head = candle_push_head(symbol, timeframe)
        self._prices: dict[int, str] = {}
        # The candle as it stands at subscribe time is what REST tells: replay what follows.
        last_told = math.floor(now)
        self._emit_after = last_told
        self._start = candle_start(timeframe, last_told)
        self._state = self._state_of_minutes(self._start // 60, last_told // 60)
        self._next_minute = last_told // 60
        self._frames: list[str] = []
        self._taken = 0

    def take(self, count: int) -> list[str]:
        """The next ``count`` push prefixes, oldest state first; fewer (even none) when the
        pair trades too rarely: each call reads at most one chunk, so that a quiet pair
        (silent for hours) costs one chunk's work per call instead of holding up the other
        subscriptions; the next call goes on from there."""
        if len(self._frames) - self._taken < count:
            self._read_chunk()
        first = self._taken
        taken = self._frames[first : first + count]
        self._taken = first + len(taken)
        if self._taken >= len(self._frames) // 2:
            del self._frames[: self._taken]
            self._taken = 0
        return taken

    # -- replay -------------------------------------------------------------------------------

    def _state_of_minutes(self, first_minute: int, stop_minute: int) -> _State | None:
        """The candle state made of the whole minutes [first_minute, stop_minute)."""
        [span] = aggregate(self._market.minute_bars(self.symbol, first_minute, stop_minute), [0])
        if not span.traded:
            return None
        return span.open, span.high, span.low, span.volume, span.turnover

    def _read_chunk(self) -> None:
        """Replay the next ``CHUNK_MINUTES`` (never past the end of a UTC day)."""
        minute = self._next_minute
        minutes = min(CHUNK_MINUTES, MINUTES_PER_DAY - minute % MINUTES_PER_DAY)
        self._next_minute = minute + minutes
        seconds, ticks, sizes = self._market.trades(self.symbol, minute, minutes)
        if not seconds.size:
            return
        length = TIMEFRAME_SECONDS[self.timeframe]
        if length < SECONDS_PER_DAY:
            # These lengths divide a day, so their candles start at multiples of the length.
            starts = (seconds // length * length).tolist()
            edges = [0, *(np.flatnonzero(np.diff(seconds // length)) + 1).tolist(), len(seconds)]
        else:
            # 1day, 1week and 1month candles start at midnight: one candle per chunk.
            starts = [candle_start(self.timeframe, minute * 60)] * len(seconds)
            edges = [0, len(seconds)]
        told = self._emit_after
        for i, j in itertools.pairwise(edges):
            skip = int(seconds[i:j].searchsorted(told, side="right")) if seconds[i] <= told else 0
            self._replay_candle(starts[i], ticks[i:j], sizes[i:j], skip)

    def _replay_candle(self, start: int, ticks: np.ndarray, sizes: np.ndarray, skip: int) -> None:
        """Append one state per traded second of one candle (the first ``skip`` seconds only
        count towards the state: REST told them already)."""
        if start != self._start:
            self._start, self._state = start, None
        highs = np.maximum.accumulate(ticks)
        lows = np.minimum.accumulate(ticks)
        volumes = np.cumsum(sizes)
        turnovers = np.cumsum(ticks * sizes)
        state = self._state
        if state is None:
            open_, volume_before, turnover_before = int(ticks[0]), 0, 0
        else:
            open_, high_before, low_before, volume_before, turnover_before = state
            highs = np.maximum(highs, high_before)
            lows = np.minimum(lows, low_before)
        closes, highs_, lows_ = ticks.tolist(), highs.tolist(), lows.tolist()
        volumes_, turnovers_ = volumes.tolist(), turnovers.tolist()
        price, head, start_text = self._price, self._head, str(start)
        size_scale, turnover_scale = self._size_scale, self._turnover_scale
        open_text = price(open_)
        self._frames.extend(
            candle_push_prefix(
                head,
                [
                    start_text,
                    open_text,
                    price(closes[k]),
                    price(highs_[k]),
                    price(lows_[k]),
                    format_number((volume_before + volumes_[k]) / size_scale),
                    format_number((turnover_before + turnovers_[k]) / turnover_scale),
                ],
            )
            for k in range(skip, len(closes))
        )
        self._state = (
            open_,
            highs_[-1],
            lows_[-1],
            volume_before + volumes_[-1],
            turnover_before + turnovers_[-1],
        )

    def _price(self, ticks: int) -> str:
        """A price as KuCoin writes it (as ``Candle.to_kucoin`` does), from a small cache."""
        text = self._prices.get(ticks)
        if text is None:
            if len(self._prices) >= _PRICE_CACHE:
                self._prices.clear()
            text = self._prices[ticks] = format_number(ticks / self._price_scale)
        return text
