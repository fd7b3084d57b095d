"""The main window: a view of the monitor model, and a wiring of widgets.

The composition root (:func:`kucandle_gui.app.build_window`) hands the window its parts: the
:class:`MonitorModel`, the :class:`Workspace` of the charts it shows (one to four cells, one
of them active), the :class:`FeedLink` feeding them, and the demo exchange. The chart area (a
:class:`ChartGrid` of cells, each a chart drawing its chart model) sits under the banner; the
docks show the watchlist and alerts, the menus the active chart's indicators and drawings
(their keepers, which follow the active cell) and the layout (:class:`LayoutKeeper`, which
also saves the workspace); the window turns menus, keys and dialogs into calls on the model,
and :class:`WindowNews` says what the link reports in the status bar and the banner.

What acts on "the chart" acts on the ACTIVE cell: the pair dialog and menu, the timeframe menu
and keys, the watchlist's Enter, the price scale, follow-live, reset zoom, the CSV export;
``chart`` and ``chart_model`` are the active cell's. The title, the status bar's subscription
and the menus' checks follow it (:class:`ActiveChartView`); theme and volume pane are every
cell's.

Nothing here waits on the network, the demo exchange included (it starts off the UI thread).
Problems are said where the user looks, in the status bar and in the banner above the charts,
together with what the app is doing about them; a modal dialog would stop the charts behind it.
What the stores could not read of the saved settings (the layout, or the indicators migrated
into it, alerts, drawings: each keeps the saved text aside) is said once, in one status line;
the switch to the demo exchange at start (``--demo``) does not clear it, a later switch of
source does (the line then holds the predecessor's news).

A replay (``--replay``) shows the replay bar above the charts while the recording loads and
plays, and REPLAY where the demo exchange's prices say SIMULATED (:class:`WindowReplay`). A
recorded feed (``--record``) is marked in the status bar, and so is a recorder that gave up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from kucandle_gui.model import ChartModel, MonitorModel, Workspace
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.ui import chart as chart_module
from kucandle_gui.ui.chart import CandleChart
from kucandle_gui.urls import quote
from kucandle_gui.worker import DemoExchange, FeedController, FeedLink
from kucandle_gui.worker.replay import ReplayRunner

from .actions import WindowActions, step_timeframe
from .alerts.keeper import AlertsKeeper
from .banner import MessageBanner
from .cells import ChartGrid
from .drawings_keeper import DrawingsKeeper
from .indicators import IndicatorsKeeper
from .layout_keeper import LayoutKeeper
from .layout_store import LayoutStore
from .pair_dialog import PairDialog
from .pair_picker import PairPicker
from .settings import AppSettings
from .status_bar import FeedStatusBar
from .theme import DARK, LIGHT, apply_theme
from .watchlist import WatchlistKeeper
from .window_active import ActiveChartView
from .window_cells import CellEvents
from .window_files import WindowFiles
from .window_news import WindowNews
from .window_replay import WindowReplay
from .wording import BannerKind, saved_settings_text

if TYPE_CHECKING:
    from kucandle_gui.sim import LocalExchange

log = logging.getLogger(__name__)

_CHART_THEMES = {DARK: chart_module.DARK, LIGHT: chart_module.LIGHT}


class MainWindow(QMainWindow):
    """Live candles of the workspace's charts; see the module docstring."""

    def __init__(
        self,
        monitor: MonitorModel,
        workspace: Workspace,
        link: FeedLink,
        demo_exchange: DemoExchange,
        *,
        settings: AppSettings,
        layout_store: LayoutStore,
        log_dir: Path | None = None,
        start_problems: Sequence[tuple[str, Sequence[str]]] = (),
        replay: ReplayRunner | None = None,
        recording: Path | None = None,
    ) -> None:
        """``layout_store`` saves the workspace; ``start_problems``: what the stores read
        before the window (the layout) could not read, per store's name, said with the
        keepers' own in one status line. ``replay``: the runner of the recording played back
        (started by the caller, its ``ready`` connected to the link); ``recording``: the file
        the feed is recorded to."""
        super().__init__()
        self.monitor = monitor
        self.workspace = workspace
        self.link = link
        self.demo_exchange = demo_exchange
        link.setParent(self)
        demo_exchange.setParent(self)
        self.settings = settings
        self.log_dir = log_dir
        self._closed = False
        #: Until the event loop first runs: a switch of source then keeps the status line.
        self._starting = True
        self.about_box: QMessageBox | None = None

        self.grid = grid = ChartGrid(workspace, monitor, self)
        self.banner = MessageBanner(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(grid, 1)
        self.setCentralWidget(central)
        self.status_bar = FeedStatusBar(self)
        self.setStatusBar(self.status_bar)
        self.cell_events = CellEvents(grid, self)
        self.news = WindowNews(
            self, monitor, workspace, link, demo_exchange, settings, self.status_bar,
            self.banner, switch_series=self.switch_cell_series, use_demo=self.use_demo_exchange,
            refused=self._series_refused,
        )  # fmt: skip
        self.files = WindowFiles(
            self, grid, self.status_bar, self.news.show_banner,
            lambda: f"{self.symbol}_{self.timeframe}",
        )  # fmt: skip
        keeper = WatchlistKeeper(self, monitor, link, settings, self.status_bar, self.switch_pair)
        self.watchlist_keeper, self.watchlist_panel = keeper, keeper.panel
        self.pairs = PairPicker(
            self, link, self.status_bar, lambda: self.symbol, self.switch_pair, keeper.add
        )
        self.alerts = alerts = AlertsKeeper(
            self, central, monitor, grid, settings, self.status_bar, keeper, self.switch_pair
        )
        self.menu_actions = a = WindowActions(
            self, keeper.panel.toggleViewAction(), alerts.panel.toggleViewAction(), alerts.switches
        )
        self.indicators = IndicatorsKeeper(
            self, a.indicators_menu, grid, self.status_bar,
            add_action=a.add_indicator, remove_all_action=a.remove_indicators,
        )  # fmt: skip
        self.drawings = DrawingsKeeper(self, grid, monitor, settings, a, self.status_bar)
        self.layout_keeper = LayoutKeeper(self, workspace, grid, layout_store, settings, a)
        self.active_view = ActiveChartView(
            self, grid, self.cell_events, monitor, settings, a, self.status_bar
        )
        self.replay = WindowReplay(
            self, replay, monitor, self.status_bar, self.news,
            (keeper.panel, alerts.panel), self.use_demo_exchange,
        )  # fmt: skip
        self.status_bar.set_recording(str(recording) if recording is not None else None)
        self._connect_actions()
        self._observe()
        self._say_load_problems(start_problems)

        self.set_theme(settings.theme)
        self.set_volume_visible(settings.volume_visible)
        if settings.geometry is not None:
            self.restoreGeometry(settings.geometry)
        else:
            self.resize(1400, 760)
        if settings.window_state is not None:
            self.restoreState(settings.window_state)

    def _say_load_problems(self, start_problems: Sequence[tuple[str, Sequence[str]]]) -> None:
        """What the stores could not read, in one status line, kept through the start: until
        the event loop first runs, a switch of source (``--demo``) leaves it."""
        said = saved_settings_text(
            [
                ("alerts", self.alerts.load_problems),
                *start_problems,
                ("drawings", self.drawings.load_problems),
            ]
        )
        if said is not None:
            self.status_bar.show_error(*said)
        started = QTimer(self)
        started.setSingleShot(True)
        started.timeout.connect(lambda: setattr(self, "_starting", False))
        started.start(0)

    def _observe(self) -> None:
        """What the window shows of the model and the link, connected once: the link outlives
        every controller it starts."""
        self.cell_events.seriesSwitched.connect(self.news.series_switched)
        self.monitor.source_changed.connect(self._source_changed)
        self.watchlist_keeper.orderChanged.connect(self.active_view.update_pair_menu)

    # -- the active cell ---------------------------------------------------------------------

    @property
    def chart(self) -> CandleChart:
        """The active cell's chart: what the pair, timeframe and view menus act on."""
        return self.grid.active.chart

    @property
    def chart_model(self) -> ChartModel:
        return self.grid.active.model

    @property
    def symbol(self) -> str:
        return self.chart_model.key.symbol

    @property
    def timeframe(self) -> str:
        return self.chart_model.key.timeframe

    @property
    def controller(self) -> FeedController | None:
        """The feed controller of the moment (None while the demo exchange starts)."""
        return self.link.controller

    @property
    def exchange(self) -> LocalExchange | None:
        """The local exchange, once demo mode runs."""
        return self.demo_exchange.exchange

    @property
    def demo(self) -> bool:
        """Whether the prices shown come from the local (simulated) exchange."""
        return self.monitor.simulated

    def use_demo_exchange(self) -> None:
        """Show the local exchange's (simulated) prices, marked so: the real feed (or the
        replay) stops now, the exchange starts off the UI thread and feeds the model once it
        listens."""
        if self.monitor.simulated and not self.monitor.replay:
            return
        self.link.stop()
        self.replay.stop()
        self.monitor.set_source(simulated=True)
        self.demo_exchange.start()

    def recording_problem(self, text: str, stopped: bool) -> None:
        """What the recorder says (in its own words: lines lost, or it ``stopped``, e.g. the
        disk is full), in the status bar; the feed goes on."""
        self.status_bar.show_error(quote(text))
        if stopped:
            self.status_bar.recording_stopped(quote(text))

    # -- what the model and the link report ---------------------------------------------------

    def _source_changed(self, simulated: bool) -> None:
        """Prices come from another exchange: its predecessor's news is out of date, and the
        drawings are the demo's own (unsaved) or the real ones again."""
        self.news.source_changed(clear_message=not self._starting)
        self.pairs.forget()
        self.drawings.source_changed(simulated)
        self.replay.source_changed()
        self.active_view.show_series()

    def _series_refused(self) -> None:
        """A cell's series was refused: the Pair menu stops offering it, and the next start
        does not open it (the layout is saved again)."""
        self.active_view.update_pair_menu()
        self.layout_keeper.save_soon()

    # -- switching -------------------------------------------------------------------------

    def switch_pair(self, symbol: str) -> None:
        self.switch_series(symbol, self.timeframe)

    def switch_timeframe(self, timeframe: str) -> None:
        self.switch_series(self.symbol, timeframe)

    def switch_series(self, symbol: str, timeframe: str) -> None:
        """Show another pair or timeframe in the active cell: validated by the model, the
        chart cleared at once."""
        self.switch_cell_series(self.chart_model, symbol, timeframe)

    def switch_cell_series(self, model: ChartModel, symbol: str, timeframe: str) -> None:
        """Show another series in the cell of ``model`` (nothing if it is shown no more)."""
        if model not in self.workspace.cells:
            return
        try:
            self.monitor.show(model, symbol, timeframe)
        except ValueError as exc:
            self.news.show_banner(str(exc), kind=BannerKind.ERROR)
        self.menu_actions.check_timeframe(self.timeframe)

    @property
    def pair_dialog(self) -> PairDialog | None:
        """The pair dialog while it is open."""
        return self.pairs.dialog

    def open_pair_dialog(self) -> PairDialog:
        """Ctrl+P: the searchable pair list (loaded in the background the first time)."""
        return self.pairs.open()

    # -- view ------------------------------------------------------------------------------

    def set_theme(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.grid.set_theme(_CHART_THEMES[theme])
        self.watchlist_panel.set_theme(_CHART_THEMES[theme])
        self.menu_actions.themes[theme].setChecked(True)
        self.settings.theme = theme

    def set_volume_visible(self, on: bool) -> None:
        self.grid.set_volume_visible(on)
        self.menu_actions.volume.setChecked(on)
        self.settings.volume_visible = on

    def set_scale(self, mode: ScaleMode) -> None:
        """View → Price scale of the active chart: linear, logarithmic or percent from the
        first visible candle (the chart follows its model)."""
        self.chart_model.set_scale(mode)
        self.menu_actions.check_scale(mode)

    def show_about(self) -> QMessageBox:
        self.about_box = self.files.show_about(self.log_dir)
        return self.about_box

    # -- wiring and closing ----------------------------------------------------------------

    def _connect_actions(self) -> None:
        a = self.menu_actions
        a.save_screenshot.triggered.connect(self.files.save_screenshot_as)
        a.export_csv.triggered.connect(self.files.export_csv_as)
        a.quit.triggered.connect(self.close)
        a.choose_pair.triggered.connect(self.open_pair_dialog)
        a.watch.triggered.connect(lambda: self.watchlist_keeper.toggle(self.symbol))
        a.pairPicked.connect(self.switch_pair)
        a.new_alert.triggered.connect(lambda: self.alerts.new_alert())
        a.alert_at_crosshair.triggered.connect(self.alerts.add_at_crosshair)
        for timeframe, action in a.timeframes.items():
            action.triggered.connect(lambda _c=False, tf=timeframe: self.switch_timeframe(tf))
        a.shorter_timeframe.triggered.connect(lambda: self._step_timeframe(-1))
        a.longer_timeframe.triggered.connect(lambda: self._step_timeframe(1))
        a.follow_live.triggered.connect(lambda on: self.chart.set_follow_live(on))
        a.volume.triggered.connect(self.set_volume_visible)
        a.reset_zoom.triggered.connect(lambda: self.chart.reset_zoom())
        a.scale_group.triggered.connect(lambda action: self.set_scale(a.picked_scale(action)))
        for theme, action in a.themes.items():
            action.triggered.connect(lambda _c=False, t=theme: self.set_theme(t))
        a.open_log_folder.triggered.connect(lambda: self.files.open_log_folder(self.log_dir))
        a.about.triggered.connect(self.show_about)

    def _step_timeframe(self, step: int) -> None:
        if (timeframe := step_timeframe(self.timeframe, step)) is not None:
            self.switch_timeframe(timeframe)

    def shutdown(self) -> None:
        """Save the settings, stop the feed (within 2 s) and the demo exchange. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.layout_keeper.close()
        self.watchlist_keeper.close()
        self.alerts.close()
        self.indicators.close()
        self.drawings.close()
        self.news.close()
        self.active_view.close()
        self.cell_events.close()
        self.settings.sync()
        self.grid.close()
        self.link.close()
        self.workspace.close()  # the charts leave the monitor, their series released
        self.demo_exchange.stop()
        self.replay.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
