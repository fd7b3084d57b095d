"""Pushes of one series that wait for its history.

While a series has a history load out, its pushes are not applied (:mod:`.series_history`):
applied at once, a push could show beside a hole the backfill has not filled yet, and what
comes out would depend on whether the REST answer or the push arrived first. They are held
here and applied after the merged history, in the order they came.

Held pushes coalesce as the update buffer's entries do (:class:`.buffer.UpdateBuffer`): until
``keep`` are held each keeps its own entry, so that applying them one by one after the
history changes the series exactly as applying them as they came would have; from ``keep``
on, a push of a candle start already held is merged into that start's newest entry, by the
series' one rule (:func:`.series.supersedes`), in place. Distinct candle starts are bounded
by what the series keeps: one more is not held (logged once; a real exchange pushes the
candles of the last minutes, not a series' worth).
"""

from __future__ import annotations

import logging

from kucandle_gui.protocol import Candle

from .series import supersedes

log = logging.getLogger(__name__)

#: A held push: the candle and the exchange time of the push that brought it (ns).
Held = tuple[Candle, int]


class HeldPushes:
    """Pushes waiting for a series' history, in arrival order; feed thread only."""

    def __init__(self, keep: int = 0, max_starts: int | None = None) -> None:
        self._keep = keep
        self._max_starts = max_starts
        self._entries: list[Held] = []
        #: Each held start's newest entry (its index in ``_entries``).
        self._newest: dict[int, int] = {}
        #: Pushes of a new start not held because ``max_starts`` were held already.
        self.refused = 0

    def __len__(self) -> int:
        return len(self._entries)

    def hold(self, candle: Candle, pushed_ns: int) -> None:
        """Keep a push for later, or merge it into the held entry of its candle."""
        index = self._newest.get(candle.time)
        if index is not None and len(self._entries) >= self._keep:
            if supersedes(self._entries[index][0], candle):
                self._entries[index] = (candle, pushed_ns)
            return
        if index is None and self._max_starts is not None and len(self._newest) >= self._max_starts:
            if not self.refused:
                log.warning("more pushed candles held than the series keeps: the rest not held")
            self.refused += 1
            return
        self._newest[candle.time] = len(self._entries)
        self._entries.append((candle, pushed_ns))

    def release(self) -> list[Held]:
        """Every held push, oldest entry first; none held after this."""
        entries = self._entries
        self.clear()
        return entries

    def clear(self) -> None:
        self._entries = []
        self._newest = {}
