"""The monitor's link to a feed: the ``FeedController`` of the moment, wired both ways.

``FeedLink`` lives as long as the monitor. It owns the current controller (replaced when the
source changes, e.g. to the demo exchange or a recording played back; a stopped one is
deleted) and connects it from one table, so that connecting and disconnecting cannot drift
apart. What the monitor asks for (subscriptions, older history, the watchlist's pairs) goes to
the controller; what the controller delivers goes to the monitor (candles; tickers to its
watchlist, which also learns whether the link is live, so that it can tell a quiet row from a
stale one); what views show besides candles (status, errors, metrics, notes) is re-emitted by
the link, so a window connects once whatever the controller of the moment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from kucandle_gui.feed import ConnectionState, ErrorEvent, ErrorKind, FeedConfig, StatusEvent
from kucandle_gui.model import MonitorModel, SeriesKey

from .controller import FeedController
from .replay import REPLAY_ACK_TIMEOUT

log = logging.getLogger(__name__)


class FeedLink(QObject):
    """Feeds a :class:`MonitorModel` from the exchange at :attr:`api_url`."""

    historyLoaded = Signal(str, str, int, bool)  # symbol, timeframe, rows, is_backfill
    statusChanged = Signal(object)  # StatusEvent
    errorOccurred = Signal(object)  # ErrorEvent
    metricsUpdated = Signal(object)  # FeedMetrics
    symbolsLoaded = Signal(list)  # list[SymbolInfo]
    symbolsFailed = Signal(str)

    def __init__(
        self, monitor: MonitorModel, config: FeedConfig | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.config = config or FeedConfig()
        self.controller: FeedController | None = None
        #: The last real (not simulated) exchange fed from: where to go back to.
        self.real_url = ""
        self._closed = False
        monitor.subscriptions_changed.connect(self._subscriptions_changed)
        monitor.older_requested.connect(self._load_older)
        monitor.watchlist.symbols_changed.connect(self._watched_changed)

    def _table(self, controller: FeedController) -> list[tuple[Signal, Callable[..., object]]]:
        """Every connection between a controller and the rest, in one place."""
        monitor = self.monitor
        return [
            (controller.candlesChanged, monitor.apply),
            (controller.tickersChanged, monitor.watchlist.apply_tickers),
            (controller.historyLoaded, self._history_loaded),
            (controller.subscriptionChanged, monitor.subscribed),
            (controller.olderCandlesLoaded, monitor.older_loaded),
            (controller.errorOccurred, self._error),
            (controller.statusChanged, self._status),
            (controller.metricsUpdated, self.metricsUpdated),
            (controller.symbolsLoaded, self.symbolsLoaded),
            (controller.symbolsFailed, self.symbolsFailed),
        ]

    @property
    def api_url(self) -> str:
        return self.controller.api_url if self.controller is not None else ""

    def start(
        self, api_url: str, *, simulated: bool = False, replay: bool = False
    ) -> FeedController | None:
        """Feed the monitor from ``api_url`` (stopping the previous source); None once closed.
        A new source starts every held series over: candles of one exchange never mix with
        another's. ``replay``: the exchange plays a recording back (simulated prices, and a
        feed that leaves it to the recording when sessions end:
        :meth:`FeedConfig.led_by_server`)."""
        self.stop()
        if self._closed:
            return None
        simulated = simulated or replay
        if (self.monitor.simulated, self.monitor.replay) != (simulated, replay):
            self.monitor.set_source(simulated, replay=replay)
        if not simulated:
            self.real_url = api_url
        controller = FeedController(
            api_url,
            self.monitor.wanted(),
            self.config.led_by_server(REPLAY_ACK_TIMEOUT) if replay else self.config,
            parent=self,
            watched=self.monitor.watchlist.symbols,
        )
        for signal, slot in self._table(controller):
            signal.connect(slot)
        self.controller = controller
        log.info("feed from %s: %s", api_url, ", ".join(map(str, self.monitor.wanted())))
        controller.start()
        return controller

    @Slot(str)
    def start_simulated(self, api_url: str) -> None:
        """:meth:`start` on a simulated exchange (the demo exchange's ``ready``)."""
        self.start(api_url, simulated=True)

    @Slot(str)
    def start_replay(self, api_url: str) -> None:
        """:meth:`start` on an exchange playing a recording back (the replay runner's
        ``ready``)."""
        self.start(api_url, replay=True)

    def stop(self) -> None:
        """Stop the controller (within 2 s), hear nothing more from it, and delete it."""
        controller, self.controller = self.controller, None
        if controller is None:
            return
        for signal, slot in self._table(controller):
            signal.disconnect(slot)
        controller.stop()
        controller.deleteLater()
        for key in self.monitor.wanted():  # no feed, no subscription
            self.monitor.subscribed(key.symbol, key.timeframe, False)
        self.monitor.watchlist.set_live(False)

    def close(self) -> None:
        """Stop for good: a start still on its way (the demo exchange's ``ready``, queued
        while the window closed) finds the link closed."""
        self._closed = True
        self.stop()

    def request_symbols(self) -> bool:
        """Ask for the exchange's pairs (``symbolsLoaded``); False without a feed."""
        if self.controller is None:
            return False
        self.controller.request_symbols()
        return True

    # -- from the monitor ----------------------------------------------------------------------

    def _subscriptions_changed(
        self, added: tuple[SeriesKey, ...], removed: tuple[SeriesKey, ...]
    ) -> None:
        if self.controller is None:
            return  # the next controller subscribes to monitor.wanted()
        for key in removed:
            self.controller.unsubscribe(*key)
        for key in added:
            self.controller.subscribe(*key)

    def _watched_changed(self, added: tuple[str, ...], removed: tuple[str, ...]) -> None:
        if self.controller is None:
            return  # the next controller watches monitor.watchlist.symbols
        if removed:
            self.controller.unwatch(list(removed))
        if added:
            self.controller.watch(list(added))

    def _load_older(self, key: SeriesKey, before: int, count: int) -> None:
        if self.controller is None:
            self.monitor.older_failed(*key)
        else:
            self.controller.load_older(key.symbol, key.timeframe, before, count)

    # -- from the controller ---------------------------------------------------------------------

    def _history_loaded(
        self, symbol: str, timeframe: str, rows: int, backfill: bool, complete: bool
    ) -> None:
        self.monitor.history_loaded(symbol, timeframe, complete)
        self.historyLoaded.emit(symbol, timeframe, rows, backfill)

    def _status(self, event: StatusEvent) -> None:
        self.monitor.watchlist.set_live(event.state is ConnectionState.LIVE)
        self.statusChanged.emit(event)

    def _error(self, event: ErrorEvent) -> None:
        if event.kind is ErrorKind.TICKER_REFUSED and event.symbol:
            self.monitor.watchlist.refused(event.symbol)
        elif event.symbol and event.timeframe:
            if event.subscription_dropped:
                self.monitor.refused(event.symbol, event.timeframe)
            elif event.kind is ErrorKind.REQUEST:
                self.monitor.older_failed(event.symbol, event.timeframe)
        self.errorOccurred.emit(event)
