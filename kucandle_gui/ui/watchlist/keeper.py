"""The watchlist's part of the window: its dock placed and laid out as last time, and which
pairs it holds, where they come from and where they go: a pair opened from it goes to the
active chart, a pair added from the pair dialog or the active chart's own (Ctrl+D) comes to it.

While prices come from the real exchange the watchlist is the user's, loaded from the settings
and saved on every change. In demo mode it shows the demo exchange's own pairs (marked
SIMULATED by the panel) and nothing is saved: going back to the real exchange brings back the
saved list as it was. A replay (simulated too) shows the recording's pairs, which its copy of
the settings holds: never replaced by the exchange's list, so that the tickers asked for are
those recorded. Each pair's price precision comes from the exchange's list of pairs,
asked for as soon as the exchange's feed is live (again after a failure; the pair dialog
uses the same list); once it is known, a typed pair the exchange does not list is not added.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow

from kucandle_gui.feed import ConnectionState, StatusEvent, SymbolInfo
from kucandle_gui.model import MAX_WATCHLIST, MonitorModel
from kucandle_gui.worker import FeedLink

from ..settings import AppSettings
from ..status_bar import FeedStatusBar
from .formatting import price_decimals
from .panel import WatchlistPanel

log = logging.getLogger(__name__)


class WatchlistKeeper(QObject):
    """Docks a :class:`WatchlistPanel` (``panel``) in ``window``, keeps ``monitor.watchlist``
    holding the right pairs, and hands the pairs opened from it to ``open_pair``; see the
    module docstring."""

    #: The watchlist's pairs or their order changed (the Pair menu lists the first ones).
    orderChanged = Signal()
    #: The exchange's pairs and price decimals (:meth:`listed`, :meth:`decimals`) changed.
    listedChanged = Signal()

    def __init__(
        self,
        window: QMainWindow,
        monitor: MonitorModel,
        link: FeedLink,
        settings: AppSettings,
        status_bar: FeedStatusBar,
        open_pair: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._monitor = monitor
        self._watchlist = monitor.watchlist
        self._link = link
        self._settings = settings
        self._status_bar = status_bar
        self.panel = panel = WatchlistPanel(monitor.watchlist, window)
        panel.pairOpened.connect(open_pair)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)
        if settings.window_state is None:  # else the window's saved layout places it
            window.resizeDocks([panel], [panel.preferred_width()], Qt.Orientation.Horizontal)
        panel.restore_header_state(settings.watchlist_header)
        #: Whether this exchange's pairs were asked for (once per exchange).
        self._symbols_asked = False
        #: Whether the demo list was made from the demo exchange's pairs yet.
        self._demo_listed = False
        #: The exchange's pairs and their price decimals, once its list is in.
        self._listed: frozenset[str] | None = None
        self._decimals: dict[str, int] = {}
        self._watchlist.order_changed.connect(self._order_changed)
        monitor.source_changed.connect(self._source_changed)
        link.statusChanged.connect(self._on_status)
        link.symbolsLoaded.connect(self._symbols_loaded)
        link.symbolsFailed.connect(self._symbols_failed)
        if monitor.simulated:
            self._source_changed(True)
        else:
            self._watchlist.set_symbols(settings.watchlist)
        panel.set_simulated(monitor.simulated)

    def add(self, pair: str) -> str:
        """Add a pair the user named (the pair dialog's "Add to watchlist"): what became of
        it, to be said where the user asked."""
        return self.panel.add(pair)[1]

    def toggle(self, symbol: str) -> None:
        """The active chart's pair into the watchlist, or out of it (Ctrl+D); the status bar
        says which, or why not."""
        done, text = self.panel.toggle(symbol)
        (self._status_bar.show_note if done else self._status_bar.show_error)(text)

    def decimals(self, symbol: str) -> int | None:
        """Decimals of ``symbol``'s prices on this exchange (None until its list is in)."""
        return self._decimals.get(symbol)

    def listed(self) -> frozenset[str] | None:
        """The pairs this exchange trades (None until its list is in)."""
        return self._listed

    def close(self) -> None:
        """The window closes: save the table's layout, stop observing the model."""
        self._settings.watchlist_header = self.panel.header_state()
        self._watchlist.order_changed.disconnect(self._order_changed)
        self._monitor.source_changed.disconnect(self._source_changed)
        self.panel.unbind()

    def _order_changed(self) -> None:
        if not self._monitor.simulated:
            self._settings.watchlist = list(self._watchlist.symbols)
        self.orderChanged.emit()

    def _source_changed(self, simulated: bool) -> None:
        """Another exchange: its own pairs and precisions; the saved list back when real."""
        self._symbols_asked = False
        self._demo_listed = False
        self._listed, self._decimals = None, {}
        self.panel.table_model.set_price_decimals({})
        self.panel.set_listed(None)
        self.listedChanged.emit()
        self.panel.set_simulated(simulated)
        if simulated and not self._monitor.replay:
            # Until the demo exchange lists its pairs: the charts', which it serves.
            self._watchlist.set_symbols(chart.key.symbol for chart in self._monitor.charts)
        else:
            self._watchlist.set_symbols(self._settings.watchlist)

    def _on_status(self, event: StatusEvent) -> None:
        if event.state is ConnectionState.LIVE and not self._symbols_asked:
            self._symbols_asked = self._link.request_symbols()

    def _symbols_failed(self, _message: str) -> None:
        """Asked again when the feed is next live (the status bar says why it failed)."""
        self._symbols_asked = False

    def _symbols_loaded(self, symbols: list[SymbolInfo]) -> None:
        decimals: dict[str, int] = {}
        for info in symbols:
            places = price_decimals(info.price_increment)
            if places is not None:
                decimals[info.symbol] = places
        self._decimals = decimals
        self._listed = frozenset(info.symbol for info in symbols)
        self.panel.table_model.set_price_decimals(decimals)
        self.panel.set_listed(self._listed)
        self.listedChanged.emit()
        if self._monitor.simulated and not self._monitor.replay and not self._demo_listed:
            self._demo_listed = True
            pairs = [info.symbol for info in symbols]
            if len(pairs) > MAX_WATCHLIST:
                log.info("demo watchlist: the first %d of %d pairs", MAX_WATCHLIST, len(pairs))
            self._watchlist.set_symbols(pairs[:MAX_WATCHLIST])
