"""HistoryLoader: a load that fails for a passing reason waits for its retry in the queue, not
on the thread, so that other series' history goes on; a cancelled or refused load is dropped;
each load backs off on its own, its delays growing up to the cap.

Real parts: a RestClient against the local exchange, which fails on purpose through its fault
injection. The client makes one attempt per call, so that every injected failure reaches the
loader. Results are posted straight back on the loader's thread; every wait blocks on a
condition with a deadline.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from kucandle_gui.feed.history import HistoryJob, HistoryLoader, backfill_start
from kucandle_gui.feed.rest import KucoinApiError, RestClient, RestError
from kucandle_gui.protocol import REST_INVALID_PARAMETER, Candle
from kucandle_gui.sim import LocalExchange

from .gates import HeldRestClient

CANDLES = "/api/v1/market/candles"


class Outcomes:
    """What the loader reported, per job name, and waits for it."""

    def __init__(self) -> None:
        self.done: dict[str, list[Candle]] = {}
        #: Each failure with the loader's wait before its retry (None: no retry).
        self.errors: dict[str, list[tuple[RestError, float | None]]] = {}
        self._changed = threading.Condition()

    def job(
        self,
        name: str,
        symbol: str,
        *,
        on_done: Callable[[], None] = lambda: None,
        on_error: Callable[[], None] = lambda: None,
    ) -> HistoryJob:
        """A job for the last 10 one-minute candles of ``symbol``, reporting as ``name``;
        the hooks run on the loader's thread after the outcome is recorded."""

        def done(candles: list[Candle]) -> None:
            self._record(lambda: self.done.__setitem__(name, candles))
            on_done()

        def failed(error: RestError, retry_in: float | None) -> None:
            self._record(lambda: self.errors.setdefault(name, []).append((error, retry_in)))
            on_error()

        return HistoryJob(symbol, "1min", None, 10, threading.Event(), done, failed)

    def _record(self, change: Callable[[], None]) -> None:
        with self._changed:
            change()
            self._changed.notify_all()

    def wait_done(self, name: str, timeout: float = 10.0) -> list[Candle]:
        with self._changed:
            loaded = self._changed.wait_for(lambda: name in self.done, timeout)
        assert loaded, f"{name} not loaded within {timeout} s; errors: {self.errors}"
        return self.done[name]

    def wait_errors(
        self, name: str, n: int, timeout: float = 10.0
    ) -> list[tuple[RestError, float | None]]:
        with self._changed:
            reached = self._changed.wait_for(lambda: len(self.errors.get(name, ())) >= n, timeout)
        assert reached, f"fewer than {n} errors for {name} within {timeout} s: {self.errors}"
        return self.errors[name]

    def retry_delays(self, name: str) -> list[float | None]:
        with self._changed:
            return [retry_in for _, retry_in in self.errors.get(name, ())]


@pytest.fixture
def make_loader(exchange: LocalExchange) -> Iterator[Callable[[float, float], HistoryLoader]]:
    """Start loaders with ``(retry_base, retry_cap)``; all are stopped after the test."""
    stop = threading.Event()
    started: list[tuple[HistoryLoader, RestClient]] = []

    def make(retry_base: float, retry_cap: float) -> HistoryLoader:
        rest = RestClient(exchange.base_url, max_attempts=1, cancel=stop)
        loader = HistoryLoader(rest, lambda work: work(), retry_base, retry_cap)
        loader.start()
        started.append((loader, rest))
        return loader

    yield make
    stop.set()
    for loader, rest in started:
        loader.stop(timeout=5.0)
        rest.close()


def candle_requests(exchange: LocalExchange) -> int:
    return exchange.stats().rest_requests.get(CANDLES, 0)


