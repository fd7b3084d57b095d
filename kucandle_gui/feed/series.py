"""One pair's candles at one timeframe, merged by start time under one rule.

KuCoin sends each candle many times: every push is the whole candle so far, an update of the
previous candle can arrive after the next one began, and a REST page repeats candles the
socket already delivered (newest first, the still-open candle included, possibly in an older
state than the last push). Appending blindly would duplicate or regress candles, so every
write, in the feed and in the model the screen draws, goes through :func:`supersedes`.
Periods without trades have no candle: a missing start time is not a gap to fill.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import Enum

import numpy as np

from kucandle_gui.protocol import Candle

from .columns import VALUE_FIELDS, CandleColumns

#: Batches with more new candles than this are inserted with one sort instead of one by one.
_BULK_THRESHOLD = 32


def supersedes(held: Candle, new: Candle) -> bool:
    """The merge rule: whether ``new`` replaces ``held``, the stored candle with its start time.

    Within a candle the volume only grows as trades arrive, so a state with less volume is an
    older one (a REST row fetched before the latest push, or a late push) and never replaces
    a newer state; an identical candle changes nothing; with equal volume the later write wins
    (the exchange corrected a price without a trade).
    """
    return new != held and new.volume >= held.volume


class Change(Enum):
    """What an upsert did; truthy when the series changed."""

    APPENDED = "appended"  # a new newest candle
    UPDATED_LAST = "updated_last"  # the newest candle, same start time
    INSERTED = "inserted"  # an older candle that was missing
    UPDATED = "updated"  # an older candle that was held
    SAME = "same"  # refused by the rule: identical to the held candle
    STALE = "stale"  # refused by the rule: an older state of the held candle
    IGNORED = "ignored"  # older than everything held while the series is full

    def __bool__(self) -> bool:
        return self in _CHANGES


_CHANGES = frozenset({Change.APPENDED, Change.UPDATED_LAST, Change.INSERTED, Change.UPDATED})


class CandleSeries(CandleColumns):
    """Candles of one (symbol, timeframe) in :class:`CandleColumns`, written by the rule.

    Not thread-safe: one thread owns a series (the feed thread, or the UI thread for the
    model's) and hands copies or changed candles to others.
    """

    def __init__(
        self, symbol: str = "", timeframe: str = "", max_candles: int | None = 100_000
    ) -> None:
        super().__init__(max_candles)
        self.symbol = symbol
        self.timeframe = timeframe
        #: Writes refused because their volume is below the stored candle's (see supersedes).
        self.stale_ignored = 0

    # ---------------------------------------------------------------- writing

    def upsert(self, candle: Candle) -> Change:
        """Insert ``candle`` or apply :func:`supersedes` against the held one with its start.

        When the series is full, a candle older than the oldest one kept is ignored (it would
        be trimmed at once); that is not counted as stale.
        """
        last = self._last
        if last is not None and candle.time <= last.time:
            if candle.time == last.time:
                change = self._replace(self._n - 1, last, candle)
                return Change.UPDATED_LAST if change else change
            return self._upsert_older(candle)
        self._make_room_at_end()
        self._write(self._start + self._n, candle)
        self._n += 1
        self._last = candle
        self._trim()
        self._changed(history=True)
        return Change.APPENDED

    def merge(self, candles: Iterable[Candle]) -> list[Candle]:
        """Upsert many candles given in any order, duplicates allowed (a REST page, a backfill).

        Returns the candles that changed the series and are still in it, one per start time,
        sorted by time. Duplicates within the batch are settled by the same rule first; new
        start times in bulk are inserted with one sort rather than shifted in one by one.
        """
        batch: dict[int, Candle] = {}
        for candle in sorted(candles, key=lambda c: c.time):
            held = batch.get(candle.time)
            if held is None or supersedes(held, candle):
                batch[candle.time] = candle
            elif candle.volume < held.volume:
                self.stale_ignored += 1
        changed: list[Candle] = []
        new: list[Candle] = []
        for start, candle in batch.items():
            i = self.index_of(start)
            if i < 0:
                new.append(candle)
            elif self._replace(i, self.candle(i), candle):
                changed.append(candle)
        if len(new) > _BULK_THRESHOLD:
            self._insert_bulk(new)
            changed.extend(new)
        else:
            changed.extend(c for c in new if self.upsert(c))
        if not changed:
            return []
        oldest = self.first_time()
        return sorted((c for c in changed if c.time >= oldest), key=lambda c: c.time)

    def set_history(self, candles: Iterable[Candle]) -> None:
        """Replace every candle with ``candles`` (any order, merged by the rule)."""
        self.clear()
        self.merge(candles)

    # ---------------------------------------------------------------- internals

    def _insert_bulk(self, new: list[Candle]) -> None:
        """Insert candles whose start times are not held, with one sort.

        Recorded as a change from the oldest new candle kept: a gap filled among recent
        candles leaves the older ones as they were (a consumer recomputes from the gap on);
        only candles older than everything held (a page of older history) change everything.
        Held candles the cap then cuts off count as :attr:`dropped`.
        """
        count, held = len(new), self._n
        held_times = self.time
        times = np.concatenate(
            [held_times, np.fromiter((c.time for c in new), dtype=np.int64, count=count)]
        )
        a, b = self._start, self._start + held
        columns = [
            np.concatenate(
                [column[a:b], np.fromiter((getattr(c, name) for c in new), np.float64, count)]
            )
            for column, name in zip(self._values, VALUE_FIELDS, strict=True)
        ]
        order = np.argsort(times, kind="stable")
        cut = 0 if self.max_candles is None else max(0, len(order) - self.max_candles)
        kept = order[cut:]
        self.dropped += int(np.count_nonzero(order[:cut] < held))
        fresh = np.flatnonzero(kept >= held)  # positions of the new candles kept
        if not held:
            since = -math.inf
        elif not len(fresh):  # every new candle was older than the cap keeps
            since = float(times[kept[-1]])
        else:
            since = float(times[kept[fresh[0]]])
            if since < held_times[0]:
                since = -math.inf  # older history prepended
        self._load(times[kept], [c[kept] for c in columns], since)

    def _replace(self, index: int, held: Candle, candle: Candle) -> Change:
        if not supersedes(held, candle):
            if candle == held:
                return Change.SAME
            self.stale_ignored += 1
            return Change.STALE
        self._write(self._start + index, candle)
        newest = index == self._n - 1
        if newest:
            self._last = candle
        self._changed(history=not newest)
        return Change.UPDATED

    def _upsert_older(self, candle: Candle) -> Change:
        i = self.first_at_or_after(candle.time)
        if self._time[self._start + i] == candle.time:
            return self._replace(i, self.candle(i), candle)
        full = self.max_candles is not None and self._n >= self.max_candles
        if full and i == 0:
            return Change.IGNORED
        self._make_room_at_end()
        a, b = self._start + i, self._start + self._n
        self._time[a + 1 : b + 1] = self._time[a:b]
        for v in self._values:
            v[a + 1 : b + 1] = v[a:b]
        self._n += 1
        self._write(a, candle)
        self._trim()
        self._changed(history=True)
        return Change.INSERTED


__all__ = ["CandleSeries", "Change", "supersedes"]
