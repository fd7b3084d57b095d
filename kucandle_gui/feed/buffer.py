"""Hand-over of candle updates from the feed thread to a slower consumer (the GUI).

A busy feed changes the same open candle many times between two consumer turns; only its
latest state matters. Coalescing pending updates per candle bounds the queue by the number of
distinct candles touched, not by the message rate, without losing a candle: a replaced update
is counted, never dropped silently. A consumer that wants every state (headless output,
which prints each change) gives the buffer a ``keep``: until that many entries are pending,
none is replaced, so a consumer that keeps up sees every change and one that does not is
still bounded.

Each queued entry is numbered, so that a consumer can take the updates queued before a given
moment and no later ones (:meth:`UpdateBuffer.mark`, ``drain(through=...)``): that is what puts
the feed's series events exactly between the candles before and after them
(:class:`.in_order.InOrder`).
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
    #: Lets a consumer measure end-to-end latency (a push held while its series' history
    #: loaded keeps its time: the wait counts in).
    pushed_ns: int = 0

    def as_dict(self) -> dict[str, object]:
        """Flat named fields, for JSON lines output."""
        return {"symbol": self.symbol, "timeframe": self.timeframe, **self.candle.as_dict()}


_Key = tuple[str, str, int]


def _key(update: CandleUpdate) -> _Key:
    return update.symbol, update.timeframe, update.candle.time


class UpdateBuffer:
    """Thread-safe FIFO of candle updates for a slow consumer, bounded by coalescing.

    Entries are numbered 1, 2, 3, ... as they are queued. A pending update for the same
    (symbol, timeframe, candle start) replaces its entry in place, keeping its place and
    number so that an often-updated candle is not starved behind newer ones, and is counted
    in ``coalesced`` - unless a :meth:`mark` was read since that entry was queued: then the
    new state gets an entry of its own, after the mark. Coalescing therefore never moves an
    update across a mark: what was queued before a mark is taken with ``through=mark``, what
    came after it is not, even when both are states of one candle (the open candle before a
    dropped connection, and the same candle's first push after the reconnect: evaluated
    before the gap is known, the second could fire a price alert as live that was reached
    while the link was down). Marks are read at series events, which are rare, and once per
    consumer turn, which then takes what they cover, so the extra entries are few.

    While fewer than ``keep`` entries are pending, every update gets an entry of its own (no
    coalescing at all); from ``keep`` pending entries on, updates coalesce as above.
    """

    def __init__(self, keep: int = 0) -> None:
        if keep < 0:
            raise ValueError(f"keep must not be negative, got {keep}")
        self._keep = keep
        #: Pending updates by entry number, oldest (smallest) first.
        self._entries: OrderedDict[int, CandleUpdate] = OrderedDict()
        #: Each pending candle's newest entry.
        self._newest: dict[_Key, int] = {}
        self._last = 0
        #: Entries numbered up to here are not replaced: a mark was read after them.
        self._sealed = 0
        self._cond = threading.Condition()
        self._closed = False
        self._coalesced = 0

    def __len__(self) -> int:
        with self._cond:
            return len(self._entries)

    @property
    def closed(self) -> bool:
        """True once ``close`` was called."""
        return self._closed

    @property
    def coalesced(self) -> int:
        """Updates replaced in place by a newer state of the same candle so far."""
        with self._cond:
            return self._coalesced

    def mark(self) -> int:
        """The number of the last entry queued (0 before any): ``drain(through=mark)`` later
        takes everything queued before this call, and nothing queued after it."""
        with self._cond:
            self._sealed = self._last
            return self._last

    def put(self, update: CandleUpdate) -> None:
        """Queue ``update``, or replace the pending update of the same candle."""
        with self._cond:
            if not self._closed and self._queue(update):
                self._cond.notify()

    def put_many(self, updates: Iterable[CandleUpdate]) -> None:
        """Queue several updates under one lock with one wake-up (a merged REST page).

        ``updates`` is consumed while the lock is held: a collection or a cheap generator.
        """
        with self._cond:
            if self._closed:
                return
            added = sum(self._queue(update) for update in updates)
            if added:
                self._cond.notify(added)

    def _queue(self, update: CandleUpdate) -> bool:
        """Queue or replace under the lock; whether a new entry was queued."""
        key = _key(update)
        number = self._newest.get(key, 0)
        if number > self._sealed and len(self._entries) >= self._keep:
            # Assigning to an existing key keeps its place in an OrderedDict.
            self._entries[number] = update
            self._coalesced += 1
            return False
        self._last += 1
        self._entries[self._last] = update
        self._newest[key] = self._last
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Whether updates are pending, waiting up to ``timeout`` seconds (None: forever) for
        one; takes none. False at once when closed and empty."""
        with self._cond:
            self._cond.wait_for(lambda: self._entries or self._closed, timeout)
            return bool(self._entries)

    def get(self, timeout: float | None = None) -> CandleUpdate | None:
        """The oldest pending update, waiting up to ``timeout`` seconds (None: forever).

        Returns None on timeout, or once the buffer is closed and empty.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._entries or self._closed, timeout)
            return self._pop() if self._entries else None

    def drain(self, limit: int | None = None, through: int | None = None) -> list[CandleUpdate]:
        """Take up to ``limit`` pending updates (all when None), oldest first, without waiting;
        only those numbered up to ``through`` (a :meth:`mark`) when given."""
        with self._cond:
            entries = self._entries
            if limit is None and (through is None or through >= self._last):
                taken = list(entries.values())
                entries.clear()
                self._newest.clear()
                return taken
            taken = []
            while (
                entries
                and (limit is None or len(taken) < limit)
                and (through is None or next(iter(entries)) <= through)
            ):
                taken.append(self._pop())
            return taken

    def _pop(self) -> CandleUpdate:
        """Take the oldest entry (under the lock)."""
        number, update = self._entries.popitem(last=False)
        key = _key(update)
        if self._newest.get(key) == number:
            del self._newest[key]
        return update

    def discard(self, symbol: str, timeframe: str) -> int:
        """Drop the pending updates of one series (the consumer switched away); how many."""
        with self._cond:
            numbers = [
                n
                for n, u in self._entries.items()
                if u.symbol == symbol and u.timeframe == timeframe
            ]
            for number in numbers:
                del self._entries[number]
            self._newest = {k: n for k, n in self._newest.items() if k[:2] != (symbol, timeframe)}
            return len(numbers)

    def close(self) -> None:
        """Wake every waiter; later puts are ignored. Pending updates can still be taken."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
