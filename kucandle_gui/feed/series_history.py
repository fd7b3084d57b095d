"""Each subscribed series' history over REST, merged on the feed thread.

Every time a series becomes subscribed (:class:`.client.FeedClient` calls :meth:`load`), its
candles are loaded on the history thread (:class:`.history.HistoryLoader`): the start-up
window for an empty series, else the backfill from the last candle seen. The results come
back to the feed thread, which owns the series, and are merged there by start time, so the
overlap between REST and pushes is harmless.

Loads are not cancelled when a session ends, so a series may have several out at once (one of
each session, the earlier ones still retrying); each :class:`.events.HistoryEvent` says
whether it was the last one out (``complete``): only then is the series without a hole. Once
one is merged, the others still waiting for a retry are tried at once (REST works again).
The merged candles go into the update buffer before the event is emitted, which is what lets
a consumer deliver them first (:class:`.in_order.InOrder`).

Pushes wait for the history (:meth:`SeriesHistory.push`): while a load of the series is out
they are held (:class:`.held.HeldPushes`), and once the last one is merged they are applied
after it and after its event, as the live pushes they are. The screen never shows a push
beside a hole the backfill has not filled yet, and what comes out does not depend on whether
the REST answer or a push arrived first: a recording replayed at any speed gives the same.
While REST fails, the pushes wait as well; the error event says the load is retried, and when.
"""

from __future__ import annotations

from collections.abc import Callable

from kucandle_gui.protocol import TIMEFRAME_SECONDS, Candle

from .buffer import CandleUpdate, UpdateBuffer
from .config import FeedConfig
from .events import ErrorEvent, ErrorKind, FeedEvent, HistoryEvent
from .failures import rest_error_event
from .history import HistoryJob, HistoryLoader
from .metrics import MetricsRecorder
from .rest import RestClient, RestError
from .subscriptions import SeriesKey, Subscription

#: Makes the history's REST client, given the callback for dropped rows.
RestFactory = Callable[[Callable[[str, str, int, str], None]], RestClient]


class SeriesHistory:
    """History loads of the feed's series; everything but ``start``/``stop`` on the feed
    thread, whose ``post`` brings the results back."""

    def __init__(
        self,
        rest: RestFactory,
        post: Callable[[Callable[[], None]], None],
        config: FeedConfig,
        buffer: UpdateBuffer,
        emit: Callable[[FeedEvent], None],
        metrics: MetricsRecorder,
        drop: Callable[[SeriesKey], None],
    ) -> None:
        self._post = post
        self._count = config.history_candles
        self._buffer = buffer
        self._emit = emit
        self._metrics = metrics
        self._drop = drop
        self._loader = HistoryLoader(
            rest(self._bad_rows), post, config.reconnect_base, config.reconnect_cap
        )

    def start(self) -> None:
        self._loader.start()

    def stop(self, timeout: float) -> None:
        self._loader.stop(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Whether the loader went idle within ``timeout`` (see ``RetryingLoader``)."""
        return self._loader.wait_idle(timeout)

    def _bad_rows(self, symbol: str, timeframe: str, dropped: int, reason: str) -> None:
        """Rows of a history page were dropped (called on the history thread)."""

        def report() -> None:
            self._metrics.record_error()
            self._emit(ErrorEvent(ErrorKind.BAD_ROWS, reason, symbol, timeframe))

        self._post(report)

    def push(
        self, key: SeriesKey, subscription: Subscription, candle: Candle, pushed_ns: int
    ) -> None:
        """A push of the subscribed series ``key``: applied now, or held while a load of its
        history is out."""
        if subscription.loads:
            subscription.held.hold(candle, pushed_ns)
        elif subscription.series.upsert(candle):
            self._buffer.put(CandleUpdate(key[0], key[1], candle, pushed_ns))

    def _release(self, key: SeriesKey, subscription: Subscription) -> None:
        """Apply the pushes held while the history was loading, in their order."""
        upsert = subscription.series.upsert
        changed = [
            CandleUpdate(key[0], key[1], candle, pushed_ns)
            for candle, pushed_ns in subscription.held.release()
            if upsert(candle)
        ]
        self._buffer.put_many(changed)

    def load(self, key: SeriesKey, subscription: Subscription) -> None:
        """Each time a series becomes subscribed: the start-up window, or the backfill from
        one period before the last candle seen: that one may have been open when the pushes
        stopped, and the one before it may still have been owed its late final update."""
        last = subscription.series.last()

        def done(candles: list[Candle]) -> None:
            if subscription.cancel.is_set():
                return
            subscription.loads -= 1
            changed = subscription.series.merge(candles)
            self._buffer.put_many(CandleUpdate(key[0], key[1], c) for c in changed)
            complete = subscription.loads == 0
            self._emit(
                HistoryEvent(key[0], key[1], len(candles), len(changed), last is not None, complete)
            )
            if complete:
                self._release(key, subscription)
            else:  # the others, and the pushes held, need not wait out a retry's delay
                self._loader.hurry(lambda job: job.cancel is subscription.cancel)

        def failed(exc: RestError, retry_in: float | None) -> None:
            self._metrics.record_error()
            if subscription.cancel.is_set():
                return  # dropped meanwhile: nobody waits for this history any more
            if retry_in is not None:
                kind = ErrorKind.HISTORY if last is None else ErrorKind.BACKFILL
                self._emit(rest_error_event(kind, exc, *key, retrying=True, retry_in=retry_in))
                return
            # The exchange refuses the pair itself (it may still have accepted the topic):
            # a series that can never be complete is dropped, not shown with holes.
            subscription.loads -= 1
            self._drop(key)
            self._emit(rest_error_event(ErrorKind.REFUSED, exc, *key, subscription_dropped=True))

        subscription.loads += 1
        self._loader.submit(
            HistoryJob(
                key[0],
                key[1],
                None if last is None else last.time - TIMEFRAME_SECONDS[key[1]],
                self._count,
                subscription.cancel,
                done,
                failed,
            )
        )
