"""A recording played back in the window (``--replay``): its bar, its marks, what went wrong.

Kept apart from the window's wiring (``main_window``). While the recording is read (off the UI
thread: it can take a while) the replay bar says it is loading; once it plays the bar follows
it, and what reading it found damaged is said in the status bar and marked on the bar (what
can be replayed plays). A recording of which nothing can be replayed is said in the banner,
which offers the demo exchange; the window stays usable. While prices are the recording's,
the status bar, the watchlist and the alerts panel say REPLAY, and the watchlist holds the
recording's pairs (the replay's settings copy holds them), so that the tickers asked for are
those recorded.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow

from kucandle_gui.model import MonitorModel
from kucandle_gui.worker.replay import ReplayRunner

from .alerts.panel import AlertsPanel
from .alerts.texts import SIMULATED_MARK
from .replay_bar import ReplayBar
from .replay_wording import (
    ALERTS_REPLAY,
    WATCHLIST_REPLAY,
    replay_problems_text,
    replay_unreadable_text,
)
from .status_bar import FeedStatusBar
from .watchlist.panel import WatchlistPanel
from .window_news import WindowNews
from .wording import WATCHLIST_SIMULATED, BannerKind


class WindowReplay:
    """The replay of one window (``runner`` None: the window replays nothing); see the module
    docstring."""

    def __init__(
        self,
        window: QMainWindow,
        runner: ReplayRunner | None,
        monitor: MonitorModel,
        status_bar: FeedStatusBar,
        news: WindowNews,
        panels: tuple[WatchlistPanel, AlertsPanel],
        use_demo: Callable[[], None],
    ) -> None:
        """``use_demo``: switch to the demo exchange (the banner's way out)."""
        self.runner = runner
        self._monitor = monitor
        self._status_bar = status_bar
        self._news = news
        self._panels = panels
        self._use_demo = use_demo
        self.bar: ReplayBar | None = None
        if runner is None:
            return
        runner.setParent(window)
        self.bar = bar = ReplayBar(runner.options.path, runner.options.speed, window)
        window.addToolBar(bar)
        runner.ready.connect(self._ready)
        runner.failed.connect(self._failed)
        runner.finished.connect(bar.refresh)

    @property
    def name(self) -> str:
        return self.runner.options.path.name if self.runner is not None else ""

    def source_changed(self) -> None:
        """Prices come from another source: the marks say whether it is the recording (the
        bar goes with it)."""
        replay = self._monitor.replay
        self._status_bar.set_replay(replay)
        watchlist, alerts = self._panels
        watchlist.demo_label.setText(WATCHLIST_REPLAY if replay else WATCHLIST_SIMULATED)
        alerts.demo_label.setText(ALERTS_REPLAY if replay else SIMULATED_MARK)
        if self.bar is not None:
            self.bar.setVisible(replay)

    def stop(self) -> None:
        """The recording is no longer played (the demo exchange takes over, or the window
        closes). Idempotent."""
        if self.bar is not None:
            self.bar.close_bar()
        if self.runner is not None:
            self.runner.stop()

    def _ready(self) -> None:
        runner = self.runner
        exchange = runner.exchange if runner is not None else None
        if exchange is None or self.bar is None or not self._monitor.replay:
            return
        self.bar.attach(exchange)
        said = replay_problems_text(self.name, exchange.report.problems)
        self.bar.set_problems(said[1] if said else None)
        if said is not None:
            self._status_bar.show_error(*said)

    def _failed(self, reason: str) -> None:
        if self.bar is not None:
            self.bar.failed()
        self._news.show_banner(
            replay_unreadable_text(self.name, reason),
            kind=BannerKind.CONNECTION,
            action=("Use demo exchange (simulated prices)", self._use_demo),
        )
