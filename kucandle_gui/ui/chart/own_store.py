"""Writing to the chart's own store: the half of :class:`~.widget.CandleChart`'s data API used
when no one else owns the candles (tests, the benchmarks, scripts).

A mixin of the chart (it shares the chart's state). A chart given a store by its owner
(``set_series(..., store=...)``) only reads it: these raise ``RuntimeError`` then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle


class OwnStoreMixin:
    """``set_history``, ``apply`` and friends (a mixin of ``CandleChart``, whose
    ``data_changed`` and ``_restart`` they call)."""

    _store: CandleSeries
    _owns_store: bool

    def set_history(self, candles: Sequence[Candle] | Iterable[Candle]) -> None:
        """Replace every candle (any order; a repeated start time is merged by the series rule)."""
        self._writable().set_history(candles)
        self.data_changed()  # type: ignore[attr-defined]

    def set_history_arrays(
        self,
        time: np.ndarray,
        open: np.ndarray,
        high: np.ndarray,
        low: np.ndarray,
        close: np.ndarray,
        volume: np.ndarray,
        turnover: np.ndarray | None = None,
    ) -> None:
        """``set_history`` from numpy columns (no ``Candle`` objects: fast for big histories)."""
        self._writable().set_arrays(time, open, high, low, close, volume, turnover)
        self.data_changed()  # type: ignore[attr-defined]

    def apply(self, candle: Candle) -> None:
        """Insert a candle or replace the one with the same start time."""
        store = self._writable()
        version = store.version
        store.upsert(candle)
        if store.version != version:
            self.data_changed()  # type: ignore[attr-defined]

    def apply_many(self, candles: Iterable[Candle]) -> None:
        self._writable().merge(candles)
        self.data_changed()  # type: ignore[attr-defined]

    def clear(self) -> None:
        self._writable().clear()
        self._restart()  # type: ignore[attr-defined]

    def _writable(self) -> CandleSeries:
        if not self._owns_store:
            raise RuntimeError("the chart only reads the store it was given: write to its owner")
        return self._store