def test_a_failing_load_gives_way_to_the_next_one(
    make_loader: Callable[[float, float], HistoryLoader], exchange: LocalExchange
) -> None:
    loader = make_loader(60.0, 60.0)
    outcomes = Outcomes()
    exchange.faults.rest_server_error(CANDLES, count=1)

    loader.submit(outcomes.job("sick", "BTC-USDT"))
    [(error, retry_in)] = outcomes.wait_errors("sick", 1)
    # Had the failed load kept the thread until its retry, the next load could not finish
    # within its wait.
    assert retry_in is not None
    assert retry_in >= 30.0
    assert isinstance(error, KucoinApiError)
    assert error.http_status == 500

    loader.submit(outcomes.job("healthy", "ETH-USDT"))
    assert outcomes.wait_done("healthy")
    assert "sick" not in outcomes.done
    assert candle_requests(exchange) == 2


def test_a_failing_load_is_retried_until_it_loads_with_growing_capped_delays(
    make_loader: Callable[[float, float], HistoryLoader], exchange: LocalExchange
) -> None:
    base, cap, failures = 0.01, 0.04, 5
    loader = make_loader(base, cap)
    outcomes = Outcomes()
    exchange.faults.rest_server_error(CANDLES, count=failures)

    loader.submit(outcomes.job("sick", "BTC-USDT"))
    assert outcomes.wait_done("sick")
    assert candle_requests(exchange) == failures + 1

    # Each delay lies in the upper half of its step; the steps double up to the cap.
    delays = outcomes.retry_delays("sick")
    assert len(delays) == failures
    for attempt, delay in enumerate(delays):
        step = min(cap, base * 2**attempt)
        assert delay is not None
        assert step / 2 <= delay <= step, (attempt, delays)


def test_each_load_backs_off_on_its_own(
    make_loader: Callable[[float, float], HistoryLoader], exchange: LocalExchange
) -> None:
    base, cap = 0.01, 0.04
    loader = make_loader(base, cap)
    outcomes = Outcomes()

    exchange.faults.rest_server_error(CANDLES, count=3)
    loader.submit(outcomes.job("first", "BTC-USDT"))
    assert outcomes.wait_done("first")
    exchange.faults.rest_server_error(CANDLES, count=1)
    loader.submit(outcomes.job("second", "ETH-USDT"))
    assert outcomes.wait_done("second")

    # The second load's one failure waits a first step, not the step after the first's.
    [delay] = outcomes.retry_delays("second")
    assert delay is not None
    assert base / 2 <= delay <= base


def test_a_load_cancelled_in_the_queue_is_never_fetched(
    make_loader: Callable[[float, float], HistoryLoader], exchange: LocalExchange
) -> None:
    loader = make_loader(0.01, 0.04)
    outcomes = Outcomes()
    # The first load's result holds the loader's thread until the second load is queued
    # and cancelled (as a dropped subscription cancels its pending history).
    busy, release = threading.Event(), threading.Event()

    def hold() -> None:
        busy.set()
        release.wait(10.0)

    loader.submit(outcomes.job("first", "BTC-USDT", on_done=hold))
    assert busy.wait(10.0)
    dropped = outcomes.job("dropped", "ETH-USDT")
    loader.submit(dropped)
    loader.submit(outcomes.job("last", "SOL-USDT"))
    dropped.cancel.set()
    release.set()

    assert outcomes.wait_done("last")
    assert "dropped" not in outcomes.done
    assert "dropped" not in outcomes.errors
    assert candle_requests(exchange) == 2


def test_a_load_cancelled_in_flight_posts_nothing(exchange: LocalExchange) -> None:
    rest = HeldRestClient(exchange.base_url)
    loader = HistoryLoader(rest, lambda work: work(), 0.01, 0.04)
    loader.start()
    try:
        outcomes = Outcomes()
        job = outcomes.job("cancelled", "BTC-USDT")
        loader.submit(job)
        assert rest.answered.wait(10.0)
        job.cancel.set()
        rest.release.set()
        loader.submit(outcomes.job("after", "ETH-USDT"))
        assert outcomes.wait_done("after")
        assert "cancelled" not in outcomes.done
    finally:
        rest.cancel.set()
        rest.release.set()
        loader.stop(timeout=5.0)
        rest.close()


