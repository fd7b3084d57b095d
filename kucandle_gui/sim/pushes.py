"""What one candle subscription pushes, round after round (no I/O: the session sends).

KuCoin pushes the whole current candle whenever trades changed it, nothing when nothing
traded, and when a period rolls over the previous candle's final state may still come, now
and then after the new candle ("late update"). :class:`CandleFeed` reproduces that from the
deterministic market, so whatever it pushes last for a period equals REST history.
"""

from __future__ import annotations

from kucandle_gui.protocol import Candle, candle_start
from kucandle_gui.sim.market import Market

#: Most closed periods pushed at one rollover (when a round spans many periods).
MAX_CATCH_UP = 100


class CandleFeed:
    """Push state of one ``(symbol, timeframe)`` subscription on one connection."""

    def __init__(self, market: Market, symbol: str, timeframe: str, now: float) -> None:
        self.symbol = symbol
        self.timeframe = timeframe
        self._market = market
        self._start = candle_start(timeframe, now)
        # The candle as it stands at subscribe time is what REST tells; only changes push.
        self._last_sent = market.candle(symbol, timeframe, self._start, now)

    def due(self, now: float) -> list[Candle]:
        """Candles to push now, in order; each differs from what this feed last pushed."""
        start = candle_start(self.timeframe, now)
        current = self._market.candle(self.symbol, self.timeframe, start, now)
        if start == self._start:
            if current is None or current == self._last_sent:
                return []
            self._last_sent = current
            return [current]
        closed = self._market.candles(
            self.symbol, self.timeframe, self._start, start - 1, now, limit=MAX_CATCH_UP
        )
        finals = [c for c in closed if not (c.time == self._start and c == self._last_sent)]
        opened = [current] if current is not None else []
        late = self._market.is_late_rollover(self.symbol, self.timeframe, start)
        self._start, self._last_sent = start, current
        return opened + finals if late else finals + opened
