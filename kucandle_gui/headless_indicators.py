"""Indicator values on headless candle lines (``--indicator``), reprinted when they change.

Each candle line carries every indicator's value at that candle under its canonical SPEC
text (``"ema:20": 67012.5``; a list for several outputs, ``"bb:20:2": [lower, middle,
upper]``, ``"macd:12:26:9": [macd, signal, histogram]``; ``null`` while not yet defined: NaN
and infinities are never printed). The values are computed by the chart's own
:class:`IndicatorSet`, bound to the series the candle lines describe (the printed series
:class:`MonitorModel` holds), after that series took the line's candles.

A changed past candle (a late update, a backfill after a reconnect, older history) changes
the values of later candles too: the lines of those candles are printed again, with the candle
as held and the new values, right after the lines of the candles that changed, in time order,
and only for the candles whose values differ from what was last printed for them. A reader
that keeps the last line per candle start time therefore always holds the exact series and
its indicator values, exact as said below.

"Differ" means by more than rounding: recomputing from a changed candle on sums the windows
after it in another order than before, so a value the change did not touch (an SMA whose
window lies after the changed candle) may come out a few ulps off. A value counts as changed
when it moves by more than ``NOISE`` (1e-12) of its scale, far below what the values are
exact to and far above rounding, so what was printed stays exact and no line is printed again
for noise. Scale and exactness go together, per output:

* SMA, EMA, Bollinger Bands, VWAP, Volume SMA: the value itself; exact to 1e-9 relative.
* MACD (its three lines are differences of price EMAs, near 0 at a crossing): the candle's
  close; exact to 1e-9 of the price level, not relative near 0.
* RSI (points of a 0..100 scale): 100; exact to 1e-9 of the scale (1e-7 points), not relative
  near 0. After a long fall a late gain decays towards 0 through Wilder's smoothing; a candle
  whose RSI it moves by less than 1e-10 points is not printed again, so what stays printed
  for it (0.0, say) may be up to 1e-10 points from the value as held.

Cost, and what is printed: per delivery, the values from the oldest changed candle to the
newest are read in one vectorised pass per indicator and compared with what was printed, so a
live push of the newest candle costs O(1); a late update of the k-th newest candle costs O(k).
An indicator with memory (EMA, MACD, RSI; VWAP up to the end of the day) changes every later
value, so a backfill that changes an old candle of a 1500-candle series reprints up to every
candle after it, up to the newest: that is the correct output, not a flood to suppress (a
moving average without memory, SMA or BB, reprints only the period's candles after it). What
was printed is remembered per candle start time for the candles held (the series' cap bounds
it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kucandle_gui.feed import CandleColumns, CandleUpdate
from kucandle_gui.model import SeriesKey
from kucandle_gui.model.indicators import IndicatorSet, IndicatorSpec, Kind

#: One printed value: a number, ``None`` (not defined) or, for several outputs, a list.
Value = float | None | list[float | None]
#: The values of every indicator at one candle, in the order of the specs.
Row = tuple[Value, ...]

#: Share of a value's scale by which it must move to be printed again (see above).
NOISE = 1e-12
#: What was printed is pruned of candles the series no longer holds once it remembers this
#: many more candles than the series holds (amortised O(1) per candle).
_PRUNE_SLACK = 1024


class HeadlessIndicators:
    """The indicators of ``--indicator`` over the printed series; candle lines out.

    Runs on the headless loop's thread, after the series took each delivery's candles.
    """

    def __init__(
        self, key: SeriesKey, columns: CandleColumns, specs: Sequence[IndicatorSpec]
    ) -> None:
        self._key = key
        self._columns = columns
        self._set = IndicatorSet(columns, specs)
        self._texts = tuple(spec.text for spec in self._set.specs)
        #: Per indicator, whether its scale is the price (MACD) or a fixed floor (RSI: 100).
        self._priced = tuple(spec.kind is Kind.MACD for spec in self._set.specs)
        self._floors = tuple(100.0 if spec.kind is Kind.RSI else 0.0 for spec in self._set.specs)
        self._undefined: Row = tuple(
            [None] * len(spec.outputs) if len(spec.outputs) > 1 else None
            for spec in self._set.specs
        )
        #: Per candle start time, the values last printed for it.
        self._printed: dict[int, Row] = {}

    def lines(self, updates: Sequence[CandleUpdate], extra: Mapping[str, Any]) -> list[str]:
        """The JSON lines of one delivery: ``updates`` (the printed series' changed candles,
        already applied to the series), each with its values, then the lines of later
        candles whose values the change altered. ``extra``: fields every line carries."""
        changed_from = self._set.sync()
        columns = self._columns
        n = len(columns)
        held = columns.time
        stamps = np.fromiter((u.candle.time for u in updates), dtype=np.int64, count=len(updates))
        found = np.searchsorted(held, stamps)
        found[found >= n] = -1
        hit = found >= 0
        found[hit] = np.where(held[found[hit]] == stamps[hit], found[hit], -1)
        indices: list[int] = found.tolist()
        starts = [i for i in indices if i >= 0]
        if changed_from is not None:
            starts.append(changed_from)
        lo = min(starts, default=n)
        rows = self._rows(lo, n)
        out: list[str] = []
        printed = self._printed
        for update, i in zip(updates, indices, strict=True):
            row = rows[i - lo] if i >= 0 else self._undefined
            printed[update.candle.time] = row
            out.append(self._line(update.as_dict(), row, extra))
        if changed_from is not None:
            fresh = set(stamps.tolist())
            closes = columns.close[changed_from:].tolist()
            for i, start in enumerate(held[changed_from:].tolist(), changed_from):
                row = rows[i - lo]
                if start in fresh or not self._news(
                    printed.get(start), row, closes[i - changed_from]
                ):
                    continue
                printed[start] = row
                update = CandleUpdate(self._key.symbol, self._key.timeframe, columns.candle(i))
                out.append(self._line(update.as_dict(), row, extra))
        self._prune()
        return out

    def _news(self, old: Row | None, new: Row, close: float) -> bool:
        """Whether ``new`` differs from ``old`` (printed last) by more than rounding."""
        if old is None:
            return True
        if old == new:
            return False
        for before, now, priced, floor in zip(old, new, self._priced, self._floors, strict=True):
            if not _near(before, now, abs(close) if priced else floor):
                return True
        return False

    def _rows(self, lo: int, hi: int) -> list[Row]:
        """The values at candles ``[lo, hi)``, one row per candle (vectorised per output)."""
        if hi <= lo:
            return []
        per_spec: list[list[Value]] = []
        for spec in self._set.specs:
            outputs = [_numbers(array[lo:hi]) for array in self._set.values(spec)]
            if len(outputs) == 1:
                per_spec.append(outputs[0])
            else:
                per_spec.append([list(values) for values in zip(*outputs, strict=True)])
        return list(zip(*per_spec, strict=True))

    def _line(self, fields: dict[str, object], row: Row, extra: Mapping[str, Any]) -> str:
        return json.dumps({**fields, **dict(zip(self._texts, row, strict=True)), **extra})

    def _prune(self) -> None:
        """Forget what was printed for candles the series no longer holds (the cap dropped
        them, or the series started over)."""
        printed = self._printed
        if len(printed) <= len(self._columns) + _PRUNE_SLACK:
            return
        first = self._columns.first_time()
        self._printed = {} if first is None else {t: r for t, r in printed.items() if t >= first}


def _near(old: Value, new: Value, floor: float) -> bool:
    """Equal but for rounding: within ``NOISE`` of the larger of the two and ``floor``."""
    if isinstance(old, list) and isinstance(new, list):
        return all(_near(a, b, floor) for a, b in zip(old, new, strict=True))
    if isinstance(old, float) and isinstance(new, float):
        return abs(new - old) <= NOISE * max(abs(old), abs(new), floor)
    return old == new


def _numbers(values: np.ndarray) -> list[float | None]:
    """Python floats, ``None`` where not finite (not defined: JSON has no NaN)."""
    out: list[float | None] = values.tolist()
    for j in np.flatnonzero(~np.isfinite(values)).tolist():
        out[j] = None
    return out


__all__ = ["HeadlessIndicators", "Row", "Value"]
