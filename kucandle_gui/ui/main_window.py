"""The main window: a wiring of parts (feed controller, chart, status bar, banner, menus).

The window owns the :class:`FeedController` (and, in demo mode, the local exchange it talks
to) and passes what the controller reports on to the chart and the status bar. It holds the
*current* series: a candle of any other series is never drawn, whatever is still in flight
when the user switches.

Nothing here waits on the network. Problems are said where the user looks, in the status bar
and in the banner above the chart, together with what the app is doing about them; a
modal dialog would stop the chart behind it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from kucandle_gui.feed import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedConfig,
    FeedMetrics,
    StatusEvent,
)
from kucandle_gui.feed.rest import SymbolInfo
from kucandle_gui.protocol import TIMEFRAME_SECONDS, Candle
from kucandle_gui.ui import chart as chart_module
from kucandle_gui.ui.chart import CandleChart
from kucandle_gui.worker import FeedController

from .about import show_about
from .actions import WindowActions, step_timeframe
from .pair_dialog import PairDialog
from .settings import AppSettings
from .status_bar import FeedStatusBar, MessageBanner
from .theme import DARK, LIGHT, apply_theme

if TYPE_CHECKING:
    from kucandle_gui.sim import LocalExchange, SimConfig

log = logging.getLogger(__name__)

#: Candles asked for each time the user scrolls past the oldest one loaded.
OLDER_PAGE = 500
#: How long a passing error stays in the banner (it stays in the status bar and the log).
TRANSIENT_BANNER_MS = 20_000
#: Banners about a lasting problem; a passing error does not cover them.
_LASTING_KINDS = frozenset({"connection", "pair"})

_CHART_THEMES = {DARK: chart_module.DARK, LIGHT: chart_module.LIGHT}
_CONTROLLER_SIGNALS = (
    "candlesChanged",
    "historyLoaded",
    "statusChanged",
    "errorOccurred",
    "metricsUpdated",
    "olderCandlesLoaded",
    "symbolsLoaded",
    "symbolsFailed",
)


class MainWindow(QMainWindow):
    """Live candles of one series; see the module docstring.

    ``demo=True`` starts the local exchange in-process (``demo_config``, default settings)
    and ignores ``api_url``; everything it shows is marked SIMULATED.
    """

    def __init__(
        self,
        api_url: str,
        symbol: str,
        timeframe: str,
        *,
        settings: AppSettings,
        feed_config: FeedConfig | None = None,
        demo: bool = False,
        demo_config: SimConfig | None = None,
        log_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.log_dir = log_dir
        self._feed_config = feed_config
        self._demo_config = demo_config
        self._symbol, self._timeframe = symbol, timeframe
        self._previous: tuple[str, str] | None = None
        self.controller: FeedController | None = None
        self.exchange: LocalExchange | None = None
        self._ever_live = False
        self._pairs: list[str] = []
        self._older_asked: int | None = None
        self._closed = False
        self.pair_dialog: PairDialog | None = None
        self.about_box: QMessageBox | None = None

        # The chart keeps what the feed keeps, no more: memory stays bounded on a week-long run.
        self.chart = CandleChart(self, max_candles=(feed_config or FeedConfig()).max_candles)
        self.banner = MessageBanner(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.chart, 1)
        self.setCentralWidget(central)
        self.status_bar = FeedStatusBar(self)
        self.setStatusBar(self.status_bar)
        self.menu_actions = WindowActions(self)
        self._connect_actions()
        self.chart.followChanged.connect(self.menu_actions.follow_live.setChecked)
        self.chart.olderHistoryWanted.connect(self._on_older_wanted)

        self.set_theme(settings.theme)
        self.set_volume_visible(settings.volume_visible)
        self.menu_actions.follow_live.setChecked(self.chart.follow_live())
        if settings.geometry is not None:
            self.restoreGeometry(settings.geometry)
        else:
            self.resize(1100, 700)
        if settings.window_state is not None:
            self.restoreState(settings.window_state)

        self._show_series()
        self._remember_series()
        if demo:
            self.use_demo_exchange()
        else:
            self._start_feed(api_url)

    # -- properties ------------------------------------------------------------------------

    @property
    def symbol(self) -> str:
        return self._symbol

    @property
    def timeframe(self) -> str:
        return self._timeframe

    @property
    def demo(self) -> bool:
        """Whether the prices shown come from the local (simulated) exchange."""
        return self.exchange is not None

    # -- the feed --------------------------------------------------------------------------

    def _start_feed(self, api_url: str) -> None:
        controller = FeedController(
            api_url, self._symbol, self._timeframe, config=self._feed_config, parent=self
        )
        controller.candlesChanged.connect(self._on_candles)
        controller.historyLoaded.connect(self._on_history)
        controller.statusChanged.connect(self._on_status)
        controller.errorOccurred.connect(self._on_error)
        controller.metricsUpdated.connect(self._on_metrics)
        controller.olderCandlesLoaded.connect(self._on_older_candles)
        controller.symbolsLoaded.connect(self._on_symbols)
        controller.symbolsFailed.connect(self._on_symbols_failed)
        self.controller = controller
        self._ever_live = False
        self._pairs = []
        log.info("feed from %s: %s %s", api_url, self._symbol, self._timeframe)
        controller.start()

    def _stop_feed(self) -> None:
        """Stop the controller (within 2 s) and hear nothing more from it."""
        controller, self.controller = self.controller, None
        if controller is None:
            return
        for name in _CONTROLLER_SIGNALS:
            getattr(controller, name).disconnect()
        controller.stop()

    def use_demo_exchange(self) -> None:
        """Start the local exchange in-process and show its (simulated) prices, marked so."""
        if self.exchange is not None:
            return
        # Imported here: aiohttp and the market model are not needed unless demo is asked for.
        from kucandle_gui.sim import LocalExchange, SimConfig

        try:
            exchange = LocalExchange(self._demo_config or SimConfig()).start()
        except (OSError, RuntimeError) as exc:
            self._show_banner(f"The demo exchange could not start: {exc}", kind="error")
            return
        self.exchange = exchange
        log.warning("demo mode: simulated prices from the local exchange at %s", exchange.base_url)
        self._stop_feed()
        self.banner.clear()
        self.status_bar.clear_message()  # the real exchange's errors are not the demo's
        self._show_series()
        self._start_feed(exchange.base_url)

    # -- what the controller reports ---------------------------------------------------------

    def _is_current(self, symbol: str, timeframe: str) -> bool:
        return (symbol, timeframe) == (self._symbol, self._timeframe)

    def _on_candles(self, symbol: str, timeframe: str, candles: list[Candle]) -> None:
        if self._is_current(symbol, timeframe):
            self.chart.apply_many(candles)

    def _on_history(self, symbol: str, timeframe: str, rows: int, backfill: bool) -> None:
        if not self._is_current(symbol, timeframe):
            return
        self.chart.set_loading(None)
        if backfill:
            self.status_bar.show_note(f"backfilled {rows} candles after reconnecting")
        elif rows == 0:
            self.status_bar.show_note(f"no recent trades of {symbol}; waiting for the first")

    def _on_status(self, event: StatusEvent) -> None:
        self.status_bar.set_status(event)
        if event.state is ConnectionState.LIVE:
            self._ever_live = True
            self.banner.clear("connection")

    def _on_metrics(self, metrics: FeedMetrics) -> None:
        self.status_bar.set_metrics(metrics)

    def _on_error(self, event: ErrorEvent) -> None:
        self.status_bar.show_error(event.message)
        if event.kind is ErrorKind.REQUEST:
            # A failed request for older history is answered by nothing else.
            self._older_asked = None
        if event.subscription_dropped:
            if event.symbol and event.timeframe and self._is_current(event.symbol, event.timeframe):
                self._on_series_refused(event)
        elif event.kind is ErrorKind.UNREACHABLE:
            self._connection_failed(event.message)
        else:
            says_what_next = any(w in event.message for w in ("retrying", "reconnecting"))
            text = event.message if says_what_next else f"{event.message}; the feed carries on"
            self._show_banner(text, kind="error")

    def _on_symbols_failed(self, message: str) -> None:
        self.status_bar.show_error(message)
        if self.pair_dialog is not None:
            self.pair_dialog.set_load_failed(message)

    def _on_series_refused(self, event: ErrorEvent) -> None:
        """The exchange will not serve the current series: say so, offer the way back."""
        self.chart.set_loading(f"{self._symbol} {self._timeframe} is not available")
        self.settings.remove_recent(self._symbol)
        self._update_pair_menu()
        action = None
        if self._previous is not None:
            back = self._previous
            action = (f"Back to {back[0]} {back[1]}", lambda: self.switch_series(*back))
        self._show_banner(
            f"{event.message}. Choose another pair (Ctrl+P).", kind="pair", action=action
        )

    def _connection_failed(self, message: str) -> None:
        """No connection: say so until the feed is live again; before the exchange was ever
        reached, offer the demo exchange (never switch to simulated prices silently)."""
        url = self.controller.api_url if self.controller else ""
        offer = not self._ever_live and not self.demo
        self._show_banner(
            f"Cannot reach the exchange at {url} ({message}). Retrying automatically; "
            "the status bar counts down to the next try.",
            kind="connection",
            action=("Use demo exchange (simulated prices)", self.use_demo_exchange)
            if offer
            else None,
        )

    def _show_banner(
        self,
        text: str,
        *,
        kind: str,
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        lasting = kind in _LASTING_KINDS
        if not lasting and self.banner.kind in _LASTING_KINDS:
            return  # the status bar shows it; a lasting problem keeps the banner
        self.banner.show_message(
            text,
            kind=kind,
            action=action,
            timeout_ms=None if lasting else TRANSIENT_BANNER_MS,
        )

    def _on_symbols(self, symbols: list[SymbolInfo]) -> None:
        self._pairs = [s.symbol for s in symbols]
        if self.pair_dialog is not None:
            self.pair_dialog.set_pairs(self._pairs)

    def _on_older_wanted(self, oldest: int) -> None:
        if self.controller is None or self._older_asked == oldest:
            return
        self._older_asked = oldest
        self.controller.load_older(oldest, OLDER_PAGE)

    def _on_older_candles(self, symbol: str, timeframe: str, candles: list[Candle]) -> None:
        if not self._is_current(symbol, timeframe):
            return
        if candles:
            self.chart.apply_many(candles)
            self._older_asked = None
        else:
            # Nothing older exists: _older_asked stays, so the same edge is not asked again.
            self.status_bar.show_note(f"no candles of {symbol} {timeframe} before these")

    # -- switching -------------------------------------------------------------------------

    def switch_pair(self, symbol: str) -> None:
        self.switch_series(symbol, self._timeframe)

    def switch_timeframe(self, timeframe: str) -> None:
        self.switch_series(self._symbol, timeframe)

    def switch_series(self, symbol: str, timeframe: str) -> None:
        """Show another pair or timeframe: chart cleared at once, history from the worker."""
        if self._is_current(symbol, timeframe) or self.controller is None:
            self.menu_actions.check_timeframe(self._timeframe)
            return
        try:
            self.controller.switch(symbol, timeframe)
        except ValueError as exc:
            self._show_banner(str(exc), kind="error")
            self.menu_actions.check_timeframe(self._timeframe)
            return
        self._previous = (self._symbol, self._timeframe)
        self._symbol, self._timeframe = symbol, timeframe
        self._older_asked = None
        self.banner.clear("pair")
        self._show_series()
        self._remember_series()

    def _show_series(self) -> None:
        """Point the chart, title, menus and marks at the current series (no candles yet)."""
        self.chart.set_series(self._symbol, self._timeframe, TIMEFRAME_SECONDS[self._timeframe])
        self.chart.set_loading(f"loading {self._symbol} {self._timeframe}…")
        self.chart.set_watermark("SIMULATED" if self.demo else None)
        self.status_bar.set_demo(self.demo)
        self.menu_actions.check_timeframe(self._timeframe)
        title = f"{self._symbol} · {self._timeframe} — kucandle-gui"
        self.setWindowTitle(f"SIMULATED · {title} (demo exchange)" if self.demo else title)

    def _remember_series(self) -> None:
        self.settings.symbol = self._symbol
        self.settings.timeframe = self._timeframe
        self.settings.add_recent(self._symbol)
        self._update_pair_menu()

    def _update_pair_menu(self) -> None:
        self.menu_actions.set_pairs(self.settings.favourites, self.settings.recent, self._symbol)

    def open_pair_dialog(self) -> PairDialog:
        """Ctrl+P: the searchable pair list (loaded in the background the first time)."""
        if self.pair_dialog is not None:
            self.pair_dialog.raise_()
            self.pair_dialog.activateWindow()
            return self.pair_dialog
        dialog = PairDialog(self, current=self._symbol)
        dialog.pairChosen.connect(self.switch_pair)
        dialog.finished.connect(self._pair_dialog_closed)
        if self._pairs:
            dialog.set_pairs(self._pairs)
        elif self.controller is not None:
            self.controller.request_symbols()
        self.pair_dialog = dialog
        dialog.open()
        return dialog

    def _pair_dialog_closed(self) -> None:
        if self.pair_dialog is not None:
            self.pair_dialog.deleteLater()
            self.pair_dialog = None

    def toggle_favourite(self, on: bool) -> None:
        favourites = [p for p in self.settings.favourites if p != self._symbol]
        if on:
            favourites.append(self._symbol)
        self.settings.favourites = favourites
        self._update_pair_menu()

    # -- view ------------------------------------------------------------------------------

    def set_theme(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.chart.set_theme(_CHART_THEMES[theme])
        self.menu_actions.themes[theme].setChecked(True)
        self.settings.theme = theme

    def set_volume_visible(self, on: bool) -> None:
        self.chart.set_volume_visible(on)
        self.menu_actions.volume.setChecked(on)
        self.settings.volume_visible = on

    # -- files -----------------------------------------------------------------------------

    def save_screenshot(self, path: str) -> bool:
        """Save the chart as a PNG at ``path``; the outcome is said in the status bar."""
        if self.chart.save_png(path):
            self.status_bar.show_note(f"screenshot saved to {path}")
            return True
        self._show_banner(f"Could not save the screenshot to {path}", kind="error")
        return False

    def export_csv(self, path: str) -> int:
        """Write the visible candles to ``path``; returns the rows written (-1 on failure)."""
        try:
            rows = self.chart.export_csv(path)
        except OSError as exc:
            self._show_banner(f"Could not export to {path}: {exc.strerror or exc}", kind="error")
            return -1
        self.status_bar.show_note(f"{rows} candles exported to {path}")
        return rows

    def _ask_path(self, title: str, suffix: str, filter_text: str) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{self._symbol}_{self._timeframe}_{stamp}{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path(folder) / name), filter_text)
        return path

    def _save_screenshot_as(self) -> None:
        path = self._ask_path("Save screenshot", ".png", "PNG images (*.png)")
        if path:
            self.save_screenshot(path)

    def _export_csv_as(self) -> None:
        path = self._ask_path("Export visible candles", ".csv", "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    # -- help ------------------------------------------------------------------------------

    def open_log_folder(self) -> bool:
        if self.log_dir is None:
            self.status_bar.show_note("this run does not write a log file")
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_dir)))

    def show_about(self) -> QMessageBox:
        self.about_box = show_about(self, self.log_dir)
        return self.about_box

    # -- wiring and closing ----------------------------------------------------------------

    def _connect_actions(self) -> None:
        a = self.menu_actions
        a.save_screenshot.triggered.connect(self._save_screenshot_as)
        a.export_csv.triggered.connect(self._export_csv_as)
        a.quit.triggered.connect(self.close)
        a.choose_pair.triggered.connect(self.open_pair_dialog)
        a.favourite.triggered.connect(self.toggle_favourite)
        a.pairPicked.connect(self.switch_pair)
        for timeframe, action in a.timeframes.items():
            action.triggered.connect(lambda _c=False, tf=timeframe: self.switch_timeframe(tf))
        a.shorter_timeframe.triggered.connect(lambda: self._step_timeframe(-1))
        a.longer_timeframe.triggered.connect(lambda: self._step_timeframe(1))
        a.follow_live.triggered.connect(self.chart.set_follow_live)
        a.volume.triggered.connect(self.set_volume_visible)
        a.reset_zoom.triggered.connect(self.chart.reset_zoom)
        for theme, action in a.themes.items():
            action.triggered.connect(lambda _c=False, t=theme: self.set_theme(t))
        a.open_log_folder.triggered.connect(self.open_log_folder)
        a.about.triggered.connect(self.show_about)

    def _step_timeframe(self, step: int) -> None:
        timeframe = step_timeframe(self._timeframe, step)
        if timeframe is not None:
            self.switch_timeframe(timeframe)

    def shutdown(self) -> None:
        """Save the settings, stop the feed (within 2 s) and the demo exchange. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.sync()
        self._stop_feed()
        if self.exchange is not None:
            self.exchange.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