def cancel_in_its_retry_wait(exchange: LocalExchange, outcomes: Outcomes) -> HistoryJob:
    """A load that fails for a passing reason and is cancelled before its retry is due."""
    exchange.faults.rest_server_error(CANDLES, count=1)
    job = outcomes.job("first", "BTC-USDT", on_error=lambda: job.cancel.set())
    return job


def refused_by_the_exchange(exchange: LocalExchange, outcomes: Outcomes) -> HistoryJob:
    """A load of a pair the exchange does not list: retrying cannot fix it."""
    return outcomes.job("first", "NOPE-USDT")


@pytest.mark.parametrize("first_load", [cancel_in_its_retry_wait, refused_by_the_exchange])
def test_a_load_that_failed_is_dropped_when_retrying_is_pointless(
    make_loader: Callable[[float, float], HistoryLoader],
    exchange: LocalExchange,
    first_load: Callable[[LocalExchange, Outcomes], HistoryJob],
) -> None:
    base = 0.02
    loader = make_loader(base, 1.0)
    outcomes = Outcomes()
    loader.submit(first_load(exchange, outcomes))
    outcomes.wait_errors("first", 1)

    # A later load fails twice, so its third attempt is due at least base/2 + base after its
    # first failure, itself after the first load failed: later than any retry of the first
    # load (due within base). The loader runs jobs by due time, so once the later load is
    # done, the first load's turn has come and gone.
    exchange.faults.rest_server_error(CANDLES, count=2)
    loader.submit(outcomes.job("later", "ETH-USDT"))
    assert outcomes.wait_done("later")
    assert len(outcomes.errors["later"]) == 2

    assert len(outcomes.errors["first"]) == 1
    assert "first" not in outcomes.done
    assert candle_requests(exchange) == 1 + 3


def test_a_refused_load_says_it_will_not_be_retried(
    make_loader: Callable[[float, float], HistoryLoader],
) -> None:
    loader = make_loader(0.01, 0.04)
    outcomes = Outcomes()
    loader.submit(outcomes.job("refused", "NOPE-USDT"))
    [(error, retry_in)] = outcomes.wait_errors("refused", 1)
    assert retry_in is None
    assert isinstance(error, KucoinApiError)
    assert error.code == REST_INVALID_PARAMETER


def test_a_backfill_starts_where_it_was_asked_to() -> None:
    assert backfill_start("1min", 5_940, reach=100, now=6_030) == 5_940


def test_a_backfill_after_a_long_sleep_reaches_back_no_further_than_the_page_cap_allows() -> None:
    # A week asleep, a client that may page back 100 candles: the last 100 minutes only.
    start = backfill_start("1min", 60_000, reach=100, now=60_000 + 7 * 86_400 + 30)
    assert start == 60_000 + 7 * 86_400 - 100 * 60
    assert start % 60 == 0


class BuggyRestClient(RestClient):
    """A real client whose first clock question raises what no REST error is: a bug."""

    def __init__(self, api_url: str, cancel: threading.Event) -> None:
        super().__init__(api_url, max_attempts=1, cancel=cancel)
        self.raised = False

    def server_time(self) -> float:
        if not self.raised:
            self.raised = True
            raise RuntimeError("a bug")
        return super().server_time()


def test_a_load_that_hits_a_bug_is_retried_and_the_thread_goes_on(
    exchange: LocalExchange,
) -> None:
    stop = threading.Event()
    rest = BuggyRestClient(exchange.base_url, stop)
    loader = HistoryLoader(rest, lambda work: work(), 0.01, 0.04)
    loader.start()
    try:
        outcomes = Outcomes()
        loader.submit(outcomes.job("unlucky", "BTC-USDT"))
        [(error, retry_in)] = outcomes.wait_errors("unlucky", 1)
        assert "internal error" in str(error) and "a bug" in str(error)
        assert retry_in is not None
        assert outcomes.wait_done("unlucky")
        loader.submit(outcomes.job("next", "ETH-USDT"))
        assert outcomes.wait_done("next")
    finally:
        stop.set()
        loader.stop(timeout=5.0)
        rest.close()
