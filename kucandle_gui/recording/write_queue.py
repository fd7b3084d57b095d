"""The recorder's queue from the feed threads to its one writer.

A feed thread must never wait for the disk, and a disk slower than the feed must not grow the
memory without end: the queue holds at most ``max_pending`` lines of at most
``max_pending_bytes`` of frames and bodies in all (a line is a REST answer of a megabyte as
well as a push of a hundred bytes), and counts what does not fit,
leaving a :class:`LostMark` where the lines went missing so that the file says so in place.
Each line is built by the caller's ``make`` under the queue's lock, with the time taken there:
the file's order is the order of the times (``m`` never goes back) and of anything ``make``
numbers (sessions).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any


class LostMark:
    """Where lines were dropped, and how many (written as a ``lost`` line)."""

    __slots__ = ("count", "m", "t")

    def __init__(self, t: float, m: float) -> None:
        self.t, self.m, self.count = t, m, 0


class FlushMark:
    """A request to flush once everything queued before it is written (``done`` then)."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class WriteQueue:
    """Bounded, never blocking a putter; one taker (the writer)."""

    def __init__(self, max_pending: int, max_pending_bytes: int) -> None:
        self._max_pending = max_pending
        self._max_pending_bytes = max_pending_bytes
        self._pending_bytes = 0
        self._cond = threading.Condition()
        self._pending: deque[Any] = deque()
        self._mark: LostMark | None = None
        self._open = False
        self._closing = False
        self._t0 = 0.0
        self._lost = 0

    @property
    def lost(self) -> int:
        """Lines dropped because the queue was full."""
        with self._cond:
            return self._lost

    def open(self, t0: float) -> None:
        """Take lines from now on; ``m`` counts from the monotonic time ``t0``."""
        with self._cond:
            self._t0, self._open = t0, True

    def put(self, make: Callable[[float, float], Any], size: int = 0) -> None:
        """Queue the line ``make(t, m)`` builds (under the lock), carrying ``size`` bytes of
        frame or body, or count it lost if full (a line alone in the queue always fits);
        nothing while the queue is not open."""
        with self._cond:
            if not self._open:
                return
            t, m = time.time(), time.monotonic() - self._t0
            room = self._pending_bytes + size <= self._max_pending_bytes or not self._pending
            if len(self._pending) < self._max_pending and room:
                self._pending_bytes += size
                self._pending.append(make(t, m))
                self._cond.notify()
                return
            self._lost += 1
            if self._mark is None:  # the first of a run of lost lines marks the place
                self._mark = LostMark(t, m)
                self._pending.append(self._mark)
            self._mark.count += 1

    def put_flush(self) -> FlushMark | None:
        """Queue a flush request (beyond the bound: it is no line); None if not open."""
        mark = FlushMark()
        with self._cond:
            if not self._open:
                return None
            self._pending.append(mark)
            self._cond.notify()
        return mark

    def close(self, make: Callable[[float, float], Any]) -> bool:
        """Queue the last line, ``make(t, m)``, and take no more; False if not open."""
        with self._cond:
            if not self._open:
                return False
            self._open, self._closing = False, True
            self._pending.append(make(time.time(), time.monotonic() - self._t0))
            self._cond.notify()
        return True

    def stop(self) -> deque[Any]:
        """Take no more (the writer failed); the lines still queued."""
        with self._cond:
            self._open = False
            pending, self._pending = self._pending, deque()
            self._pending_bytes = 0
            return pending

    def take(self, until: Callable[[], float | None]) -> tuple[deque[Any], bool]:
        """Everything queued, once there is something or the queue is closed or ``until()``
        seconds (None: no limit) have passed; and whether the queue is closed."""
        with self._cond:
            while not self._pending and not self._closing:
                wait = until()
                if wait is not None and wait <= 0:
                    break
                self._cond.wait(wait)
            batch, self._pending = self._pending, deque()
            self._pending_bytes = 0
            self._mark = None
            return batch, self._closing
