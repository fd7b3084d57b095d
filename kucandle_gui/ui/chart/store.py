"""The chart's candle store: numpy columns, amortised O(1) append, O(1) update of the newest.

Qt-free, so that it is tested without a QApplication. The chart draws straight from these
columns; it never keeps a ``Candle`` object per candle.

Layout: seven parallel arrays (``time`` int64, the six values float64) with free space at both
ends; the held candles are ``[start, start + n)``. Appending writes at the end and grows the
arrays by doubling (or slides the data back to the front when more than half of the space lies
there), so it is amortised O(1); dropping the oldest under a cap moves ``start`` and is O(1);
updating the newest candle writes seven numbers. A candle older than the newest is placed by
binary search and shifts the younger ones: O(n), but backfill is rare, and
:meth:`CandleStore.upsert_many` merges a large batch in one sort instead.

Two counters let a view cache what it drew: ``version`` moves on every change,
``history_version`` on every change except an update of the newest candle — so everything but
the live candle can stay cached while the live candle ticks (piker's "live bar held apart").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from enum import Enum

import numpy as np

from kucandle_gui.protocol import Candle

#: Column names in ``Candle`` field order (after ``time``).
VALUE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "volume", "turnover")

_MIN_CAPACITY = 64
#: Above this many candles, ``upsert_many`` merges by sorting instead of one upsert each.
_BULK_THRESHOLD = 32


class Change(Enum):
    """What an upsert did."""

    UPDATED_LAST = "updated_last"  # the newest candle, same start time
    APPENDED = "appended"  # a new newest candle
    INSERTED = "inserted"  # an older candle that was missing
    UPDATED = "updated"  # an older candle that was held
    IGNORED = "ignored"  # older than everything held while the store is full


class CandleStore:
    """Candles sorted by start time, unique per start time, optionally capped."""

    def __init__(self, max_len: int | None = None) -> None:
        if max_len is not None and max_len < 1:
            raise ValueError(f"max_len must be at least 1, got {max_len}")
        self._max_len = max_len
        self._start = 0
        self._n = 0
        self._time = np.empty(0, dtype=np.int64)
        self._values = [np.empty(0, dtype=np.float64) for _ in VALUE_FIELDS]
        self.version = 0
        self.history_version = 0
        # Conservative extents of everything ever held since the last bulk load (they may be
        # wider than the data after a drop or an update, never narrower).
        self._low_bound = np.inf
        self._high_bound = -np.inf
        self._volume_bound = 0.0

    # ---------------------------------------------------------------- reading

    def __len__(self) -> int:
        return self._n

    @property
    def max_len(self) -> int | None:
        return self._max_len

    def _col(self, array: np.ndarray) -> np.ndarray:
        view = array[self._start : self._start + self._n]
        view.flags.writeable = False
        return view

    @property
    def time(self) -> np.ndarray:
        """Start times (Unix s), ascending; a read-only view valid until the next change."""
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
        return self.candle(-1) if self._n else None

    def first_time(self) -> int | None:
        return int(self._time[self._start]) if self._n else None

    def last_time(self) -> int | None:
        return int(self._time[self._start + self._n - 1]) if self._n else None

    def candles(self, lo: int = 0, hi: int | None = None) -> list[Candle]:
        """Candles ``[lo, hi)`` as ``Candle`` objects, oldest first."""
        hi = self._n if hi is None else min(hi, self._n)
        lo = max(0, lo)
        if hi <= lo:
            return []
        a, b = self._start + lo, self._start + hi
        columns = [self._time[a:b].tolist(), *(v[a:b].tolist() for v in self._values)]
        return [Candle(*row) for row in zip(*columns, strict=True)]

    def index_of(self, time: int) -> int:
        """Index of the candle starting at ``time``, or -1."""
        if isinstance(time, float) and not time.is_integer():
            return -1
        times = self.time
        i = self.first_at_or_after(time)
        return i if i < self._n and times[i] == time else -1

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

    def clear(self) -> None:
        self._start = 0
        self._n = 0
        self._time = np.empty(0, dtype=np.int64)
        self._values = [np.empty(0, dtype=np.float64) for _ in VALUE_FIELDS]
        self._low_bound, self._high_bound, self._volume_bound = np.inf, -np.inf, 0.0
        self._changed(history=True)

    def set_history(self, candles: Sequence[Candle] | Iterable[Candle]) -> None:
        """Replace everything with ``candles`` (any order; for a repeated start the last wins)."""
        rows = list(candles)
        count = len(rows)
        times = np.fromiter((c.time for c in rows), dtype=np.int64, count=count)
        values = [
            np.fromiter((getattr(c, name) for c in rows), dtype=np.float64, count=count)
            for name in VALUE_FIELDS
        ]
        self.set_arrays(times, *values)

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
        """Replace everything with columns (any order; for a repeated start the last wins)."""
        times = np.asarray(time, dtype=np.int64)
        if turnover is None:
            turnover = np.zeros(len(times))
        columns = [
            np.asarray(c, dtype=np.float64) for c in (open, high, low, close, volume, turnover)
        ]
        if any(len(c) != len(times) for c in columns):
            raise ValueError("all columns must have the same length")
        times, columns = _sorted_unique(times, columns)
        if self._max_len is not None and len(times) > self._max_len:
            times, columns = times[-self._max_len :], [c[-self._max_len :] for c in columns]
        n = len(times)
        capacity = max(_MIN_CAPACITY, 2 * n if self._max_len is None else n + _MIN_CAPACITY)
        self._time = np.empty(capacity, dtype=np.int64)
        self._values = [np.empty(capacity, dtype=np.float64) for _ in VALUE_FIELDS]
        self._time[:n] = times
        for dst, src in zip(self._values, columns, strict=True):
            dst[:n] = src
        self._start, self._n = 0, n
        self._recompute_bounds()
        self._changed(history=True)

    def upsert(self, candle: Candle) -> Change:
        """Insert ``candle`` or replace the held candle with the same start time."""
        t = candle.time
        n = self._n
        if n:
            last = self._time[self._start + n - 1]
            if t == last:
                self._write(self._start + n - 1, candle)
                self._changed(history=False)
                return Change.UPDATED_LAST
            if t < last:
                return self._upsert_older(candle)
        self._make_room_at_end()
        self._write(self._start + self._n, candle)
        self._n += 1
        if self._max_len is not None and self._n > self._max_len:
            self._start += 1
            self._n -= 1
        self._changed(history=True)
        return Change.APPENDED

    def upsert_many(self, candles: Iterable[Candle]) -> None:
        """Upsert each candle in order; a large batch is merged with one sort."""
        rows = candles if isinstance(candles, Sequence) else list(candles)
        if len(rows) <= _BULK_THRESHOLD:
            for candle in rows:
                self.upsert(candle)
            return
        # Held candles first, batch after: for a repeated start the batch wins, last one last.
        count = len(rows)
        times = np.concatenate(
            [self.time, np.fromiter((c.time for c in rows), dtype=np.int64, count=count)]
        )
        columns = [
            np.concatenate(
                [held, np.fromiter((getattr(c, name) for c in rows), np.float64, count=count)]
            )
            for held, name in zip(self._held_values(), VALUE_FIELDS, strict=True)
        ]
        self.set_arrays(times, *columns)

    # ---------------------------------------------------------------- internals

    def _held_values(self) -> list[np.ndarray]:
        a, b = self._start, self._start + self._n
        return [v[a:b] for v in self._values]

    def _upsert_older(self, candle: Candle) -> Change:
        times = self.time
        i = int(np.searchsorted(times, int(candle.time)))
        if times[i] == candle.time:
            self._write(self._start + i, candle)
            self._changed(history=True)
            return Change.UPDATED
        full = self._max_len is not None and self._n >= self._max_len
        if full and i == 0:
            return Change.IGNORED
        self._make_room_at_end()
        a = self._start + i
        b = self._start + self._n
        self._time[a + 1 : b + 1] = self._time[a:b]
        for v in self._values:
            v[a + 1 : b + 1] = v[a:b]
        self._n += 1
        self._write(self._start + i, candle)
        if full:  # drop the oldest to stay within the cap
            self._start += 1
            self._n -= 1
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

    def _make_room_at_end(self) -> None:
        """Ensure one free slot after the newest candle: amortised O(1)."""
        capacity = len(self._time)
        end = self._start + self._n
        if end < capacity:
            return
        if self._start and self._n <= capacity // 2:
            new_capacity = capacity  # slide back to the front
        else:
            new_capacity = max(_MIN_CAPACITY, 2 * capacity)
            if self._max_len is not None:
                new_capacity = min(new_capacity, 2 * self._max_len + _MIN_CAPACITY)
                if new_capacity <= self._n:  # full and the front is not reusable: slide
                    new_capacity = capacity
        a, b = self._start, end
        if new_capacity == capacity:
            self._time[: self._n] = self._time[a:b].copy()
            for v in self._values:
                v[: self._n] = v[a:b].copy()
        else:
            time = np.empty(new_capacity, dtype=np.int64)
            time[: self._n] = self._time[a:b]
            values = []
            for v in self._values:
                grown = np.empty(new_capacity, dtype=np.float64)
                grown[: self._n] = v[a:b]
                values.append(grown)
            self._time, self._values = time, values
        self._start = 0

    def _recompute_bounds(self) -> None:
        if self._n:
            self._low_bound = float(np.min(self.low))
            self._high_bound = float(np.max(self.high))
            self._volume_bound = float(np.max(self.volume))
        else:
            self._low_bound, self._high_bound, self._volume_bound = np.inf, -np.inf, 0.0

    def _changed(self, *, history: bool) -> None:
        self.version += 1
        if history:
            self.history_version += 1


def _sorted_unique(
    times: np.ndarray, columns: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sort by time (stable) and keep the last of each run of equal times."""
    if len(times) == 0:
        return times, columns
    if len(times) > 1 and not np.all(times[1:] > times[:-1]):
        order = np.argsort(times, kind="stable")
        times = times[order]
        columns = [c[order] for c in columns]
        keep = np.empty(len(times), dtype=bool)
        keep[:-1] = times[1:] != times[:-1]
        keep[-1] = True
        times = times[keep]
        columns = [c[keep] for c in columns]
    return times, columns
