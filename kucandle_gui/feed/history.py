"""Background REST loads of candle history: the start-up window and the backfill after a reconnect.

The feed thread must keep reading its socket and sending pings while history loads, so the
REST calls run on this loader's own thread and their results are handed back through
``post`` (a callable that queues work for the feed thread, which owns the series). A load
that fails for a passing reason is retried with backoff until it succeeds or is cancelled,
because a backfill that gives up would leave a hole in the chart.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kucandle_gui.protocol import REST_INVALID_PARAMETER, TIMEFRAME_SECONDS, Candle

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
    #: Called with the error and whether the loader will try again.
    on_error: Callable[[RestError, bool], None]


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
        self._jobs: queue.SimpleQueue[HistoryJob | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="kucandle-history", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: HistoryJob) -> None:
        self._jobs.put(job)

    def stop(self, timeout: float) -> None:
        """Ask the thread to end (the REST client's cancel event must be set too) and join."""
        self._jobs.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            self._load(job)

    def _load(self, job: HistoryJob) -> None:
        backoff = Backoff(self._retry_base, self._retry_cap)
        while not job.cancel.is_set() and not self._rest.cancel.is_set():
            try:
                candles = self._fetch(job)
            except Cancelled:
                return
            except RestError as exc:
                permanent = isinstance(exc, KucoinApiError) and exc.code == REST_INVALID_PARAMETER
                self._post(lambda exc=exc, permanent=permanent: job.on_error(exc, not permanent))
                if permanent:
                    return
                delay = backoff.next_delay()
                log.warning(
                    "history %s %s failed (%s); retrying in %.1f s",
                    job.symbol,
                    job.timeframe,
                    exc,
                    delay,
                )
                if self._rest.cancel.wait(delay):
                    return
                continue
            if not job.cancel.is_set():
                self._post(lambda candles=candles: job.on_done(candles))
            return

    def _fetch(self, job: HistoryJob) -> list[Candle]:
        # The exchange's clock, not ours: ranges are in its time (and the local exchange's
        # clock may run faster than real time).
        now = int(self._rest.server_time())
        if job.start is None:
            return self._rest.recent_candles(job.symbol, job.timeframe, job.count, now)
        return self._rest.candles(
            job.symbol, job.timeframe, job.start, now + TIMEFRAME_SECONDS[job.timeframe]
        )
