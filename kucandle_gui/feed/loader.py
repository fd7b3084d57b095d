"""One background thread running REST jobs as they fall due, retrying each with backoff.

The feed thread must keep reading its socket and sending pings while REST answers come, so
candle history and the watchlist's first values load on threads of their own and hand their
results back through ``post`` (a callable that queues work for the feed thread, which owns
the state). A job that fails for a passing reason goes back in the queue with a later time
instead of holding the thread, so one sick pair does not delay every other; it is retried
until it succeeds, is cancelled, the exchange refuses it for good, or (when the loader has a
``max_attempts``) it failed that many times. An unexpected exception (a bug) is logged and
counts as a passing failure: the thread goes on, since every later load waits for it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from .backoff import Backoff
from .rest import Cancelled, RestClient, RestError

log = logging.getLogger(__name__)


class RestJob(Protocol):
    """What the loader needs of a job."""

    @property
    def cancelled(self) -> bool:
        """The result is no longer wanted."""
        ...

    @property
    def name(self) -> str:
        """What the job loads, for the log."""
        ...

    @property
    def on_done(self) -> Callable[[Any], None]: ...

    #: Called with the error and the wait before the next try (None: given up for good, the
    #: error being permanent or the attempts used up).
    @property
    def on_error(self) -> Callable[[RestError, float | None], None]: ...


Job = TypeVar("Job", bound=RestJob)


class RetryingLoader(Generic[Job]):
    """A thread running :meth:`fetch` for each job submitted; subclasses say what a job
    fetches, which errors are for good, and name the thread.

    ``max_attempts`` bounds the tries of a job (None: until it succeeds, for loads that must
    not give up). Each retry of an unbounded job is logged as a warning, since a user's log
    must explain what is missing meanwhile; those of a bounded one only at debug level, its
    owner saying once whether giving up matters.
    """

    thread_name = "kucandle-rest"

    def __init__(
        self,
        rest: RestClient,
        post: Callable[[Callable[[], None]], None],
        retry_base: float = 1.0,
        retry_cap: float = 60.0,
        max_attempts: int | None = None,
    ) -> None:
        if max_attempts is not None and max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self._rest = rest
        self._post = post
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._max_attempts = max_attempts
        #: Jobs by the time they may run: (ready_at, sequence, job, backoff).
        self._jobs: list[tuple[float, int, Job, Backoff]] = []
        self._sequence = itertools.count()
        self._changed = threading.Condition()
        self._stopping = False
        #: A job is being fetched (its result posted before this is cleared).
        self._busy = False
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)

    def fetch(self, rest: RestClient, job: Job) -> object:
        """Load what ``job`` asks for (on the loader's thread)."""
        raise NotImplementedError

    def permanent(self, exc: RestError) -> bool:
        """Whether retrying cannot fix ``exc`` (the exchange refuses the pair itself)."""
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Job) -> None:
        self._schedule(job, Backoff(self._retry_base, self._retry_cap), 0.0)

    def hurry(self, wanted: Callable[[Job], bool]) -> None:
        """Make the retries of the jobs ``wanted`` picks due now: what they wait out may be
        over (another load of the same series has just worked)."""
        with self._changed:
            now = time.monotonic()
            self._jobs = [
                (min(ready, now) if wanted(job) else ready, sequence, job, backoff)
                for ready, sequence, job, backoff in self._jobs
            ]
            heapq.heapify(self._jobs)
            self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until no job is being fetched and none is due now
        (retries waiting for their time do not count); every result fetched so far has then
        been handed to ``post``. False on timeout, or once the loader is stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self._idle(), timeout)
            return not self._stopping and self._idle()

    def _idle(self) -> bool:
        """Under the lock."""
        return not self._busy and not (self._jobs and self._jobs[0][0] <= time.monotonic())

    def stop(self, timeout: float) -> None:
        """Ask the thread to end (the REST client's cancel event must be set too) and join."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _schedule(self, job: Job, backoff: Backoff, delay: float) -> None:
        with self._changed:
            entry = (time.monotonic() + delay, next(self._sequence), job, backoff)
            heapq.heappush(self._jobs, entry)
            self._changed.notify_all()  # the thread, and those waiting for it to be idle

    def _next_job(self) -> tuple[Job, Backoff] | None:
        """The earliest job once it is due; None when stopping."""
        with self._changed:
            while not self._stopping:
                wait = self._jobs[0][0] - time.monotonic() if self._jobs else None
                if wait is not None and wait <= 0:
                    _, _, job, backoff = heapq.heappop(self._jobs)
                    self._busy = True
                    return job, backoff
                self._changed.wait(wait)
            return None

    def _run(self) -> None:
        while (next_job := self._next_job()) is not None:
            try:
                self._load(*next_job)
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()

    def _load(self, job: Job, backoff: Backoff) -> None:
        if job.cancelled:
            return
        try:
            result = self.fetch(self._rest, job)
        except Cancelled:
            return
        except RestError as exc:
            self._failed(job, backoff, exc)
            return
        except Exception as exc:
            # A bug must not end the thread: every later load, and the pushes of each series
            # waiting for its history, would wait forever. Said, and retried as a passing error.
            log.exception("%s failed unexpectedly", job.name)
            self._failed(job, backoff, RestError(f"internal error: {exc!r}"))
            return
        if not job.cancelled:
            self._post(lambda: job.on_done(result))

    def _failed(self, job: Job, backoff: Backoff, exc: RestError) -> None:
        """Tell the job's owner, and schedule the retry unless retrying is pointless."""
        # The backoff has handed out one delay per failure before this one.
        used_up = self._max_attempts is not None and backoff.attempts + 1 >= self._max_attempts
        delay = None if used_up or self.permanent(exc) else backoff.next_delay()
        self._post(lambda: job.on_error(exc, delay))
        if delay is not None:
            level = logging.WARNING if self._max_attempts is None else logging.DEBUG
            log.log(level, "%s failed (%s); retrying in %.1f s", job.name, exc, delay)
            self._schedule(job, backoff, delay)
