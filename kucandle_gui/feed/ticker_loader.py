"""Background REST loads of pairs' first 24 h statistics, before their first snapshot push.

A snapshot push comes every 2 s, so a watchlist could wait for it; but 300 rows filling in
over a few seconds look broken, and a pair whose topic is slow to be acknowledged would stay
empty longer. So when pairs become watched their statistics are asked for over REST: one
``allTickers`` call for many pairs (one request of about a megabyte instead of hundreds), or
``/market/stats`` per pair for a few. The calls run on this loader's own thread, since the
feed thread must keep reading its socket, and their results go back through ``post``. A load
that fails for a passing reason is retried with backoff, like history, until it succeeds or
every pair it is for stops being watched.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kucandle_gui.protocol import REST_INVALID_PARAMETER, Ticker

from .backoff import Backoff
from .rest import UNKNOWN_PAIR, Cancelled, KucoinApiError, RestClient, RestError

log = logging.getLogger(__name__)

#: REST error codes retrying cannot fix: the exchange does not know the pair.
PERMANENT_CODES = frozenset({REST_INVALID_PARAMETER, UNKNOWN_PAIR})


@dataclass(frozen=True, slots=True)
class TickerJob:
    """The first values of ``symbols``: all of them from one ``allTickers`` call when
    ``bulk``, else the one pair's ``/market/stats``."""

    symbols: tuple[str, ...]
    #: One per symbol, set when it is no longer watched.
    cancels: tuple[threading.Event, ...]
    bulk: bool
    on_done: Callable[[list[Ticker]], None]
    #: Called with the error and the wait before the loader tries again (None: it gave up,
    #: the exchange does not know the pair).
    on_error: Callable[[RestError, float | None], None]

    @property
    def cancelled(self) -> bool:
        return all(cancel.is_set() for cancel in self.cancels)

    @property
    def name(self) -> str:
        return "allTickers" if self.bulk else f"stats of {self.symbols[0]}"


class TickerLoader:
    """One thread running ``TickerJob``s as they fall due; results go back through ``post``."""

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
        #: Jobs by the time they may run: (ready_at, sequence, job, backoff); a job that
        #: failed goes back in with a later time, so one sick pair does not hold the others.
        self._jobs: list[tuple[float, int, TickerJob, Backoff]] = []
        self._sequence = itertools.count()
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="kucandle-tickers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: TickerJob) -> None:
        self._schedule(job, Backoff(self._retry_base, self._retry_cap), 0.0)

    def stop(self, timeout: float) -> None:
        """Ask the thread to end (the REST client's cancel event must be set too) and join."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _schedule(self, job: TickerJob, backoff: Backoff, delay: float) -> None:
        with self._changed:
            entry = (time.monotonic() + delay, next(self._sequence), job, backoff)
            heapq.heappush(self._jobs, entry)
            self._changed.notify()

    def _next_job(self) -> tuple[TickerJob, Backoff] | None:
        """The earliest job once it is due; None when stopping."""
        with self._changed:
            while not self._stopping:
                wait = self._jobs[0][0] - time.monotonic() if self._jobs else None
                if wait is not None and wait <= 0:
                    _, _, job, backoff = heapq.heappop(self._jobs)
                    return job, backoff
                self._changed.wait(wait)
            return None

    def _run(self) -> None:
        while (next_job := self._next_job()) is not None:
            self._load(*next_job)

    def _load(self, job: TickerJob, backoff: Backoff) -> None:
        if job.cancelled:
            return
        try:
            tickers = (
                self._rest.all_tickers() if job.bulk else [self._rest.ticker_stats(*job.symbols)]
            )
        except Cancelled:
            return
        except RestError as exc:
            permanent = isinstance(exc, KucoinApiError) and exc.code in PERMANENT_CODES
            delay = None if permanent else backoff.next_delay()
            self._post(lambda error=exc: job.on_error(error, delay))
            if delay is not None:
                log.warning("%s failed (%s); retrying in %.1f s", job.name, exc, delay)
                self._schedule(job, backoff, delay)
            return
        if not job.cancelled:
            self._post(lambda: job.on_done(tickers))
