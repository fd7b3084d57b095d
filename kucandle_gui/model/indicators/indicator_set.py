"""Several indicators over one candle series, kept up to date at the least cost.

:class:`IndicatorSet` reads what changed in the candles since it last looked
(:meth:`CandleColumns.history_changes_since`, :attr:`CandleColumns.dropped`) and recomputes
only that: nothing when nothing changed; the newest candle alone, O(1) per indicator, when only
it changed (the live case); a few new candles one by one in O(1) each; from the oldest changed
candle on, vectorised, after a late update or a backfill; everything after a bulk load (older
history prepended, a restart) or a switch to another series. The cap dropping the oldest
candles drops the head of every indicator's values, which are kept, not recomputed: the values
are those of the history as it was seen, and an EMA does not change because its oldest inputs
left the series.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from kucandle_gui.feed import CandleColumns

from .calculators import Calculator, calculator
from .spec import IndicatorSpec, as_spec

#: Up to this many candles from the oldest changed one to the newest are stepped one by one
#: (O(1) each); more go through the vectorised kernels.
STEP_LIMIT = 8

Value = float | None | list[float | None]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


class IndicatorSet:
    """Indicators of ``specs`` (``IndicatorSpec`` or SPEC text) over ``columns``.

    Plain Python, one thread (the one that owns the columns). :meth:`sync` brings the values up
    to date with the columns; :meth:`values` and :meth:`values_at` read what the last sync (or
    change of specs or columns) computed. ``version`` moves on every change of the values,
    ``history_version`` on every change but one of the newest candle's values alone: views
    cache on them as on the columns' counters.
    """

    def __init__(
        self,
        columns: CandleColumns | None = None,
        specs: Iterable[IndicatorSpec | str] = (),
    ) -> None:
        self.version = 0
        self.history_version = 0
        self._columns: CandleColumns | None = None
        self._calculators: dict[IndicatorSpec, Calculator] = {}
        # What the values reflect: the columns' counters and length at the last sync.
        self._seen_version = -1
        self._seen_history = -1
        self._seen_dropped = 0
        self._n = 0
        #: Oldest index changed by a change of specs or columns, told by the next sync().
        self._pending: int | None = None
        for spec in specs:
            spec = as_spec(spec)
            self._calculators.setdefault(spec, calculator(spec))
        self.bind(columns)
        self._pending = None  # computed as made: the first sync() reports later changes

    # ---------------------------------------------------------------- what is computed

    @property
    def columns(self) -> CandleColumns | None:
        return self._columns

    @property
    def specs(self) -> tuple[IndicatorSpec, ...]:
        """The indicators, in the order they were added."""
        return tuple(self._calculators)

    def __contains__(self, spec: object) -> bool:
        try:
            return as_spec(spec) in self._calculators  # type: ignore[arg-type]
        except ValueError:
            return False

    def __len__(self) -> int:
        return len(self._calculators)

    def add(self, spec: IndicatorSpec | str) -> IndicatorSpec:
        """Add one indicator (no change if held), computed at once; returns its spec."""
        spec = as_spec(spec)
        if spec not in self._calculators:
            self.set_specs([*self._calculators, spec])
        return spec

    def remove(self, spec: IndicatorSpec | str) -> None:
        """Remove one indicator (no change if not held)."""
        spec = as_spec(spec)
        if spec in self._calculators:
            self.set_specs([s for s in self._calculators if s != spec])

    def set_specs(self, specs: Iterable[IndicatorSpec | str]) -> None:
        """Hold exactly ``specs`` (duplicates once, first place kept): indicators kept keep
        their values, new ones are computed over the whole series."""
        wanted = list(dict.fromkeys(as_spec(s) for s in specs))
        if wanted == list(self._calculators):
            return
        self._catch_up()
        calculators: dict[IndicatorSpec, Calculator] = {}
        for spec in wanted:
            held = self._calculators.get(spec)
            if held is None:
                held = calculator(spec)
                self._full(held)
            calculators[spec] = held
        self._calculators = calculators
        self._touched(0)

    def bind(self, columns: CandleColumns | None) -> None:
        """Compute over ``columns`` from now on (another series: everything recomputed)."""
        self._columns = columns
        self._seen_version = self._seen_history = -1
        self._seen_dropped = columns.dropped if columns is not None else 0
        self._n = len(columns) if columns is not None else 0
        if columns is not None:
            self._seen_version, self._seen_history = columns.version, columns.history_version
        for calc in self._calculators.values():
            self._full(calc)
        self._touched(0)

    # ---------------------------------------------------------------- keeping up

    def sync(self) -> int | None:
        """Bring every indicator up to date with the columns.

        Returns the index of the oldest candle whose values may have changed since the
        previous ``sync()`` or the construction (0 after a change of specs or of columns in
        between), or None when nothing changed.
        """
        start = self._catch_up()
        pending, self._pending = self._pending, None
        if pending is None:
            return start
        return pending if start is None else min(start, pending)

    def _catch_up(self) -> int | None:
        columns = self._columns
        if columns is None or columns.version == self._seen_version:
            return None
        n = len(columns)
        live = columns.history_version == self._seen_history and n == self._n
        if n == 0:
            start = None
            for calc in self._calculators.values():
                calc.resize(0)
        else:
            start = n - 1 if live else self._history_start(columns)
            # Once the cap trimmed the series, a change among an indicator's first candles
            # restarts it over the candles held (untrimmed, those values are NaN anyway).
            trimmed = columns.dropped > 0
            changed = start
            for calc in self._calculators.values():
                calc.resize(n)
                first = 0 if trimmed and start <= calc.first_defined else start
                changed = min(changed, first)
                calc.changed_from(first)
                if n - first <= STEP_LIMIT:
                    for i in range(first, n):
                        calc.step(columns, i)
                else:
                    calc.compute(columns, first)
            live = live and changed == start
            start = changed
        self._n = n
        self._seen_version, self._seen_history = columns.version, columns.history_version
        self._seen_dropped = columns.dropped
        self.version += 1
        if not live:
            self.history_version += 1
        return start

    def _history_start(self, columns: CandleColumns) -> int:
        """First index to recompute after history changes; drops applied to the values."""
        since = columns.history_changes_since(self._seen_history)
        start = 0 if since is None else columns.first_at_or_after(since)
        dropped = columns.dropped - self._seen_dropped
        known = self._n - dropped  # candles seen at the last sync and still held
        if start == 0 or known <= 0:
            return 0
        if dropped:
            for calc in self._calculators.values():
                calc.drop(dropped)
        # The newest candle seen may have been updated in place since (no history change).
        return min(start, known - 1)

    def _full(self, calc: Calculator) -> None:
        columns = self._columns
        n = len(columns) if columns is not None else 0
        calc.resize(n)
        calc.forget()
        if columns is not None and n:
            calc.compute(columns, 0)

    def _touched(self, index: int) -> None:
        """Specs or columns changed: views redraw, the next sync reports ``index``."""
        self.version += 1
        self.history_version += 1
        if self._n:
            self._pending = index if self._pending is None else min(self._pending, index)

    # ---------------------------------------------------------------- reading

    def values(self, spec: IndicatorSpec | str) -> tuple[np.ndarray, ...]:
        """One read-only float64 array per output of ``spec`` (``spec.outputs``), aligned with
        the candles as of the last :meth:`sync`, NaN where not defined. Valid until the next
        sync; copy to keep. ``KeyError`` when ``spec`` is not held."""
        return self._calculators[as_spec(spec)].outputs()

    def values_at(self, index: int) -> dict[str, Value]:
        """Every indicator's values at candle ``index`` (negative counts from the newest),
        keyed by SPEC text: a number, None where not defined, a list for several outputs."""
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(f"candle index {index} out of range for {self._n} candles")
        out: dict[str, Value] = {}
        for spec, calc in self._calculators.items():
            numbers = [_number(float(calc.row(r)[index])) for r in range(len(spec.outputs))]
            out[spec.text] = numbers if len(numbers) > 1 else numbers[0]
        return out
