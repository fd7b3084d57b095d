"""What the window says of its ACTIVE chart outside the chart area: the title, the status bar's
subscription, the checks of the Timeframe, Price scale and Follow live entries, and the Pair
menu (its Ctrl+D entry names the active chart's pair; its recent pairs are the series shown).

Kept apart from the window's wiring (``main_window``), which acts on the active cell; this
follows it. Another cell made active (clicked, Ctrl+Tab, or the active one gone with a smaller
layout), or the active cell switching series, points all of these at the active chart at once;
a cell that is not active changes none of them.

The active chart's series is remembered (:meth:`AppSettings.remember_series`: the recent pairs,
and the series a start without a saved layout opens), unless the exchange refused it: the
refusal took the pair out of the recent pairs, and activating the cell that still shows it
must not put it back.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from kucandle_gui.model import ChartModel, MonitorModel, SeriesModel

from .actions import WindowActions
from .cells import ChartCell, ChartGrid
from .settings import AppSettings
from .status_bar import FeedStatusBar
from .window_cells import CellEvents
from .wording import window_title


class ActiveChartView(QObject):
    """Points the title, the status bar's subscription and the menus' checks at the grid's
    active cell; see the module docstring."""

    def __init__(
        self,
        window: QMainWindow,
        grid: ChartGrid,
        events: CellEvents,
        monitor: MonitorModel,
        settings: AppSettings,
        actions: WindowActions,
        status_bar: FeedStatusBar,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._grid = grid
        self._monitor = monitor
        self._settings = settings
        self._actions = actions
        self._status_bar = status_bar
        #: The series whose subscription the status bar follows (the active cell's).
        self._watched: SeriesModel | None = None
        events.followChanged.connect(self._follow_changed)
        events.seriesSwitched.connect(self._series_switched)
        grid.activeChanged.connect(self._active_changed)
        self._active_changed(grid.active)

    @property
    def _model(self) -> ChartModel:
        return self._grid.active.model

    def show_series(self) -> None:
        """The title, the SIMULATED (or REPLAY) mark and the timeframe's check for the active
        chart's series (again when the source changes: the title says SIMULATED or REPLAY)."""
        key = self._model.key
        monitor = self._monitor
        self._status_bar.set_demo(monitor.simulated)
        self._actions.check_timeframe(key.timeframe)
        self._window.setWindowTitle(window_title(key, monitor.simulated, monitor.replay))

    def update_pair_menu(self) -> None:
        """The Pair menu's watchlist and recent pairs, and its Ctrl+D entry for the active
        chart's pair (again when the watchlist changes, or a pair was refused)."""
        watched = self._monitor.watchlist.symbols
        self._actions.set_pairs(watched, self._settings.recent, self._model.key.symbol)

    def close(self) -> None:
        """The window closes: nothing left on the grid or the series."""
        self._grid.activeChanged.disconnect(self._active_changed)
        self._watch(None)

    def _active_changed(self, cell: ChartCell) -> None:
        self._actions.follow_live.setChecked(cell.chart.follow_live())
        self._actions.check_scale(cell.model.scale)
        self._series_shown(cell.model)

    def _series_switched(self, model: ChartModel) -> None:
        if model is self._model:
            self._series_shown(model)

    def _series_shown(self, model: ChartModel) -> None:
        self._watch(model.series)
        self.show_series()
        if not model.series.refused:
            self._settings.remember_series(model.key.symbol, model.key.timeframe)
        self.update_pair_menu()

    def _follow_changed(self, cell: ChartCell, on: bool) -> None:
        if cell is self._grid.active:
            self._actions.follow_live.setChecked(on)

    def _watch(self, series: SeriesModel | None) -> None:
        """Follow the subscription of ``series`` (None: stop): the status bar says "live"
        only of a series the exchange pushes."""
        if self._watched is not None:
            self._watched.subscription_changed.disconnect(self._subscription_changed)
        self._watched = series
        if series is not None:
            series.subscription_changed.connect(self._subscription_changed)
            self._subscription_changed(series.subscribed)

    def _subscription_changed(self, on: bool) -> None:
        if self._watched is not None:
            self._status_bar.set_subscription(str(self._watched.key), on)
