"""Background REST loads of candle history: the start-up window and the backfill after a reconnect.

The feed thread must keep reading its socket and sending pings while history loads, so the
REST calls run on this loader's own thread and their results are handed back through
``post`` (a callable that queues work for the feed thread, which owns the series). A load
that fails for a passing reason is retried with backoff until it succeeds or is cancelled,
because a backfill that gives up would leave a hole in the chart.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kucandle_gui.protocol import (
    MAX_CANDLES_PER_REQUEST,
    REST_INVALID_PARAMETER,
    TIMEFRAME_SECONDS,
    Candle,
    candle_start,
)

from .backoff import Backoff
from .rest import Cancelled, KucoinApiError, RestClient, RestError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HistoryJob:
    """Load ``symbol``/``timeframe`` from ``start`` (a candle start) to now, or the last
    ``count`` candles when ``start`` is None."""

    symbol: str
    timeframe: str
    start: int | None
    count: int
    #: Set when the subscription is dropped: the result is no longer wanted.
    cancel: threading.Event
    on_done: Callable[[list[Candle]], None]
    #: Called with the error and the wait before the loader tries again (None: it gave up,
    #: because the exchange refuses the pair itself).
    on_error: Callable[[RestError, float | None], None]


class HistoryLoader:
    """One thread running ``HistoryJob``s in order; results go back through ``post``."""

    def __init__(
        self,
        rest: RestClient,
        post: Callable[[Callable[[], None]], None],
        retry_base: float = 1.0,
        retry_cap: float = 60.0,
    ) -> None:
        self._rest = rest
        self._post = post
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        #: Jobs by the time they may run: (ready_at, sequence, job, backoff). A job that
        #: failed for a passing reason goes back in with a later time instead of holding the
        #: thread, so one sick series does not delay every other series' history.
        self._jobs: list[tuple[float, int, HistoryJob, Backoff]] = []
        self._sequence = itertools.count()
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="kucandle-history", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: HistoryJob) -> None:
        self._schedule(job, Backoff(self._retry_base, self._retry_cap), 0.0)

    def stop(self, timeout: float) -> None:
        """Ask the thread to end (the REST client's cancel event must be set too) and join."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _schedule(self, job: HistoryJob, backoff: Backoff, delay: float) -> None:
        with self._changed:
            entry = (time.monotonic() + delay, next(self._sequence), job, backoff)
            heapq.heappush(self._jobs, entry)
            self._changed.notify()

    def _next_job(self) -> tuple[HistoryJob, Backoff] | None:
        """The earliest job once it is due; None when stopping."""
        with self._changed:
            while not self._stopping:
                if self._jobs:
                    wait = self._jobs[0][0] - time.monotonic()
                    if wait <= 0:
                        _, _, job, backoff = heapq.heappop(self._jobs)
                        return job, backoff
                    self._changed.wait(wait)
                else:
                    self._changed.wait()
            return None

    def _run(self) -> None:
        while (next_job := self._next_job()) is not None:
            self._load(*next_job)

    def _load(self, job: HistoryJob, backoff: Backoff) -> None:
        if job.cancel.is_set():
            return
        try:
            candles = self._fetch(job)
        except Cancelled:
            return
        except RestError as exc:
            permanent = isinstance(exc, KucoinApiError) and exc.code == REST_INVALID_PARAMETER
            delay = None if permanent else backoff.next_delay()
            self._post(lambda error=exc: job.on_error(error, delay))
            if delay is not None:
                log.warning(
                    "history %s %s failed (%s); retrying in %.1f s",
                    job.symbol,
                    job.timeframe,
                    exc,
                    delay,
                )
                self._schedule(job, backoff, delay)
            return
        if not job.cancel.is_set():
            self._post(lambda: job.on_done(candles))

    def _fetch(self, job: HistoryJob) -> list[Candle]:
        # The exchange's clock, not ours: ranges are in its time (and the local exchange's
        # clock may run faster than real time).
        now = int(self._rest.server_time())
        if job.start is None:
            return self._rest.recent_candles(job.symbol, job.timeframe, job.count, now)
        reach = (self._rest.max_pages - 1) * MAX_CANDLES_PER_REQUEST
        start = backfill_start(job.timeframe, job.start, reach, now)
        return self._rest.candles(
            job.symbol, job.timeframe, start, now + TIMEFRAME_SECONDS[job.timeframe]
        )


def backfill_start(timeframe: str, start: int, reach: int, now: float) -> int:
    """Where a backfill from ``start`` begins: there, but no further back than ``reach``
    candles before ``now`` (the exchange's clock). After a long sleep a longer load would pass
    the REST client's page cap and fail on every retry; candles that old would not be kept."""
    return max(start, candle_start(timeframe, now - reach * TIMEFRAME_SECONDS[timeframe]))
