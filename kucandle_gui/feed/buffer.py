"""Hand-over of candle updates from the feed thread to a slower consumer (the GUI).

A busy feed changes the same open candle many times between two consumer turns; only its
latest state matters. Coalescing pending updates per candle bounds the queue by the number of
distinct candles touched, not by the message rate, without losing a candle: a replaced update
is counted, never dropped silently.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from kucandle_gui.protocol import Candle


@dataclass(frozen=True, slots=True)
class CandleUpdate:
    """A changed candle of one series."""

    symbol: str
    timeframe: str
    candle: Candle
    #: Exchange time of the push that brought it (ns, ``data.time``); 0 for REST rows.
    #: Lets a consumer measure end-to-end latency.
    pushed_ns: int = 0

    def as_dict(self) -> dict[str, object]:
        """Flat named fields, for JSON lines output."""
        return {"symbol": self.symbol, "timeframe": self.timeframe, **self.candle.as_dict()}


_Key = tuple[str, str, int]


class UpdateBuffer:
    """Thread-safe FIFO of candle updates for a slow consumer, bounded by coalescing.

    A pending update for the same (symbol, timeframe, candle start) is replaced in place,
    keeping its queue position so that an often-updated candle is not starved behind newer
    ones, and counted in ``coalesced``.
    """

    def __init__(self) -> None:
        self._pending: OrderedDict[_Key, CandleUpdate] = OrderedDict()
        self._cond = threading.Condition()
        self._closed = False
        self._coalesced = 0

    def __len__(self) -> int:
        with self._cond:
            return len(self._pending)

    @property
    def closed(self) -> bool:
        """True once ``close`` was called."""
        return self._closed

    @property
    def coalesced(self) -> int:
        """Updates replaced in place by a newer state of the same candle so far."""
        with self._cond:
            return self._coalesced

    def put(self, update: CandleUpdate) -> None:
        """Queue ``update``, or replace the pending update of the same candle.

        ``put_many`` for one update, written out: the feed calls it for every changed candle.
        """
        key = (update.symbol, update.timeframe, update.candle.time)
        with self._cond:
            if self._closed:
                return
            pending = self._pending
            if key in pending:
                self._coalesced += 1
                pending[key] = update
            else:
                pending[key] = update
                self._cond.notify()

    def put_many(self, updates: Iterable[CandleUpdate]) -> None:
        """Queue several updates under one lock with one wake-up (a merged REST page).

        ``updates`` is consumed while the lock is held: a collection or a cheap generator.
        """
        with self._cond:
            if self._closed:
                return
            added = 0
            for update in updates:
                key = (update.symbol, update.timeframe, update.candle.time)
                if key in self._pending:
                    self._coalesced += 1
                else:
                    added += 1
                # Assigning to an existing key keeps its place in an OrderedDict.
                self._pending[key] = update
            if added:
                self._cond.notify(added)

    def get(self, timeout: float | None = None) -> CandleUpdate | None:
        """The oldest pending update, waiting up to ``timeout`` seconds (None: forever).

        Returns None on timeout, or once the buffer is closed and empty.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._pending or self._closed, timeout)
            if self._pending:
                return self._pending.popitem(last=False)[1]
            return None

    def drain(self, limit: int | None = None) -> list[CandleUpdate]:
        """Take up to ``limit`` pending updates (all when None), oldest first, without waiting."""
        with self._cond:
            if limit is None or limit >= len(self._pending):
                taken = list(self._pending.values())
                self._pending.clear()
                return taken
            return [self._pending.popitem(last=False)[1] for _ in range(limit)]

    def discard(self, symbol: str, timeframe: str) -> int:
        """Drop the pending updates of one series (the consumer switched away); how many."""
        with self._cond:
            keys = [k for k in self._pending if k[0] == symbol and k[1] == timeframe]
            for key in keys:
                del self._pending[key]
            return len(keys)

    def close(self) -> None:
        """Wake every waiter; later puts are ignored. Pending updates can still be taken."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
