"""The feed worker: a QObject on its own QThread that carries candle updates and tickers to
the UI thread.

A signal per WebSocket message cannot keep up with a busy feed (a queued signal costs far more
than a push takes to parse), so the worker sends *batches*: it blocks on the feed's update
buffer, takes everything pending, and emits one signal. It sends the next signal only after
the UI thread has taken the previous one (``batch_taken``); meanwhile the feed's buffer
coalesces updates of the same candle. The UI therefore gets updates as soon as it can use them
and never more than it can, and a slow UI costs coalescing (counted), never a lost candle.

Tickers (the watchlist's 24 h statistics) wait for the UI the same way, one signal of them
taking the place of a batch: at most one signal of either kind is on its way at a time, and
the feed keeps only the latest ticker of each pair meanwhile. After a batch the tickers have
the next turn when any are pending, so a busy candle stream cannot hold them back.

A series' history and subscription signals come after the batch holding the candles the feed
produced before them (:class:`~kucandle_gui.feed.InOrder`): the UI hears "history loaded"
once the loaded candles are applied, and "no longer subscribed" after the session's last
pushes. With nothing in the buffer they go out within the loop's poll.

The worker never touches a widget; it knows the feed, not the chart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal, Slot

from kucandle_gui.feed import (
    CandleUpdate,
    FeedClient,
    FeedConfig,
    FeedEvent,
    HistoryEvent,
    InOrder,
    StatusEvent,
    SubscriptionEvent,
)

#: How often metrics go out, in seconds (the status bar shows them).
METRICS_PERIOD = 1.0
#: Longest the loop blocks before checking for stop and metrics.
POLL = 0.1
#: What the feed may take to stop, so that this thread always ends within the controller's
#: 2 s (a QThread destroyed while running aborts the process): the loop's poll plus this.
FEED_STOP_BUDGET = 1.5


class FeedWorker(QObject):
    """Runs ``run()`` on its thread until ``stop()``; emits only, touches no widget."""

    batchReady = Signal(list)  # list[CandleUpdate], oldest change first
    tickersReady = Signal(list)  # list[Ticker], the latest of each pair that changed
    #: symbol, timeframe, rows, is_backfill, complete (no other load of the series outstanding)
    historyLoaded = Signal(str, str, int, bool, bool)
    subscriptionChanged = Signal(str, str, bool)  # symbol, timeframe, subscribed
    statusChanged = Signal(object)  # StatusEvent
    errorOccurred = Signal(object)  # ErrorEvent
    metricsUpdated = Signal(object)  # FeedMetrics
    finished = Signal()

    def __init__(
        self,
        api_url: str,
        subscriptions: Iterable[tuple[str, str]],
        config: FeedConfig | None,
        watched: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.feed = FeedClient(
            api_url, subscriptions, config=config, listener=self.on_feed_event, watched=watched
        )
        self._stop = threading.Event()
        #: Series events waiting for the batch of the candles that preceded them.
        self._in_order = InOrder()
        #: Set while the UI thread is ready for the next signal (a batch or tickers).
        self._taken = threading.Event()
        self._taken.set()
        #: The last signal was a batch: pending tickers go first in the next turn.
        self._tickers_due = False
        self._next_metrics = 0.0

    def on_feed_event(self, event: FeedEvent) -> None:
        """The feed's listener (called on the feed's thread): status and errors go out as
        signals at once, series events after the candles before them (``run``)."""
        if isinstance(event, StatusEvent):
            self.statusChanged.emit(event)
        elif isinstance(event, HistoryEvent | SubscriptionEvent):
            self._in_order.hold(event)
        else:
            self.errorOccurred.emit(event)

    def batch_taken(self) -> None:
        """The UI thread has applied the last signal, a batch or tickers (any thread)."""
        self._taken.set()

    def stop(self) -> None:
        """Ask ``run()`` to end (safe from any thread)."""
        self._stop.set()
        self._taken.set()

    @Slot()
    def run(self) -> None:
        self.feed.start()
        try:
            while self._wait_until_taken():
                self._emit_metrics_when_due()
                if self._tickers_due and self._send_tickers():
                    continue
                first = self.feed.next(timeout=POLL)
                events = self._in_order.take()  # before the drain: see InOrder
                batch: list[CandleUpdate] = self.feed.drain()
                if first is not None:
                    batch.insert(0, first)
                if batch:
                    self._taken.clear()
                    self._tickers_due = True
                    self.batchReady.emit(batch)
                self._send_series_events(events)
                if not batch:
                    self._send_tickers()
        finally:
            self.feed.stop(FEED_STOP_BUDGET)
            self.finished.emit()

    def _send_series_events(self, events: list[FeedEvent]) -> None:
        """Emit taken series events, after the batch of the candles before them: queued
        signals to one thread arrive in the order they were emitted."""
        for event in events:
            if isinstance(event, HistoryEvent):
                self.historyLoaded.emit(
                    event.symbol, event.timeframe, event.count, event.backfill, event.complete
                )
            elif isinstance(event, SubscriptionEvent):
                self.subscriptionChanged.emit(event.symbol, event.timeframe, event.subscribed)

    def _send_tickers(self) -> bool:
        """Emit the pending tickers, if any (the UI has taken the last signal)."""
        self._tickers_due = False
        tickers = self.feed.tickers()
        if tickers:
            self._taken.clear()
            self.tickersReady.emit(tickers)
        return bool(tickers)

    def _wait_until_taken(self) -> bool:
        """Block until the UI took the previous signal; False once stopping (``stop`` sets
        ``_taken``, but a signal emitted just after may have cleared it again)."""
        while not self._taken.wait(POLL):
            if self._stop.is_set():
                return False
            self._emit_metrics_when_due()
        return not self._stop.is_set()

    def _emit_metrics_when_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_metrics:
            self._next_metrics = now + METRICS_PERIOD
            self.metricsUpdated.emit(self.feed.metrics())
