"""The UI thread's handle on the feed: one object to connect to, one to stop.

``FeedController`` lives on the UI thread and owns the ``QThread`` running the
:class:`FeedWorker`, plus one background thread for the REST questions the window asks (the
symbol list, older history when the user scrolls left). Every result comes back as a signal
delivered on the UI thread; no method here blocks on the network.

It also keeps the *current* series: ``candlesChanged`` is only emitted for it, so after
``switch()`` returns no candle of the old pair can reach the chart, whatever is still in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kucandle_gui.feed import CandleUpdate, ErrorEvent, ErrorKind, FeedConfig
from kucandle_gui.feed.rest import RestClient, RestError
from kucandle_gui.protocol import TIMEFRAME_SECONDS, validate_symbol, validate_timeframe

from .feed_worker import FeedWorker

log = logging.getLogger(__name__)

T = TypeVar("T")


class FeedController(QObject):
    """Start, switch, ask, stop; everything else arrives as signals on the UI thread."""

    candlesChanged = Signal(str, str, list)  # symbol, timeframe, list[Candle] changed
    historyLoaded = Signal(str, str, int, bool)  # symbol, timeframe, rows, is_backfill
    statusChanged = Signal(object)  # feed.StatusEvent
    errorOccurred = Signal(object)  # feed.ErrorEvent
    metricsUpdated = Signal(object)  # feed.FeedMetrics, once a second
    olderCandlesLoaded = Signal(str, str, list)  # symbol, timeframe, list[Candle]
    symbolsLoaded = Signal(list)  # list[SymbolInfo]
    symbolsFailed = Signal(str)  # why the pair list could not be loaded

    def __init__(
        self,
        api_url: str,
        symbol: str,
        timeframe: str,
        config: FeedConfig | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._api_url = api_url
        self._symbol = validate_symbol(symbol)
        self._timeframe = validate_timeframe(timeframe)
        self._thread = QThread()
        self._thread.setObjectName("kucandle-worker")
        self._worker = FeedWorker(api_url, (self._symbol, self._timeframe), config)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.finished.connect(self._thread.quit)
        self._worker.batchReady.connect(self._deliver)
        self._worker.historyLoaded.connect(self.historyLoaded)
        self._worker.statusChanged.connect(self.statusChanged)
        self._worker.errorOccurred.connect(self.errorOccurred)
        self._worker.metricsUpdated.connect(self.metricsUpdated)
        self._rest = RestClient(api_url)
        self._rest_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kucandle-rest")

    @property
    def api_url(self) -> str:
        return self._api_url

    @property
    def symbol(self) -> str:
        return self._symbol

    @property
    def timeframe(self) -> str:
        return self._timeframe

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

    def switch(self, symbol: str, timeframe: str) -> None:
        """Show another series: unsubscribe the old topic, subscribe the new one, same socket.

        Raises ``ValueError`` (with what is valid) for a malformed pair or timeframe.
        """
        new = (validate_symbol(symbol), validate_timeframe(timeframe))
        old = (self._symbol, self._timeframe)
        if new == old:
            return
        self._symbol, self._timeframe = new
        self._worker.feed.unsubscribe(*old)
        self._worker.feed.subscribe(*new)

    def load_older(self, before: int, count: int = 500) -> None:
        """Fetch up to ``count`` candles of the current series that start before ``before``."""
        symbol, timeframe = self._symbol, self._timeframe
        start = max(0, before - count * TIMEFRAME_SECONDS[timeframe])

        def fetch() -> None:
            candles = self._ask(
                lambda: self._rest.candles(symbol, timeframe, start, before - 1),
                f"older history of {symbol} {timeframe}",
            )
            if candles is not None:
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

    def _ask(self, call: Callable[[], T], what: str) -> T | None:
        """Run a REST call (on the REST thread); an error becomes ``errorOccurred``."""
        try:
            return call()
        except RestError as exc:
            self.errorOccurred.emit(ErrorEvent(f"cannot load {what}: {exc}", ErrorKind.REQUEST))
            return None

    @Slot(list)
    def _deliver(self, batch: list[CandleUpdate]) -> None:
        """On the UI thread: pass on the current series' candles, then ask for the next batch."""
        try:
            current = [
                u.candle
                for u in batch
                if u.symbol == self._symbol and u.timeframe == self._timeframe
            ]
            if current:
                self.candlesChanged.emit(self._symbol, self._timeframe, current)
        finally:
            self._worker.batch_taken()
