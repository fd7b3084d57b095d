"""Hand-over of pairs' 24 h statistics from the feed thread to a slower consumer.

Only a pair's latest statistics matter to a watchlist, so the buffer keeps one pending
:class:`Ticker` per pair: it is bounded by the number of pairs watched, whatever the push rate.

Two sources race for the first value of a pair, a REST call and the first snapshot push, and
their times cannot be compared: a REST ``time`` is when the reply was made, a push's is when
the exchange computed its statistics, up to about 2 s earlier (so a push may carry an earlier
time than a REST value and still be newer). Hence the rule: a REST value fills a pair only
while no push has been taken for it since it became watched, and pushes are ordered among
themselves by time, a pair never going back in time. "Since it became watched", not "on this
session": REST values are asked for only when a pair becomes watched, so one that comes after
a push is a late reply (retried, or slow), and after a reconnect the next push comes within
2 s anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from kucandle_gui.protocol import Ticker


class TickerBuffer:
    """Thread-safe latest-per-pair statistics: REST values until the first push, then pushes
    in their order."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._closed = False
        self._pending: dict[str, Ticker] = {}
        #: Pairs with a value taken (pending or delivered) since they became watched.
        self._filled: set[str] = set()
        #: The time of the newest push taken for each pair.
        self._pushed: dict[str, int] = {}

    def push(self, ticker: Ticker) -> bool:
        """Take a snapshot push unless one newer was taken for its pair; whether taken."""
        with self._lock:
            newest = self._pushed.get(ticker.symbol)
            if newest is not None and ticker.time < newest:
                return False
            self._pushed[ticker.symbol] = ticker.time
            self._take(ticker)
            return True

    def first(self, ticker: Ticker) -> bool:
        """Take a REST first value unless a push was taken for its pair; whether taken."""
        with self._lock:
            if ticker.symbol in self._pushed:
                return False
            self._take(ticker)
            return True

    def filled(self, symbol: str) -> bool:
        """Whether a value of ``symbol`` was taken since it became watched."""
        with self._lock:
            return symbol in self._filled

    def _take(self, ticker: Ticker) -> None:
        self._filled.add(ticker.symbol)
        self._pending[ticker.symbol] = ticker
        self._lock.notify_all()

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
        """Forget pairs no longer watched: their pending tickers and what was taken."""
        with self._lock:
            for symbol in symbols:
                self._pending.pop(symbol, None)
                self._filled.discard(symbol)
                self._pushed.pop(symbol, None)

    def close(self) -> None:
        """Wake every waiter; pending tickers can still be taken."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
