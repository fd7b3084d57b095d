"""The UI thread's handle on the feed: one object to connect to, one to stop.

``FeedController`` lives on the UI thread and owns the ``QThread`` running the
:class:`FeedWorker`, plus one background thread for the REST questions asked on the UI's
behalf (the symbol list, older history when the user scrolls left). Every result comes back
as a signal delivered on the UI thread; no method here blocks on the network. Those REST
questions are told to the feed's tap too (``FeedConfig.tap``): a recording holds them.

The pairs of the watchlist are carried the same way: ``watch``/``unwatch`` say which, and
``tickersChanged`` brings their 24 h statistics.

It holds no notion of a *current* series: it carries every subscribed series, and the model
(:class:`~kucandle_gui.model.MonitorModel`) decides what is shown and drops what is not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kucandle_gui.feed import (
    CandleUpdate,
    ErrorEvent,
    ErrorKind,
    FeedConfig,
    FeedMetrics,
    RestClient,
    RestError,
    rest_error_event,
)
from kucandle_gui.protocol import TIMEFRAME_SECONDS, Candle, Ticker

from .feed_worker import FeedWorker

log = logging.getLogger(__name__)


class FeedController(QObject):
    """Start, subscribe, ask, stop; everything else arrives as signals on the UI thread."""

    candlesChanged = Signal(str, str, list)  # symbol, timeframe, list[Candle] changed
    #: Every batch as the feed delivered it (list[CandleUpdate], with push times), after
    #: ``candlesChanged`` handed it on by series: for measuring the path end to end.
    batchDelivered = Signal(list)
    tickersChanged = Signal(list)  # list[Ticker], the latest of each watched pair that changed
    #: A series' REST history (or backfill) is in, after the batch holding its candles:
    #: symbol, timeframe, rows, is_backfill, complete (no other load of it outstanding).
    historyLoaded = Signal(str, str, int, bool, bool)
    #: A series' subscription was acknowledged (True) or stopped being (False, after the
    #: batch holding its last pushes): only while subscribed do its live updates flow.
    subscriptionChanged = Signal(str, str, bool)  # symbol, timeframe, subscribed
    statusChanged = Signal(object)  # feed.StatusEvent
    errorOccurred = Signal(object)  # feed.ErrorEvent
    metricsUpdated = Signal(object)  # feed.FeedMetrics, once a second
    olderCandlesLoaded = Signal(str, str, list)  # symbol, timeframe, list[Candle]
    symbolsLoaded = Signal(list)  # list[SymbolInfo]
    symbolsFailed = Signal(str)  # why the pair list could not be loaded

    def __init__(
        self,
        api_url: str,
        subscriptions: Iterable[tuple[str, str]] = (),
        config: FeedConfig | None = None,
        parent: QObject | None = None,
        watched: Iterable[str] = (),
    ) -> None:
        super().__init__(parent)
        self._api_url = api_url
        self._thread = QThread()
        self._thread.setObjectName("kucandle-worker")
        self._worker = FeedWorker(api_url, subscriptions, config, watched)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.finished.connect(self._thread.quit)
        self._worker.batchReady.connect(self._deliver)
        self._worker.tickersReady.connect(self._deliver_tickers)
        self._worker.historyLoaded.connect(self.historyLoaded)
        self._worker.subscriptionChanged.connect(self.subscriptionChanged)
        self._worker.statusChanged.connect(self.statusChanged)
        self._worker.errorOccurred.connect(self.errorOccurred)
        self._worker.metricsUpdated.connect(self.metricsUpdated)
        tap = None if config is None else config.tap
        self._rest = RestClient(api_url, on_bad_rows=self._bad_rows, tap=tap)
        self._rest_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kucandle-rest")

    @property
    def api_url(self) -> str:
        return self._api_url

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the feed, its worker thread and the REST thread; returns within ``timeout``."""
        self._worker.stop()
        self._rest.cancel.set()
        self._rest_pool.shutdown(wait=False, cancel_futures=True)
        if self._thread.isRunning():
            self._thread.quit()
            if not self._thread.wait(int(timeout * 1000)):
                log.warning("feed worker did not stop within %.1f s", timeout)

    def subscribe(self, symbol: str, timeframe: str) -> None:
        """Carry a series too (history first, then live); a no-op when already carried."""
        self._worker.feed.subscribe(symbol, timeframe)

    def unsubscribe(self, symbol: str, timeframe: str) -> None:
        """Stop carrying a series; its pending updates are dropped."""
        self._worker.feed.unsubscribe(symbol, timeframe)

    def watch(self, symbols: list[str]) -> None:
        """Carry these pairs' tickers too (first values over REST, then pushes); ``ValueError``
        names a malformed pair. Pairs already watched stay as they are."""
        self._worker.feed.watch(symbols)

    def unwatch(self, symbols: list[str]) -> None:
        """Stop carrying these pairs' tickers."""
        self._worker.feed.unwatch(symbols)

    def metrics(self) -> FeedMetrics:
        """The feed's counters now (``metricsUpdated`` brings them once a second anyway)."""
        return self._worker.feed.metrics()

    def candles_held(self) -> int:
        """Candles in the feed's own series (what ``FeedConfig.max_candles`` bounds)."""
        return self._worker.feed.candles_held()

    def load_older(self, symbol: str, timeframe: str, before: int, count: int) -> None:
        """Fetch up to ``count`` candles of a series that start before ``before``: the answer
        is ``olderCandlesLoaded``, or ``errorOccurred`` of kind ``REQUEST`` naming the series."""
        start = max(0, before - count * TIMEFRAME_SECONDS[timeframe])

        def fetch() -> None:
            try:
                candles: list[Candle] = self._rest.candles(symbol, timeframe, start, before - 1)
            except RestError as exc:
                self.errorOccurred.emit(rest_error_event(ErrorKind.REQUEST, exc, symbol, timeframe))
                return
            self.olderCandlesLoaded.emit(symbol, timeframe, candles)

        self._rest_pool.submit(fetch)

    def request_symbols(self) -> None:
        """Fetch the exchange's trading pairs; the answer comes as ``symbolsLoaded``."""

        def fetch() -> None:
            try:
                symbols = self._rest.symbols()
            except RestError as exc:
                self.symbolsFailed.emit(f"cannot load the list of pairs: {exc}")
                return
            self.symbolsLoaded.emit([s for s in symbols if s.enable_trading])

        self._rest_pool.submit(fetch)

    def _bad_rows(self, symbol: str, timeframe: str, dropped: int, reason: str) -> None:
        """Rows of an older-history page were dropped (on the REST thread); the good ones
        still arrive as ``olderCandlesLoaded``."""
        self.errorOccurred.emit(ErrorEvent(ErrorKind.BAD_ROWS, reason, symbol, timeframe))

    @Slot(list)
    def _deliver(self, batch: list[CandleUpdate]) -> None:
        """On the UI thread: pass on each series' changed candles, then ask for the next batch."""
        try:
            by_series: dict[tuple[str, str], list[Candle]] = {}
            for update in batch:
                by_series.setdefault((update.symbol, update.timeframe), []).append(update.candle)
            for (symbol, timeframe), candles in by_series.items():
                self.candlesChanged.emit(symbol, timeframe, candles)
            self.batchDelivered.emit(batch)
        finally:
            self._worker.batch_taken()

    @Slot(list)
    def _deliver_tickers(self, tickers: list[Ticker]) -> None:
        """On the UI thread: pass the tickers on, then ask for the next signal (tickers wait
        for the UI like batches)."""
        try:
            self.tickersChanged.emit(tickers)
        finally:
            self._worker.batch_taken()
