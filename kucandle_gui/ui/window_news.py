"""What the feed link and the model report, said where the user looks: the status bar, and the
banner above the charts with what the app is doing about it.

Kept apart from the window's wiring (``main_window``): problems are said here, in the status
bar and the banner; a modal dialog would stop the charts behind it. The window asks for the
way out a banner offers (back to the previous series, the demo exchange) through the callables
it hands over.

With several charts: notes about history (backfilled, no trades, nothing older) are the active
chart's, as the status bar's subscription is; a series refused in ANY shown chart gets the
banner (the chart itself says "not available"), whose "Back to …" (named after the active
chart's way back when it shows the series) switches every chart showing it back, and the
banner goes once no chart shows a refused series any more.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from kucandle_gui.feed import ConnectionState, ErrorEvent, ErrorKind, StatusEvent
from kucandle_gui.model import ChartModel, MonitorModel, SeriesKey, Workspace
from kucandle_gui.worker import DemoExchange, FeedLink

from .banner import MessageBanner
from .settings import AppSettings
from .status_bar import FeedStatusBar
from .wording import (
    BannerKind,
    backfill_note,
    banner_kind,
    banner_text,
    demo_failed_text,
    error_detail,
    error_line,
    no_older_note,
    no_trades_note,
)

#: How long a passing error stays in the banner (it stays in the status bar and the log).
TRANSIENT_BANNER_MS = 20_000


class WindowNews(QObject):
    """Says what the link and the model report for one window; see the module docstring."""

    def __init__(
        self,
        parent: QObject,
        monitor: MonitorModel,
        workspace: Workspace,
        link: FeedLink,
        demo_exchange: DemoExchange,
        settings: AppSettings,
        status_bar: FeedStatusBar,
        banner: MessageBanner,
        *,
        switch_series: Callable[[ChartModel, str, str], None],
        use_demo: Callable[[], None],
        refused: Callable[[], None],
    ) -> None:
        """``switch_series``: show a series in a chart's cell; ``refused``: a shown series was
        refused (the Pair menu is to be rebuilt, the layout saved)."""
        super().__init__(parent)
        self._monitor = monitor
        self._workspace = workspace
        self._link = link
        self._settings = settings
        self._status_bar = status_bar
        self.banner = banner
        self._switch_series = switch_series
        self._use_demo = use_demo
        self._refused = refused
        self._ever_live = False
        workspace.cells_changed.connect(self.series_switched)
        monitor.no_older.connect(self._no_older)
        demo_exchange.failed.connect(self._demo_failed)
        link.historyLoaded.connect(self._on_history)
        link.statusChanged.connect(self._on_status)
        link.errorOccurred.connect(self._on_error)
        link.metricsUpdated.connect(status_bar.set_metrics)

    def source_changed(self, *, clear_message: bool = True) -> None:
        """Prices come from another exchange: its predecessor's news is out of date.
        ``clear_message`` False: the status bar's message is no feed's news (the switch to the
        demo exchange at start leaves what the saved settings' problems said)."""
        self._ever_live = False
        self.banner.clear()
        if clear_message:
            self._status_bar.clear_message()

    def series_switched(self, *_: object) -> None:
        """A chart shows another series, or a layout shows other charts: the refusal banner
        goes once no chart shows a refused series."""
        if not any(chart.series.refused for chart in self._workspace.cells):
            self.banner.clear(BannerKind.PAIR)

    def close(self) -> None:
        """The window closes: nothing left on the workspace."""
        self._workspace.cells_changed.disconnect(self.series_switched)

    def _is_current(self, symbol: str, timeframe: str) -> bool:
        return (symbol, timeframe) == self._workspace.active.key

    def _on_history(self, symbol: str, timeframe: str, rows: int, backfill: bool) -> None:
        if not self._is_current(symbol, timeframe):
            return
        if backfill:
            self._status_bar.show_note(backfill_note(rows))
        elif rows == 0:
            self._status_bar.show_note(no_trades_note(symbol))

    def _no_older(self, key: SeriesKey) -> None:
        if key == self._workspace.active.key:
            self._status_bar.show_note(no_older_note(key))

    def _on_status(self, event: StatusEvent) -> None:
        self._status_bar.set_status(event)
        if event.state is ConnectionState.LIVE:
            self._ever_live = True
            self.banner.clear(BannerKind.CONNECTION)

    def _on_error(self, event: ErrorEvent) -> None:
        self._status_bar.show_error(error_line(event, self._link.api_url), error_detail(event))
        if event.kind is ErrorKind.TICKER:
            return  # first values given up: the rows fill from pushes; no banner over the chart's
        kind = banner_kind(event)
        if kind is BannerKind.PAIR:
            if event.symbol and event.timeframe:
                self._on_series_refused(event, SeriesKey(event.symbol, event.timeframe))
        elif kind is BannerKind.CONNECTION:
            self._connection_failed(event)
        else:
            self.show_banner(banner_text(event, self._link.api_url), kind=kind)

    def _on_series_refused(self, event: ErrorEvent, key: SeriesKey) -> None:
        """The exchange will not serve a shown series (another held one, an alert's, is not
        shown: the alerts say so): say so, offer the way back for its charts (named after the
        active one's, else the first's), and neither offer the pair again nor open it at the
        next start."""
        showing = [chart for chart in self._workspace.cells if chart.key == key]
        if not showing:
            return
        self._settings.series_refused(key.symbol, key.timeframe)
        self._refused()
        active = self._workspace.active
        back = (active if active in showing else showing[0]).previous
        action = None
        if back is not None:
            action = (f"Back to {back}", lambda: self._go_back(showing, key))
        self.show_banner(
            banner_text(event, self._link.api_url), kind=BannerKind.PAIR, action=action
        )

    def _go_back(self, charts: list[ChartModel], key: SeriesKey) -> None:
        """ "Back to …": every chart still showing the refused series goes back to what it
        showed before (two charts may have been switched to the same refused pair)."""
        for chart in charts:
            if chart.key == key and chart.previous is not None:
                self._switch_series(chart, *chart.previous)

    def _connection_failed(self, event: ErrorEvent) -> None:
        """No connection: say so until the feed is live again; before the exchange was ever
        reached, offer the demo exchange (never switch to simulated prices silently)."""
        offer = not self._ever_live and not self._monitor.simulated
        self.show_banner(
            banner_text(event, self._link.api_url),
            kind=BannerKind.CONNECTION,
            action=("Use demo exchange (simulated prices)", self._use_demo) if offer else None,
        )

    def _demo_failed(self, reason: str) -> None:
        self.show_banner(demo_failed_text(reason), kind=BannerKind.ERROR)
        if self._link.real_url:  # back to the exchange the user chose
            self._link.start(self._link.real_url)

    def show_banner(
        self,
        text: str,
        *,
        kind: BannerKind,
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        if not kind.lasting and self.banner.kind is not None and self.banner.kind.lasting:
            return  # the status bar shows it; a lasting problem keeps the banner
        self.banner.show_message(
            text,
            kind=kind,
            action=action,
            timeout_ms=None if kind.lasting else TRANSIENT_BANNER_MS,
        )
