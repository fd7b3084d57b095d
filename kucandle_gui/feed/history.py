"""Background REST loads of candle history: the start-up window and the backfill after a reconnect.

The loads run on a :class:`~.loader.RetryingLoader` thread; a load that fails for a passing
reason is retried with backoff until it succeeds or is cancelled, because a backfill that gives
up would leave a hole in the chart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from kucandle_gui.protocol import (
    MAX_CANDLES_PER_REQUEST,
    REST_INVALID_PARAMETER,
    TIMEFRAME_SECONDS,
    Candle,
    candle_start,
)

from .loader import RetryingLoader
from .rest import KucoinApiError, RestClient, RestError


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

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    @property
    def name(self) -> str:
        return f"history {self.symbol} {self.timeframe}"


class HistoryLoader(RetryingLoader[HistoryJob]):
    """One thread loading ``HistoryJob``s; results go back through ``post``."""

    thread_name = "kucandle-history"

    def fetch(self, rest: RestClient, job: HistoryJob) -> list[Candle]:
        """The candles ``job`` asks for, on the exchange's clock, not ours: ranges are in its
        time (and the local exchange's clock may run faster than real time)."""
        now = int(rest.server_time())
        if job.start is None:
            return rest.recent_candles(job.symbol, job.timeframe, job.count, now)
        reach = (rest.max_pages - 1) * MAX_CANDLES_PER_REQUEST
        start = backfill_start(job.timeframe, job.start, reach, now)
        end = now + TIMEFRAME_SECONDS[job.timeframe]
        return rest.candles(job.symbol, job.timeframe, start, end)

    def permanent(self, exc: RestError) -> bool:
        """The exchange refuses the pair itself."""
        return isinstance(exc, KucoinApiError) and exc.code == REST_INVALID_PARAMETER


def backfill_start(timeframe: str, start: int, reach: int, now: float) -> int:
    """Where a backfill from ``start`` begins: there, but no further back than ``reach``
    candles before ``now`` (the exchange's clock). After a long sleep a longer load would pass
    the REST client's page cap and fail on every retry; candles that old would not be kept."""
    return max(start, candle_start(timeframe, now - reach * TIMEFRAME_SECONDS[timeframe]))
