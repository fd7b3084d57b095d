"""The alerts' part of the window: the panel docked, the chart's alert lines, the notices of a
firing, and what is saved.

The alerts themselves live in the model (``monitor.alerts``), which evaluates them on every
pair's 1min candles whether the pair is shown or not; this keeper only shows them, turns the
user's gestures into calls on the book and tells the user when one fires, on every channel
they did not mute. The real exchange's alerts (and the log of firings) are saved on every
change, a moment later so that a burst of changes is written once, and when the window closes;
demo alerts are never saved. A saved file that cannot be read entirely is kept aside (under
``alerts/book-backup-<UTC time>``) and the user is told where, so nothing saved is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QWidget

from kucandle_gui.model import ChartModel, Firing, MonitorModel
from kucandle_gui.ui.chart import CandleChart

from ..settings import AppSettings
from ..status_bar import FeedStatusBar
from ..watchlist import WatchlistKeeper
from .chart_alerts import ChartAlerts
from .notifier import AlertNotifier
from .panel import AlertsPanel
from .sound import AlertSound
from .store import AlertStore
from .texts import firing_detail, firing_title, unchecked_text
from .toast import ToastStack

log = logging.getLogger(__name__)

#: How long a change waits before the alerts are saved (a burst is written once).
SAVE_DELAY_MS = 1000
#: How often expiry is looked at; alerts otherwise change only when candles arrive.
TICK_MS = 1000


class AlertsKeeper(QObject):
    """Docks the :class:`AlertsPanel`, binds the chart's alert lines, notifies firings and
    saves the book; see the module docstring."""

    def __init__(
        self,
        window: QMainWindow,
        host: QWidget,
        monitor: MonitorModel,
        chart: CandleChart,
        chart_model: ChartModel,
        settings: AppSettings,
        status_bar: FeedStatusBar,
        watchlist: WatchlistKeeper,
        open_pair: Callable[[str], None],
    ) -> None:
        """``host``: the widget the in-window notices float over (the chart's area)."""
        super().__init__(window)
        self._monitor = monitor
        self._book = book = monitor.alerts
        self._chart_model = chart_model
        self._watchlist = watchlist
        self._status_bar = status_bar
        self._store = AlertStore(settings.store)
        problems = self._store.load_into(book)
        for problem in problems:
            log.warning("saved alerts: %s", problem)
        if problems:  # the problems, then where the saved text was kept
            *found, kept = problems
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            status_bar.show_error(
                f"Saved alerts: {found[0]}{more}; {kept}", detail="\n".join(problems)
            )

        self.panel = panel = AlertsPanel(
            book, watchlist.decimals, self._known_pairs, self.last_price, window
        )
        panel.setVisible(False)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)
        panel.set_simulated(monitor.simulated)
        panel.pairOpened.connect(open_pair)
        panel.message.connect(status_bar.show_note)
        watchlist.panel.alertRequested.connect(self.new_alert)
        watchlist.listedChanged.connect(panel.refresh)  # prices in the pairs' own decimals

        self.toasts = ToastStack(host)
        self.toasts.toastClicked.connect(self._toast_clicked)
        self.notifier = AlertNotifier(window, self.toasts, AlertSound(), watchlist.decimals)
        self._store.load_channels(self.notifier.actions)
        self.chart_alerts = ChartAlerts(
            chart, chart_model, book, watchlist.decimals, status_bar.show_note, self.new_alert
        )

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(book.tick)
        self._tick_timer.start()
        book.changed.connect(self._changed)
        book.fired.connect(self._fired)
        book.unchecked.connect(self._unchecked)
        monitor.source_changed.connect(panel.set_simulated)

    @property
    def switches(self) -> list[QAction]:
        """The notice channels' on/off actions and "mute all", for the Alerts menu."""
        return [*self.notifier.actions.values(), self.notifier.mute_all]

    # -- what the window asks ------------------------------------------------------------------

    def show_panel(self) -> None:
        self.panel.show()
        self.panel.raise_()

    def new_alert(self, symbol: str | None = None, price: float | None = None) -> None:
        """The panel's form for a new alert of ``symbol`` (the chart's pair by default), at
        ``price`` (its last price by default)."""
        symbol = symbol or self._chart_model.key.symbol
        self.panel.new_alert(symbol, price if price is not None else self.last_price(symbol))

    def add_at_crosshair(self) -> bool:
        """Alt+A: an alert at the crosshair's price (the status bar says what, or why not)."""
        return self.chart_alerts.add_at_crosshair()

    def last_price(self, symbol: str) -> float | None:
        """The best price known of ``symbol``: the alerts' own 1min close, else the watchlist's,
        else the close of a series the monitor holds."""
        price = self._book.last_price(symbol)
        if price is not None:
            return price
        row = self._monitor.watchlist.row(symbol)
        if row is not None and row.last is not None:
            return row.last
        for key in self._monitor.wanted():
            series = self._monitor.series(key)
            if key.symbol == symbol and series is not None:
                last = series.candles.last()
                if last is not None:
                    return last.close
        return None

    def save(self) -> None:
        """Write the real exchange's alerts and the notice switches now."""
        self._save_timer.stop()
        self._store.save(self._book)
        self._store.save_channels(self.notifier.actions)

    def close(self) -> None:
        """The window closes: save, stop observing the model."""
        self._tick_timer.stop()
        self.save()
        self._book.changed.disconnect(self._changed)
        self._book.fired.disconnect(self._fired)
        self._book.unchecked.disconnect(self._unchecked)
        self._monitor.source_changed.disconnect(self.panel.set_simulated)
        self.panel.unbind()
        self.chart_alerts.unbind()

    def _toast_clicked(self, alert_id: int) -> None:
        """A notice was seen: its alert in the panel."""
        self.show_panel()
        if self._book.get(alert_id) is not None:
            self.panel.select(alert_id)

    # -- from the model --------------------------------------------------------------------------

    def _known_pairs(self) -> Collection[str] | None:
        return self._watchlist.listed()

    def _changed(self, _alert_id: int | None) -> None:
        self._save_timer.start()

    def _fired(self, firing: Firing) -> None:
        decimals = self._watchlist.decimals(firing.symbol)
        log.info("alert: %s; %s", firing_title(firing, decimals), firing_detail(firing))
        self._status_bar.show_note(f"Alert: {firing_title(firing, decimals)}")
        self.notifier.notify(firing)
        self._save_timer.start()

    def _unchecked(self, symbol: str, start: int, end: int) -> None:
        """Alerts may have been reached unseen: an error, not a passing note (the panel's log
        keeps it too)."""
        text = unchecked_text(symbol, start, end)
        log.warning("alerts: %s", text)
        self._status_bar.show_error(text)
