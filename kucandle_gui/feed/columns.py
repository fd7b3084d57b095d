"""Candle storage as seven numpy columns, the layout the chart draws from.

``time`` is int64, the six values float64, with free space at both ends: appending or
updating the newest candle is O(1) amortised whatever the length, dropping the oldest under a
cap is O(1), and lookups are binary searches. Two counters let a view cache what it drew:
``version`` moves on every change, ``history_version`` on every change except an update of the
newest candle, so everything but the live candle can stay cached while it ticks.

A consumer that derives arrays from the candles (the indicators) asks what changed since it
last looked: a :class:`ChangeWatch` from :meth:`CandleColumns.watch` keeps the oldest start
time written by history changes since the consumer last took it, exactly however many changes
that was, and :attr:`dropped` counts the oldest candles the cap removed, so the consumer
recomputes from that candle on and drops its own head instead of recomputing everything.

This class only stores; :class:`~kucandle_gui.feed.series.CandleSeries` decides what is
written (the merge rule).
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from kucandle_gui.protocol import Candle

#: Column names in ``Candle`` field order (after ``time``).
VALUE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "volume", "turnover")

_MIN_CAPACITY = 64
#: A capped store keeps at most an eighth of its cap (or ``_MIN_CAPACITY``) as free room at
#: the end: sliding the data back to the front once per that many appends stays O(1) amortised
#: and memory follows the cap.
_ROOM_SHARE = 8


class ChangeWatch:
    """The oldest candle start time written by history changes since the last :meth:`take`
    (``-inf``: everything may have changed): a running minimum the columns keep up to date,
    O(1) per change and exact however long the consumer waits. Made by
    :meth:`CandleColumns.watch`; the columns hold it weakly."""

    __slots__ = ("__weakref__", "oldest")

    def __init__(self) -> None:
        self.oldest = math.inf

    def take(self) -> float | None:
        """The oldest start time written since the last call (None: no history change)."""
        oldest, self.oldest = self.oldest, math.inf
        return None if oldest == math.inf else oldest


class CandleColumns:
    """Candles sorted by unique start time, oldest first, optionally capped (oldest dropped).

    Not thread-safe: one thread owns it. Columns are read-only views, valid until the next
    change.
    """

    def __init__(self, max_candles: int | None = None) -> None:
        if max_candles is not None and max_candles < 1:
            raise ValueError(f"max_candles must be at least 1, got {max_candles}")
        self.max_candles = max_candles
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
        #: Oldest candles dropped under the cap since this store was made.
        self.dropped = 0
        #: The candle of the last ``_write``, told to the watches by the history change that
        #: follows it
        #: (the update of the newest candle pays one attribute store, nothing more).
        self._written: Candle | None = None
        #: The watches of consumers, told every history change.
        self._watches: list[weakref.ref[ChangeWatch]] = []

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

    def watch(self) -> ChangeWatch:
        """A new :class:`ChangeWatch` of the history changes from now on; held weakly (it
        stops when the consumer drops it, or at :meth:`unwatch`).

        It keeps the oldest candle start time written by those changes (appended, inserted or
        updated older candles, the candle possibly since dropped by the cap; a bulk insert of
        missing candles: its oldest one kept), ``-inf`` when everything may have changed (a
        reload, older history prepended, ``clear``). Updates of the newest candle are not
        history changes: a consumer that saw ``version`` move without ``history_version``
        knows only the newest candle changed. Together with :attr:`dropped` this tells a
        consumer holding values per candle which of them still hold: those of candles older
        than the time taken, shifted by the candles dropped since.
        """
        self._watches = [r for r in self._watches if r() is not None]
        watch = ChangeWatch()
        self._watches.append(weakref.ref(watch))
        return watch

    def unwatch(self, watch: ChangeWatch) -> None:
        self._watches = [r for r in self._watches if r() not in (None, watch)]

    def bounds(self) -> tuple[float, float, float] | None:
        """Conservative ``(min low, max high, max volume)`` of the data, or None when empty."""
        if not self._n:
            return None
        return self._low_bound, self._high_bound, self._volume_bound

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
        self._load(times, columns, -math.inf)

    def clear(self) -> None:
        self._load(np.empty(0, dtype=np.int64), [np.empty(0) for _ in VALUE_FIELDS], -math.inf)

    # ---------------------------------------------------------------- storage

    def _load(self, times: np.ndarray, columns: list[np.ndarray], since: float) -> None:
        """Hold exactly ``times``/``columns`` (sorted, distinct), the newest kept under a cap.

        ``since``: the oldest start time whose candle changed (``-inf``: everything), told
        to the watches; candles older than it must be those held before, in order, but for
        the oldest ones counted in :attr:`dropped` by the caller.
        """
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
        self._written = None
        self._changed(history=True, since=since)

    def _capped_room(self) -> int:
        cap = self.max_candles or 0
        return cap + max(_MIN_CAPACITY, cap // _ROOM_SHARE)

    def _write(self, slot: int, candle: Candle) -> None:
        self._written = candle
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
            self.dropped += self._n - self.max_candles
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

    def _changed(self, *, history: bool, since: float | None = None) -> None:
        """Count a change; a history change is told to the watches with ``since`` or else the
        start of the candle just written (none known: everything may have changed)."""
        self.version += 1
        if history:
            self.history_version += 1
            if since is None:
                written = self._written
                since = -math.inf if written is None else written.time
            self._written = None
            for ref in self._watches:
                watch = ref()
                if watch is not None and since < watch.oldest:
                    watch.oldest = since
