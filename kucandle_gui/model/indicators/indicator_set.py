"""Several indicators over one candle series, kept up to date at the least cost.

:class:`IndicatorSet` reads what changed in the candles since it last looked (a
:class:`~kucandle_gui.feed.columns.ChangeWatch`: the oldest candle written, exact however
many changes ago; :attr:`CandleColumns.dropped`) and recomputes only that: nothing when
nothing changed; the newest candle alone, O(1) per indicator, when only it changed (the live
case); a few new candles one by one in O(1) each; from the oldest changed candle on,
vectorised, after a late update or a backfill; everything after a reload (older history
prepended, a restart) or a switch to another series.

The values are those of the candles as the series held them, kept per candle: when the cap
drops the oldest candles, their values go with them and the rest keep theirs (an EMA does not
change because its oldest inputs left the series), and a change recomputes from the changed
candle on, continuing from the values before it. So the values do not depend on how often
:meth:`IndicatorSet.sync` runs: syncing after every change or once after many gives the same
values, to the rounding of the vectorised kernels. One exception: an indicator whose inputs
for the change were dropped before the set saw them restarts over the candles held (its
first values NaN again, as in a new set), since nothing can tell its state at the new oldest
candle. That is a change dropped by the cap before a sync (the set fell about
``max_candles`` candles behind), or, for the windowed kinds (SMA, Bollinger, volume SMA), a
change among the first ``N-1`` candles held once the cap dropped some, whose windows reach
into dropped candles. A set synced as often as the series changes never meets it but for
changes of those first candles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from kucandle_gui.feed import CandleColumns
from kucandle_gui.feed.columns import ChangeWatch
from kucandle_gui.protocol import Candle

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
        self._watch: ChangeWatch | None = None
        self._calculators: dict[IndicatorSpec, Calculator] = {}
        # What the values reflect: the columns' version, drops and length at the last sync.
        self._seen_version = -1
        self._seen_dropped = 0
        self._n = 0
        #: The newest candle at the last sync: whether it changed in place since.
        self._newest: Candle | None = None
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

    @property
    def capacity(self) -> int:
        """Candle slots allocated per indicator, the most of any: what the values cost in
        memory. It follows the series: a switch to a shorter one gives the room back."""
        return max((calc.capacity for calc in self._calculators.values()), default=0)

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
        if self._columns is not None and self._watch is not None:
            self._columns.unwatch(self._watch)
        had = self._n
        self._columns = columns
        self._watch = columns.watch() if columns is not None else None
        self._seen_version = columns.version if columns is not None else -1
        self._seen_dropped = columns.dropped if columns is not None else 0
        self._n = len(columns) if columns is not None else 0
        self._newest = columns.last() if columns is not None else None
        for calc in self._calculators.values():
            self._full(calc)
        self._touched(0, had)

    # ---------------------------------------------------------------- keeping up

    def sync(self) -> int | None:
        """Bring every indicator up to date with the columns.

        Returns the index of the oldest candle whose values may have changed since the
        previous ``sync()`` or the construction (0 after a change of specs or of columns in
        between, and when every value went: the series emptied), or None when nothing
        changed. Candles the cap dropped in between are not counted: indices are those of the
        candles held now.
        """
        start = self._catch_up()
        pending, self._pending = self._pending, None
        if pending is None:
            return start
        return pending if start is None else min(start, pending)

    def _catch_up(self) -> int | None:
        columns, watch = self._columns, self._watch
        if columns is None or watch is None or columns.version == self._seen_version:
            return None
        n, had = len(columns), self._n
        since = watch.take()
        dropped = columns.dropped - self._seen_dropped
        live = since is None and n == had and not dropped
        if n == 0:
            start = 0 if had else None
            for calc in self._calculators.values():
                calc.restart(0)
        else:
            start = n - 1 if live else self._history_start(columns, since, dropped)
            if start is None:
                start = 0
            changed = start
            for calc in self._calculators.values():
                if dropped:
                    calc.drop(dropped)
                first = start
                if first == 0 or (calc.trimmed and not calc.resumable(first)):
                    first = 0
                    calc.restart(n)
                else:
                    calc.resize(n)
                    calc.changed_from(first)
                if first < changed:
                    changed = first
                if n - first <= STEP_LIMIT:
                    for i in range(first, n):
                        calc.step(columns, i)
                else:
                    calc.compute(columns, first)
            live = live and changed == start
            start = changed
        self._n, self._newest = n, columns.last()
        self._seen_version, self._seen_dropped = columns.version, columns.dropped
        self.version += 1
        if not live:
            self.history_version += 1
        return start

    def _history_start(
        self, columns: CandleColumns, since: float | None, dropped: int
    ) -> int | None:
        """First index to recompute after history changes (None: everything, over the
        candles held). The values of candles older than ``since`` are kept, shifted by the
        candles dropped."""
        known = self._n - dropped  # candles seen at the last sync and still held
        if known <= 0 or since == -math.inf:
            return None
        first = columns.first_time()
        if dropped and since is not None and first is not None and since < first:
            return None  # a changed candle was dropped unseen: the state is lost
        start = known if since is None else columns.first_at_or_after(since)
        # The newest candle seen may have been updated in place since (no history change).
        if start >= known and columns.candle(known - 1) != self._newest:
            return known - 1
        return min(start, known)

    def _full(self, calc: Calculator) -> None:
        columns = self._columns
        n = len(columns) if columns is not None else 0
        calc.restart(n)
        if columns is not None and n:
            calc.compute(columns, 0)

    def _touched(self, index: int, had: int | None = None) -> None:
        """Specs or columns changed: views redraw, the next sync reports ``index`` (when
        there are values, or were: ``had`` candles before)."""
        self.version += 1
        self.history_version += 1
        if self._n or had:
            self._pending = index if self._pending is None else min(self._pending, index)

    # ---------------------------------------------------------------- reading

    def values(self, spec: IndicatorSpec | str) -> tuple[np.ndarray, ...]:
        """One float64 array per output of ``spec`` (``spec.outputs``), aligned with the
        candles as of the last :meth:`sync`, NaN where not defined. ``KeyError`` when
        ``spec`` is not held.

        The arrays are views of the set's own buffers, flagged read-only
        (``flags.writeable`` False) against accidental writes; the flag is no protection
        (numpy lets a view turn it back on): never write them. They are valid until the next
        :meth:`sync` or change of specs or columns, which may overwrite or reallocate them;
        copy to keep."""
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
