"""The feed worker: a QObject on its own QThread that carries candle updates and tickers to
the UI thread.

A signal per WebSocket message cannot keep up with a busy feed (a queued signal costs far more
than a push takes to parse), so the worker sends *batches*: it blocks on the feed's update
buffer, takes everything pending, and emits one signal (or a few, split by series events, see
below). It sends the next turn's signals only after the UI thread has taken those of the last
one (``batch_taken``, once per signal); meanwhile the feed's buffer coalesces updates of the
same candle. The UI therefore gets updates as soon as it can use them and never more than it
can, and a slow UI costs coalescing (counted), never a lost candle.

Tickers (the watchlist's 24 h statistics) wait for the UI the same way, one signal of them
taking the place of a turn's batches: at most one turn's signals are on their way at a time,
and the feed keeps only the latest ticker of each pair meanwhile. After a batch the tickers have
the next turn when any are pending, so a busy candle stream cannot hold them back.

A series' history and subscription signals come exactly between the batches of the candles
the feed produced before and after them (:class:`~kucandle_gui.feed.InOrder`): the UI hears
"history loaded" once the loaded candles are applied, and "no longer subscribed" after the
session's last pushes and before the next session's first ones, however late it takes them.
With nothing in the buffer they go out within the loop's poll.

The worker never touches a widget; it knows the feed, not the chart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal, Slot

from kucandle_gui.feed import (
    Delivery,
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
        #: Series events, held with the feed's mark until a turn puts them between their
        #: candles.
        self._in_order = InOrder()
        #: Set while the UI thread has taken every signal sent (batches and tickers).
        self._taken = threading.Event()
        self._taken.set()
        self._lock = threading.Lock()
        #: Signals sent that the UI has not taken yet.
        self._untaken = 0
        #: The last signal was a batch: pending tickers go first in the next turn.
        self._tickers_due = False
        self._next_metrics = 0.0

    def on_feed_event(self, event: FeedEvent) -> None:
        """The feed's listener (called on the feed's thread): status and errors go out as
        signals at once, series events after the candles before them (``run``)."""
        if isinstance(event, StatusEvent):
            self.statusChanged.emit(event)
        elif isinstance(event, HistoryEvent | SubscriptionEvent):
            self._in_order.hold(event, self.feed.mark())
        else:
            self.errorOccurred.emit(event)

    def batch_taken(self) -> None:
        """The UI thread has applied a signal, a batch or tickers (any thread)."""
        with self._lock:
            self._untaken = max(0, self._untaken - 1)
            if not self._untaken:
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
                self.feed.wait_for_updates(POLL)
                if self._send_turn(self._in_order.turn(self.feed)):
                    self._tickers_due = True
                else:
                    self._send_tickers()
        finally:
            self.feed.stop(FEED_STOP_BUDGET)
            self.finished.emit()

    def _send_turn(self, deliveries: list[Delivery]) -> bool:
        """Emit each delivery's candles as a batch, then its series event: queued signals to
        one thread arrive in the order they were emitted. Whether any batch went out."""
        batches = False
        for candles, event in deliveries:
            if candles:
                self._sending()
                self.batchReady.emit(candles)
                batches = True
            if isinstance(event, HistoryEvent):
                self.historyLoaded.emit(
                    event.symbol, event.timeframe, event.count, event.backfill, event.complete
                )
            elif isinstance(event, SubscriptionEvent):
                self.subscriptionChanged.emit(event.symbol, event.timeframe, event.subscribed)
        return batches

    def _send_tickers(self) -> bool:
        """Emit the pending tickers, if any (the UI has taken the last signal)."""
        self._tickers_due = False
        tickers = self.feed.tickers()
        if tickers:
            self._sending()
            self.tickersReady.emit(tickers)
        return bool(tickers)

    def _sending(self) -> None:
        """A signal the UI must take goes out (before it is emitted: the UI may take it at
        once)."""
        with self._lock:
            self._untaken += 1
            self._taken.clear()

    def _wait_until_taken(self) -> bool:
        """Block until the UI took every signal sent; False once stopping (``stop`` sets
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
