"""Hand-over of pairs' 24 h statistics from the feed thread to a slower consumer.

Only a pair's latest statistics matter to a watchlist, so the buffer keeps one pending
:class:`Ticker` per pair: it is bounded by the number of pairs watched, whatever the push rate.
Two sources race for the first value of a pair (a REST call and the first snapshot push), so
the buffer also remembers the newest time it took for each pair and refuses anything older:
a slow REST reply never takes a pair's values back in time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from kucandle_gui.protocol import Ticker


class TickerBuffer:
    """Thread-safe latest-per-pair statistics, never going back in time for a pair."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._closed = False
        self._pending: dict[str, Ticker] = {}
        #: The time of the newest ticker taken for each pair (pending or delivered).
        self._newest: dict[str, int] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def put(self, ticker: Ticker, *, same_time: bool = True) -> bool:
        """Take ``ticker`` unless one newer was taken for its pair; with ``same_time`` false,
        unless one as new was (REST first values give way to a push of the same moment).
        Returns whether it was taken."""
        with self._lock:
            newest = self._newest.get(ticker.symbol)
            if newest is not None and (
                ticker.time < newest or (ticker.time == newest and not same_time)
            ):
                return False
            self._newest[ticker.symbol] = ticker.time
            self._pending[ticker.symbol] = ticker
            self._lock.notify_all()
            return True

    def drain(self, timeout: float = 0.0) -> list[Ticker]:
        """Every pending ticker, one per pair, in the order the pairs first became pending;
        when none is, waits up to ``timeout`` seconds for one (not once closed)."""
        with self._lock:
            if timeout > 0:
                self._lock.wait_for(lambda: self._pending or self._closed, timeout)
            taken = list(self._pending.values())
            self._pending.clear()
            return taken

    def discard(self, symbols: Iterable[str]) -> None:
        """Forget pairs no longer watched: their pending tickers and their newest time."""
        with self._lock:
            for symbol in symbols:
                self._pending.pop(symbol, None)
                self._newest.pop(symbol, None)

    def close(self) -> None:
        """Wake every waiter; pending tickers can still be taken."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
