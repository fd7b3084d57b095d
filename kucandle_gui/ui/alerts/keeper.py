"""The alerts' part of the window: the panel docked, the charts' alert lines, the notices of a
firing, and what is saved.

Every cell's chart draws the active alerts of its pair (one :class:`ChartAlerts` per cell,
made when the cell comes, unbound when it goes): an alert line shows in every cell on the
alert's pair. A new alert is for the active cell's pair; Alt+A sets one at the price under the
crosshair of the cell the mouse is over, whichever is active.

The alerts themselves live in the model (``monitor.alerts``), which evaluates them on every
pair's 1min candles whether the pair is shown or not; this keeper only shows them, turns the
user's gestures into calls on the book and tells the user when one fires, on every channel
they did not mute.

Saving: the real exchange's alerts (and the log of firings) are written to the settings, which
serialises the whole book each time, on the UI thread. A change (an alert added, edited,
removed) is written ``SAVE_DELAY_MS`` later, a burst of changes once. A firing starts a
save :data:`SAVE_SOON_MS` later unless one is already pending, and that save also syncs the
settings file: a crash loses at most that short window of firings (they would fire again after
a restart), and a burst of firings, however many event-loop turns it spreads over (a
market-wide move: one push per pair), costs one write and one sync per :data:`SAVE_SOON_MS`,
not one per turn. The book is written when the window closes too. While the book is simulated
(demo mode) nothing is written for its changes or firings: demo alerts are never saved, and the
real book, set aside meanwhile, has not changed. A saved file that cannot be read entirely is
kept aside (under ``alerts/book-backup-<UTC time>``) and the user is told where (by the
window, from ``load_problems``, in one status line with the other stores' problems), so nothing
saved is lost.

Expiry: alerts change only when candles arrive, except for expiry by the clock. One
single-shot timer is set for the earliest future expiry among the active alerts, at most
:data:`LONGEST_WAIT_MS` ahead (then set again: a suspend or a step of the wall clock leaves an
expired alert shown active for minutes at most), and asks the book to expire them (``tick``)
when it comes. It is set again at the end of an event-loop turn in which the book changed, and
runs not at all while no active alert expires, so an idle monitor is not woken. An alert already
past its expiry there is handed to ``tick`` at once (its pair may have just gone live); one the
book keeps active anyway has its pair in a gap, and the gap's catch-up expires it (the book then
says it changed): nothing polls for it.

The book's clock (epoch seconds) is what expiry times are compared with; the book exposes none
publicly, so the keeper takes it as a keyword, by default the book's own.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QWidget

from kucandle_gui.model import AlertState, Firing, MonitorModel

from ..cells import ChartCell, ChartGrid
from ..settings import AppSettings
from ..settings_json import save_timer
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

#: How long a firing waits before the alerts are saved and synced, unless a save is pending.
SAVE_SOON_MS = 250
#: Longest wait of the expiry timer, then set again (a suspend or a wall-clock step must not
#: leave an expired alert shown active for long).
LONGEST_WAIT_MS = 5 * 60 * 1000
#: After the expiry time, so that the book's clock has passed it when the timer fires.
_EXPIRY_MARGIN_MS = 20


class AlertsKeeper(QObject):
    """Docks the :class:`AlertsPanel`, binds the charts' alert lines, notifies firings and
    saves the book; see the module docstring."""

    def __init__(
        self,
        window: QMainWindow,
        host: QWidget,
        monitor: MonitorModel,
        grid: ChartGrid,
        settings: AppSettings,
        status_bar: FeedStatusBar,
        watchlist: WatchlistKeeper,
        open_pair: Callable[[str], None],
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """``host``: the widget the in-window notices float over (the charts' area); ``clock``:
        what expiry times are compared with (epoch seconds), the book's by default (it has no
        public one)."""
        super().__init__(window)
        self._monitor = monitor
        self._book = book = monitor.alerts
        self._clock = clock if clock is not None else book._clock
        self._grid = grid
        self._watchlist = watchlist
        self._status_bar = status_bar
        self._store = AlertStore(settings.store)
        problems = self._store.load_into(book)
        for problem in problems:
            log.warning("saved alerts: %s", problem)
        #: What could not be read of the saved alerts, the last sentence saying where the
        #: saved text was kept (the window says it; see ``wording.saved_settings_text``).
        self.load_problems: list[str] = problems

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
        #: Each cell's alert lines and price menu.
        self.chart_alerts: dict[ChartCell, ChartAlerts] = {}
        grid.follow_cells(self._cell_added, self._cell_removed)

        self._save_timer = save_timer(self, self.save)
        self._settings_store = settings.store
        #: Writes (and syncs) firings soon, once for a burst (see the module docstring).
        self._firing_save = QTimer(self)
        self._firing_save.setSingleShot(True)
        self._firing_save.setInterval(SAVE_SOON_MS)
        self._firing_save.timeout.connect(self._save_firings)
        self._expiry_timer = QTimer(self)
        self._expiry_timer.setSingleShot(True)
        # On time (a coarse timer may be 5% late: 15 s on a five-minute wait); it wakes once.
        self._expiry_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._expiry_timer.timeout.connect(self._schedule_expiry)  # it ticks
        #: Sets the expiry timer again once per event-loop turn in which the book changed.
        self._reschedule = QTimer(self)
        self._reschedule.setSingleShot(True)
        self._reschedule.setInterval(0)
        self._reschedule.timeout.connect(self._schedule_expiry)
        self._schedule_expiry()
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
        """The panel's form for a new alert of ``symbol`` (the active cell's pair by default),
        at ``price`` (its last price by default)."""
        symbol = symbol or self._grid.active.model.key.symbol
        self.panel.new_alert(symbol, price if price is not None else self.last_price(symbol))

    def add_at_crosshair(self) -> bool:
        """Alt+A: an alert at the crosshair's price in the cell the mouse is over, else the
        active cell's (the status bar says what, or why not)."""
        pointed = (c for c in self._grid.cells if c.chart.crosshair_price() is not None)
        return self.chart_alerts[next(pointed, self._grid.active)].add_at_crosshair()

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

    def expiry_wait_ms(self) -> int | None:
        """How long until the book is next asked to expire alerts, ms; None: not at all."""
        return self._expiry_timer.remainingTime() if self._expiry_timer.isActive() else None

    def save(self) -> None:
        """Write the real exchange's alerts and the notice switches now."""
        self._save_timer.stop()
        self._firing_save.stop()
        self._store.save(self._book)
        self._store.save_channels(self.notifier.actions)

    def close(self) -> None:
        """The window closes: save, stop observing the model."""
        self._expiry_timer.stop()
        self._reschedule.stop()
        self.save()
        self._book.changed.disconnect(self._changed)
        self._book.fired.disconnect(self._fired)
        self._book.unchecked.disconnect(self._unchecked)
        self._monitor.source_changed.disconnect(self.panel.set_simulated)
        self.panel.unbind()
        self._grid.unfollow_cells(self._cell_added, self._cell_removed)

    def _cell_added(self, cell: ChartCell) -> None:
        self.chart_alerts[cell] = ChartAlerts(
            cell.chart,
            cell.model,
            self._book,
            self._watchlist.decimals,
            self._status_bar.show_note,
            self.new_alert,
            self,
        )

    def _cell_removed(self, cell: ChartCell) -> None:
        alerts = self.chart_alerts.pop(cell, None)
        if alerts is not None:
            alerts.unbind()
            alerts.deleteLater()

    def _toast_clicked(self, alert_id: int) -> None:
        """A notice was seen: its alert in the panel."""
        self.show_panel()
        if self._book.get(alert_id) is not None:
            self.panel.select(alert_id)

    # -- from the model --------------------------------------------------------------------------

    def _known_pairs(self) -> Collection[str] | None:
        return self._watchlist.listed()

    def _changed(self, _alert_id: int | None) -> None:
        if not self._book.simulated:  # demo alerts are never saved
            self._save_timer.start()
        self._reschedule.start()

    def _fired(self, firing: Firing) -> None:
        """Told on every channel; saved soon (the book said ``changed`` first: the expiry
        timer is already to be set again)."""
        decimals = self._watchlist.decimals(firing.symbol)
        log.info("alert: %s; %s", firing_title(firing, decimals), firing_detail(firing))
        self._status_bar.show_note(f"Alert: {firing_title(firing, decimals)}")
        self.notifier.notify(firing)
        if not self._book.simulated and not self._firing_save.isActive():
            self._firing_save.start()  # not restarted: a burst cannot put the write off

    def _save_firings(self) -> None:
        self.save()
        self._settings_store.sync()

    # -- expiry ----------------------------------------------------------------------------------

    def _schedule_expiry(self) -> None:
        """Alerts past their expiry handed to the book's ``tick``; the expiry timer set for the
        earliest one to come (none: stopped)."""
        self._reschedule.stop()
        now, expiries = self._clock(), self._expiries()
        if any(end <= now for end in expiries):
            # Past its expiry and still active: expired now unless its pair is in a gap (the
            # gap's catch-up ends it, and the book says it changed): nothing polls for it.
            self._book.tick()
            now, expiries = self._clock(), self._expiries()
        ends = [end for end in expiries if end > now]
        if not ends:
            self._expiry_timer.stop()
            return
        wait_ms = math.ceil((min(ends) - now) * 1000) + _EXPIRY_MARGIN_MS
        self._expiry_timer.start(min(wait_ms, LONGEST_WAIT_MS))

    def _expiries(self) -> list[float]:
        """The expiry times of the active alerts that have one."""
        return [
            alert.expires_at
            for alert in self._book.alerts()
            if alert.state is AlertState.ACTIVE and alert.expires_at is not None
        ]

    def _unchecked(self, symbol: str, start: int, end: int) -> None:
        """Alerts may have been reached unseen: an error, not a passing note (the panel's log
        keeps it too)."""
        text = unchecked_text(symbol, start, end)
        log.warning("alerts: %s", text)
        self._status_bar.show_error(text)
