"""Feed health counters: written by the feed thread, read by the GUI's status bar and the CLI.

Readers get an immutable ``FeedMetrics`` snapshot so that the values they show belong to one
moment, not to several half-updated ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Weight of the newest latency in ``latency_avg``: about the last 20 pushes dominate, so the
#: average follows a changing network yet one late push does not swing it.
LATENCY_ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class FeedMetrics:
    """One consistent reading of the feed counters."""

    #: Candle pushes received.
    messages: int
    #: Garbage frames, exchange error messages, failed connects and requests.
    errors: int
    #: Connections made again after one that had been live was lost (or renewed).
    reconnects: int
    #: Updates merged in the consumer buffer.
    coalesced: int
    #: Well-formed frames of other types (neither data nor errors).
    ignored: int
    #: Wall-clock ``time.time()`` of the last candle push.
    last_message_at: float | None
    #: Seconds since the current token was fetched (None before the first).
    token_age: float | None
    #: Seconds from the exchange's ``data.time`` to local receipt, last push. Includes the
    #: clock offset between the two hosts, so it can even be negative.
    latency: float | None
    #: Exponentially weighted mean of ``latency`` (alpha ``LATENCY_ALPHA``).
    latency_avg: float | None
    #: Connect attempts that failed before the connection was live (no token, refused, no
    #: welcome): a feed that never got through has made attempts, not reconnects.
    connect_attempts: int = 0


class MetricsRecorder:
    """Counters written by the feed thread, read from any thread (a lock; snapshots are immutable).

    ``clock`` (monotonic) measures durations, which must not jump when the system time is set;
    ``wall`` gives times comparable with the exchange's timestamps. Both are injectable so that
    tests need no sleeping.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._messages = 0
        self._errors = 0
        self._reconnects = 0
        self._connect_attempts = 0
        self._coalesced = 0
        self._ignored = 0
        self._last_message_at: float | None = None
        self._token_at: float | None = None
        self._latency: float | None = None
        self._latency_avg: float | None = None

    def record_message(self, exchange_time_ns: int) -> None:
        """A candle push arrived; ``exchange_time_ns`` is its ``data.time``.

        Called once per push, the busiest path of the feed: the clock is read and the latency
        computed before taking the lock, so that it is held for a few assignments only.
        """
        now = self._wall()
        latency = now - exchange_time_ns / 1e9
        with self._lock:
            self._messages += 1
            self._last_message_at = now
            self._latency = latency
            avg = self._latency_avg
            self._latency_avg = latency if avg is None else avg + LATENCY_ALPHA * (latency - avg)

    def record_snapshot(self) -> None:
        """A snapshot push arrived: a message, but no latency sample (its ``datetime`` is when
        the exchange computed the statistics, up to a snapshot period before it was sent)."""
        now = self._wall()
        with self._lock:
            self._messages += 1
            self._last_message_at = now

    def record_error(self) -> None:
        """A garbage frame, an exchange error message, or a failed connect or request."""
        with self._lock:
            self._errors += 1

    def record_ignored(self) -> None:
        """A well-formed frame the feed has no use for."""
        with self._lock:
            self._ignored += 1

    def record_reconnect(self) -> None:
        """The feed is connecting again after a connection that had been live."""
        with self._lock:
            self._reconnects += 1

    def record_failed_attempt(self) -> None:
        """A connect attempt ended before the connection was live."""
        with self._lock:
            self._connect_attempts += 1

    def record_token(self) -> None:
        """A token was fetched now; ``token_age`` counts from here."""
        now = self._clock()
        with self._lock:
            self._token_at = now

    def set_coalesced(self, total: int) -> None:
        """Copy the consumer buffer's running total, which the buffer itself keeps."""
        with self._lock:
            self._coalesced = total

    def snapshot(self) -> FeedMetrics:
        """The counters now; ``token_age`` is computed at this moment."""
        now = self._clock()
        with self._lock:
            return FeedMetrics(
                messages=self._messages,
                errors=self._errors,
                reconnects=self._reconnects,
                coalesced=self._coalesced,
                ignored=self._ignored,
                last_message_at=self._last_message_at,
                token_age=None if self._token_at is None else now - self._token_at,
                latency=self._latency,
                latency_avg=self._latency_avg,
                connect_attempts=self._connect_attempts,
            )
