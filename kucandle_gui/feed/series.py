"""One pair's candles at one timeframe, merged by start time under one rule.

KuCoin sends each candle many times: every push is the whole candle so far, an update of the
previous candle can arrive after the next one began, and a REST page repeats candles the
socket already delivered (newest first, the still-open candle included, possibly in an older
state than the last push). Appending blindly would duplicate or regress candles, so every
write, in the feed and in the model the screen draws, goes through :func:`supersedes`.
Periods without trades have no candle: a missing start time is not a gap to fill.

Storage is seven numpy columns (``time`` int64, the six values float64) with free space at
both ends: the chart draws straight from them, and the live path (append, or update the newest
candle) is O(1) amortised whatever the length. Two counters let a view cache what it drew:
``version`` moves on every change, ``history_version`` on every change except an update of the
newest candle, so everything but the live candle can stay cached while it ticks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import Enum

import numpy as np

from kucandle_gui.protocol import Candle

#: Column names in ``Candle`` field order (after ``time``).
VALUE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "volume", "turnover")

_MIN_CAPACITY = 64
#: Batches with more new candles than this are inserted with one sort instead of one by one.
_BULK_THRESHOLD = 32
#: A capped series keeps at most an eighth of its cap (or ``_MIN_CAPACITY``) as free room at
#: the end: sliding the data back to the front once per that many appends stays O(1) amortised
#: and memory follows the cap.
_ROOM_SHARE = 8


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


class CandleSeries:
    """Candles of one (symbol, timeframe), unique by start time, oldest first, optionally capped.

    Not thread-safe: one thread owns a series (the feed thread, or the UI thread for the
    model's) and hands copies or changed candles to others. Columns are read-only views, valid
    until the next change.
    """

    def __init__(
        self, symbol: str = "", timeframe: str = "", max_candles: int | None = 100_000
    ) -> None:
        if max_candles is not None and max_candles < 1:
            raise ValueError(f"max_candles must be at least 1, got {max_candles}")
        self.symbol = symbol
        self.timeframe = timeframe
        self.max_candles = max_candles
        #: Writes refused because their volume is below the stored candle's (see supersedes).
        self.stale_ignored = 0
        self.version = 0
        self.history_version = 0
        self._start = 0
        self._n = 0
        self._time = np.empty(0, dtype=np.int64)
        self._values = [np.empty(0, dtype=np.float64) for _ in VALUE_FIELDS]
        #: The newest candle as an object: the live path compares against it without numpy.
        self._last: Candle | None = None
        # Conservative extents of everything held since the last bulk load (they may be wider
        # than the data after a drop or an update, never narrower).
        self._low_bound = math.inf
        self._high_bound = -math.inf
        self._volume_bound = 0.0

    # ---------------------------------------------------------------- reading

    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        """Candle slots allocated (held and free): what the series costs in memory."""
        return len(self._time)

    def _col(self, array: np.ndarray) -> np.ndarray:
        view = array[self._start : self._start + self._n]
        view.flags.writeable = False
        return view

    @property
    def time(self) -> np.ndarray:
        """Start times (Unix s), ascending."""
        return self._col(self._time)

    @property
    def open(self) -> np.ndarray:
        return self._col(self._values[0])

    @property
    def high(self) -> np.ndarray:
        return self._col(self._values[1])

    @property
    def low(self) -> np.ndarray:
        return self._col(self._values[2])

    @property
    def close(self) -> np.ndarray:
        return self._col(self._values[3])

    @property
    def volume(self) -> np.ndarray:
        return self._col(self._values[4])

    @property
    def turnover(self) -> np.ndarray:
        return self._col(self._values[5])

    def candle(self, index: int) -> Candle:
        """The candle at ``index`` (negative counts from the newest)."""
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(f"candle index {index} out of range for {self._n} candles")
        i = self._start + index
        return Candle(int(self._time[i]), *(float(v[i]) for v in self._values))

    def last(self) -> Candle | None:
        """The newest candle (possibly still open), or None when empty."""
        return self._last

    def first_time(self) -> int | None:
        return int(self._time[self._start]) if self._n else None

    def last_time(self) -> int | None:
        return self._last.time if self._last is not None else None

    def get(self, start: int) -> Candle | None:
        """The candle starting at ``start`` (Unix seconds), or None."""
        i = self.index_of(start)
        return self.candle(i) if i >= 0 else None

    def candles(self, lo: int = 0, hi: int | None = None) -> list[Candle]:
        """Candles ``[lo, hi)`` as new ``Candle`` objects, oldest first."""
        hi = self._n if hi is None else min(hi, self._n)
        lo = max(0, lo)
        if hi <= lo:
            return []
        a, b = self._start + lo, self._start + hi
        columns = [self._time[a:b].tolist(), *(v[a:b].tolist() for v in self._values)]
        return [Candle(*row) for row in zip(*columns, strict=True)]

    def index_of(self, time: float) -> int:
        """Index of the candle starting at ``time``, or -1."""
        if isinstance(time, float) and not time.is_integer():
            return -1
        i = self.first_at_or_after(time)
        return i if i < self._n and self._time[self._start + i] == time else -1

    def first_at_or_after(self, x: float) -> int:
        """Index of the first candle starting at or after ``x`` (``len`` if none): O(log n).

        The query goes to ``searchsorted`` as an integer: a float query would make numpy cast
        the whole int64 column to float first, which is O(n).
        """
        if x != x:  # NaN
            return self._n
        if x <= -(2**62):
            return 0
        if x >= 2**62:
            return self._n
        return int(np.searchsorted(self.time, math.ceil(x), side="left"))

    def first_after(self, x: float) -> int:
        """Index of the first candle starting strictly after ``x`` (``len`` if none)."""
        if x != x:
            return self._n
        if x < -(2**62):
            return 0
        if x >= 2**62:
            return self._n
        return int(np.searchsorted(self.time, math.floor(x), side="right"))

    def nearest_index(self, x: float) -> int:
        """Index of the candle whose start is nearest to ``x``, or -1 when empty."""
        if not self._n:
            return -1
        times = self.time
        i = self.first_at_or_after(x)
        if i == 0:
            return 0
        if i >= self._n:
            return self._n - 1
        return i if times[i] - x < x - times[i - 1] else i - 1

    def range_indices(self, x0: float, x1: float) -> tuple[int, int]:
        """``(lo, hi)`` such that candles ``[lo, hi)`` start within ``[x0, x1]``."""
        lo = self.first_at_or_after(x0)
        hi = self.first_after(x1)
        return lo, max(lo, hi)

    def bounds(self) -> tuple[float, float, float] | None:
        """Conservative ``(min low, max high, max volume)`` of the data, or None when empty."""
        if not self._n:
            return None
        return self._low_bound, self._high_bound, self._volume_bound

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

    def set_arrays(
        self,
        time: np.ndarray,
        open: np.ndarray,
        high: np.ndarray,
        low: np.ndarray,
        close: np.ndarray,
        volume: np.ndarray,
        turnover: np.ndarray | None = None,
    ) -> None:
        """Replace everything with columns of distinct start times (a bulk load from numpy)."""
        times = np.asarray(time, dtype=np.int64)
        if turnover is None:
            turnover = np.zeros(len(times))
        columns = [
            np.asarray(c, dtype=np.float64) for c in (open, high, low, close, volume, turnover)
        ]
        if any(len(c) != len(times) for c in columns):
            raise ValueError("all columns must have the same length")
        order = np.argsort(times, kind="stable")
        times, columns = times[order], [c[order] for c in columns]
        if len(times) > 1 and not np.all(times[1:] > times[:-1]):
            raise ValueError("start times must be distinct")
        self._load(times, columns)

    def clear(self) -> None:
        self._load(np.empty(0, dtype=np.int64), [np.empty(0) for _ in VALUE_FIELDS])

    # ---------------------------------------------------------------- internals

    def _load(self, times: np.ndarray, columns: list[np.ndarray]) -> None:
        """Hold exactly ``times``/``columns`` (sorted, distinct), the newest kept under a cap."""
        if self.max_candles is not None and len(times) > self.max_candles:
            times, columns = times[-self.max_candles :], [c[-self.max_candles :] for c in columns]
        n = len(times)
        capacity = max(_MIN_CAPACITY, 2 * n) if self.max_candles is None else self._capped_room()
        self._time = np.empty(max(capacity, n), dtype=np.int64)
        self._values = [np.empty(len(self._time), dtype=np.float64) for _ in VALUE_FIELDS]
        self._time[:n] = times
        for dst, src in zip(self._values, columns, strict=True):
            dst[:n] = src
        self._start, self._n = 0, n
        self._last = self.candle(-1) if n else None
        if n:
            self._low_bound = float(np.min(self.low))
            self._high_bound = float(np.max(self.high))
            self._volume_bound = float(np.max(self.volume))
        else:
            self._low_bound, self._high_bound, self._volume_bound = math.inf, -math.inf, 0.0
        self._changed(history=True)

    def _capped_room(self) -> int:
        cap = self.max_candles or 0
        return cap + max(_MIN_CAPACITY, cap // _ROOM_SHARE)

    def _insert_bulk(self, new: list[Candle]) -> None:
        """Insert candles whose start times are not held, with one sort."""
        count = len(new)
        times = np.concatenate(
            [self.time, np.fromiter((c.time for c in new), dtype=np.int64, count=count)]
        )
        a, b = self._start, self._start + self._n
        columns = [
            np.concatenate(
                [held[a:b], np.fromiter((getattr(c, name) for c in new), np.float64, count)]
            )
            for held, name in zip(self._values, VALUE_FIELDS, strict=True)
        ]
        order = np.argsort(times, kind="stable")
        self._load(times[order], [c[order] for c in columns])

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

    def _write(self, slot: int, candle: Candle) -> None:
        self._time[slot] = candle.time
        values = self._values
        values[0][slot] = candle.open
        values[1][slot] = candle.high
        values[2][slot] = candle.low
        values[3][slot] = candle.close
        values[4][slot] = candle.volume
        values[5][slot] = candle.turnover
        if candle.low < self._low_bound:
            self._low_bound = candle.low
        if candle.high > self._high_bound:
            self._high_bound = candle.high
        if candle.volume > self._volume_bound:
            self._volume_bound = candle.volume

    def _trim(self) -> None:
        """Drop the oldest beyond the cap: O(1), the slot is reused by a later slide."""
        if self.max_candles is not None and self._n > self.max_candles:
            self._start += self._n - self.max_candles
            self._n = self.max_candles

    def _make_room_at_end(self) -> None:
        """Ensure one free slot after the newest candle: amortised O(1)."""
        capacity = len(self._time)
        end = self._start + self._n
        if end < capacity:
            return
        if self.max_candles is not None:
            new_capacity = max(capacity, self._capped_room())
        else:
            new_capacity = max(_MIN_CAPACITY, 2 * self._n + 1)
        a = self._start
        if new_capacity == capacity and a:  # slide back to the front
            self._time[: self._n] = self._time[a:end].copy()
            for v in self._values:
                v[: self._n] = v[a:end].copy()
        else:
            new_capacity = max(new_capacity, self._n + 1)
            time = np.empty(new_capacity, dtype=np.int64)
            time[: self._n] = self._time[a:end]
            values = []
            for v in self._values:
                grown = np.empty(new_capacity, dtype=np.float64)
                grown[: self._n] = v[a:end]
                values.append(grown)
            self._time, self._values = time, values
        self._start = 0

    def _changed(self, *, history: bool) -> None:
        self.version += 1
        if history:
            self.history_version += 1


__all__ = ["VALUE_FIELDS", "CandleSeries", "Change", "supersedes"]
