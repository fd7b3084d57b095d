"""One pair's candles at one timeframe, merged by start time.

KuCoin sends each candle many times: every push is the whole candle so far, an update of the
previous candle can arrive after the next one began, and a REST page repeats candles the
socket already delivered (newest first, the still-open candle included). Appending blindly
would duplicate or regress candles, so everything goes through one rule, keyed by start time.
Periods without trades have no candle: a missing start time is not a gap to fill.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from kucandle_gui.protocol import Candle

#: The dead prefix is compacted once it is this fraction of the live candles (1/8), or
#: ``_COMPACT_MIN``, whichever is more: each compaction moves the live part once per
#: ``live / 8`` drops (O(1) amortised), and trimmed candles are let go soon after.
_COMPACT_SHARE = 8
_COMPACT_MIN = 64


class CandleSeries:
    """Candles of one (symbol, timeframe), unique by start time, oldest first.

    Not thread-safe: the feed thread owns it and hands copies (or changed candles) to others.

    Storage is two parallel lists (start times, candles) so that the live path, appending a
    candle or updating the last one, is O(1) amortised and lookups are a binary search.
    Trimmed candles stay as a dead prefix (``_head``) that is compacted once it is an eighth
    of the live part (``_COMPACT_SHARE``): dropping the oldest candle is O(1) amortised as
    well, and a full series holds at most about 1.125 x ``max_candles`` candles in memory.
    """

    def __init__(self, symbol: str, timeframe: str, max_candles: int = 100_000) -> None:
        if max_candles < 1:
            raise ValueError(f"max_candles must be at least 1, got {max_candles}")
        self.symbol = symbol
        self.timeframe = timeframe
        self.max_candles = max_candles
        #: Updates refused because their volume is below the stored candle's: an older state
        #: of the same candle (a stale REST row or an out-of-order push).
        self.stale_ignored = 0
        self._times: list[int] = []
        self._candles: list[Candle] = []
        self._head = 0

    def __len__(self) -> int:
        return len(self._times) - self._head

    def upsert(self, candle: Candle) -> bool:
        """Insert or update the candle with ``candle.time``; True when the series changed.

        An existing candle is replaced only by a different one with at least its volume:
        within a candle the volume only grows as trades arrive. When the series is full,
        a candle older than the oldest one kept is ignored (it would be trimmed at once);
        that is not counted as stale.
        """
        times = self._times
        start = candle.time
        if len(times) > self._head:
            last = times[-1]
            if start == last:
                return self._replace(len(times) - 1, candle)
            if start < last:
                return self._insert_before_last(candle)
        times.append(start)
        self._candles.append(candle)
        self._trim()
        return True

    def merge(self, candles: Iterable[Candle]) -> list[Candle]:
        """Upsert many candles given in any order, duplicates allowed (a REST page, a backfill).

        Returns the candles that changed the series and are still in it, one per start time,
        sorted by time. Candles are applied oldest first so that a fresh page is appended
        rather than inserted row by row at the front.
        """
        changed: dict[int, Candle] = {}
        for candle in sorted(candles, key=lambda c: c.time):
            if self.upsert(candle):
                changed[candle.time] = candle
        if not changed:
            return []
        oldest = self._times[self._head]
        return [c for c in changed.values() if c.time >= oldest]

    def last(self) -> Candle | None:
        """The newest candle (possibly still open), or None when empty."""
        return self._candles[-1] if len(self) else None

    def get(self, start: int) -> Candle | None:
        """The candle starting at ``start`` (Unix seconds), or None."""
        i = bisect_left(self._times, start, self._head)
        if i < len(self._times) and self._times[i] == start:
            return self._candles[i]
        return None

    def candles(self) -> list[Candle]:
        """A copy of the candles, oldest first."""
        return self._candles[self._head :]

    def _insert_before_last(self, candle: Candle) -> bool:
        times = self._times
        i = bisect_left(times, candle.time, self._head)
        if times[i] == candle.time:
            return self._replace(i, candle)
        if i == self._head and len(self) >= self.max_candles:
            return False
        times.insert(i, candle.time)
        self._candles.insert(i, candle)
        self._trim()
        return True

    def _replace(self, i: int, candle: Candle) -> bool:
        old = self._candles[i]
        if candle == old:
            return False
        if candle.volume < old.volume:
            self.stale_ignored += 1
            return False
        self._candles[i] = candle
        return True

    def _trim(self) -> None:
        excess = len(self) - self.max_candles
        if excess <= 0:
            return
        self._head += excess
        if self._head >= max(_COMPACT_MIN, (len(self._times) - self._head) // _COMPACT_SHARE):
            del self._times[: self._head]
            del self._candles[: self._head]
            self._head = 0
