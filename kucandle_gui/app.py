"""Desktop start-up: the QApplication, a rotating log file, saved settings, the window.

``run_gui`` is what ``kucandle-gui`` (without ``--headless``) runs. Command-line flags win over
saved settings: the charts shown are the saved workspace changed as the command line asks
(:func:`~kucandle_gui.model.workspace_start.start_workspace`). This module is the composition
root: :func:`assemble_workspace` builds the parts every front end shares (the model, the
workspace of its charts, the feed link; :func:`assemble` for one chart), :func:`build_window`
hands them to the window with the demo exchange, and the self-test and the benchmarks assemble
the same way. The log goes to ``<app data>/logs/kucandle-gui.log`` (5 files of 1 MB), which
Help → Open log folder opens: a user reporting a problem can attach it. Errors raised in Qt
slots and Qt's own warnings go there too, not only to a console the user may not have. Writing
the log can never crash the app nor change its exit code, and no line of it shows the
credentials of a URL (see :mod:`kucandle_gui.logs`).

``--record FILE`` records the feed of every source the window uses (a switch to the demo
exchange included) until it closes; ``--replay FILE`` shows a recording played back, on a copy
of the saved settings removed at exit (:mod:`kucandle_gui.app_recording`).
"""

from __future__ import annotations

import gc
import logging
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QMessageLogContext,
    QStandardPaths,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from kucandle_gui import __version__, resources_dir
from kucandle_gui.cli_recording import DEFAULT_RECORD_MAX_MB
from kucandle_gui.feed import DEFAULT_API_URL, FeedConfig
from kucandle_gui.logs import RedactingFormatter, SafeRotatingFileHandler
from kucandle_gui.model import ChartModel, LayoutKind, MonitorModel, Workspace, WorkspaceSpec
from kucandle_gui.model.indicators import IndicatorSpec
from kucandle_gui.model.workspace_start import start_workspace
from kucandle_gui.stopping import StopRequest
from kucandle_gui.ui.layout_store import LayoutStore
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.settings import APPLICATION, ORGANISATION, AppSettings
from kucandle_gui.worker import DemoExchange, FeedLink
from kucandle_gui.worker.replay import ReplayRunner

if TYPE_CHECKING:
    from kucandle_gui.replay import ReplayOptions
    from kucandle_gui.sim import SimConfig

log = logging.getLogger(__name__)

LOG_FILE = "kucandle-gui.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5
#: How often the stop request is looked at while Qt's loop runs (Python runs its signal
#: handlers only when it gets control, which this timer also gives it).
SIGNAL_POLL_MS = 200

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


@dataclass(frozen=True)
class MonitorParts:
    """What every front end of the monitor is built from (window, self-test, benchmarks)."""

    monitor: MonitorModel
    #: The first chart's model (the only one of :func:`assemble`).
    chart: ChartModel
    link: FeedLink
    #: Every chart shown, one of them active (the window's cells).
    workspace: Workspace


def assemble(symbol: str, timeframe: str, config: FeedConfig | None = None) -> MonitorParts:
    """The model showing ``symbol`` ``timeframe`` in one chart and an unstarted link to feed it
    (``link.start(url)``). Raises ``ValueError`` naming what is valid."""
    return assemble_workspace(WorkspaceSpec.single(symbol, timeframe), config)


def assemble_workspace(spec: WorkspaceSpec, config: FeedConfig | None = None) -> MonitorParts:
    """The model showing ``spec``'s charts and an unstarted link to feed them all (one
    connection; a series two charts show is held, subscribed and loaded once)."""
    config = config or FeedConfig()
    # The model keeps what the feed keeps, no more: memory stays bounded on a week-long run.
    monitor = MonitorModel(max_candles=config.max_candles)
    workspace = Workspace(monitor, spec)
    return MonitorParts(monitor, workspace.cells[0], FeedLink(monitor, config), workspace)


def start_spec(
    settings: AppSettings,
    *,
    layout: LayoutKind | None = None,
    symbols: Sequence[str] = (),
    timeframes: Sequence[str] = (),
    indicators: Sequence[IndicatorSpec] = (),
) -> tuple[WorkspaceSpec, list[tuple[str, list[str]]]]:
    """The charts to open: the saved workspace changed as the command line asks, and what
    could not be read of what was saved, by store (the layout, or the indicators an earlier
    version saved when migrating from it). ``ValueError`` when the counts do not fit."""
    store = LayoutStore(settings)
    saved, problems = store.load()
    # Nothing saved yet: the store migrated an earlier version's one chart and its studies.
    name = "indicators" if store.migrated else "layout"
    spec = start_workspace(
        saved,
        layout=layout,
        symbols=symbols,
        timeframes=timeframes,
        indicators=indicators,
        watchlist=settings.watchlist,
    )
    return spec, [(name, problems)]


def build_window(
    api_url: str,
    symbol: str | None = None,
    timeframe: str | None = None,
    *,
    settings: AppSettings,
    workspace: WorkspaceSpec | None = None,
    start_problems: Sequence[tuple[str, Sequence[str]]] = (),
    feed_config: FeedConfig | None = None,
    demo: bool = False,
    demo_config: SimConfig | None = None,
    log_dir: Path | None = None,
    indicators: Sequence[IndicatorSpec] = (),
    replay: ReplayOptions | None = None,
    recording: Path | None = None,
) -> MainWindow:
    """The window on its parts, its feed started (or the demo exchange, or the replay of
    ``replay``, starting off the UI thread: prices arrive once it listens).

    ``workspace`` None: the saved one, ``symbol``/``timeframe`` (when given) shown in its
    active chart and ``indicators`` (the command line's) added to every chart shown, as
    :func:`start_spec` does. Given: opened as it is, ``start_problems`` being what
    :func:`start_spec` said of the saved settings. ``recording``: where ``feed_config``'s tap
    records (the status bar says so)."""
    if workspace is None:
        workspace, start_problems = start_spec(
            settings,
            symbols=(symbol,) if symbol else (),
            timeframes=(timeframe,) if timeframe else (),
            indicators=indicators,
        )
    parts = assemble_workspace(workspace, feed_config)
    demo_exchange = DemoExchange(demo_config)
    demo_exchange.ready.connect(parts.link.start_simulated)
    runner = None
    if replay is not None:
        # The window keeps what was played when the recording ends: the user looks at it.
        runner = ReplayRunner(replace(replay, close_at_end=False))
        runner.ready.connect(parts.link.start_replay)
    window = MainWindow(
        parts.monitor,
        parts.workspace,
        parts.link,
        demo_exchange,
        settings=settings,
        layout_store=LayoutStore(settings),
        log_dir=log_dir,
        start_problems=start_problems,
        replay=runner,
        recording=recording,
    )
    if runner is not None:
        parts.monitor.set_source(simulated=True, replay=True)  # REPLAY from the first frame
        runner.start()
    elif demo:
        # Marked from the first frame; what the window said of the saved settings stays (a
        # switch of source before the event loop runs is part of the start).
        parts.monitor.set_source(simulated=True)
        demo_exchange.start()
    else:
        parts.link.start(api_url)
    return window


def log_directory() -> Path:
    """Where the log file goes; needs the application's organisation and name set."""
    location = QStandardPaths.StandardLocation.AppLocalDataLocation
    return Path(QStandardPaths.writableLocation(location)) / "logs"


def create_application() -> QApplication:
    """The QApplication (an existing one is reused), named so QSettings and paths agree."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APPLICATION)
    icon = resources_dir() / "kucandle-gui.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


@contextmanager
def file_logging(log_dir: Path) -> Iterator[Path | None]:
    """Log INFO and up to a rotating file in ``log_dir`` while the context lasts.

    Handlers already there (the command line's stderr) keep the level they had, so the file
    gets more detail without the console getting louder. Yields the folder, or None when it
    cannot be written (the app then runs without a log file; that is no reason not to start).
    """
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = SafeRotatingFileHandler(
            log_dir / LOG_FILE, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        log.warning("no log file in %s: %s", log_dir, exc)
        yield None
        return
    handler.setLevel(logging.INFO)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    level = root.level
    quiet = [h for h in root.handlers if h.level == logging.NOTSET]
    for other in quiet:
        other.setLevel(level)
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO) if level else logging.INFO)
    previous_qt = qInstallMessageHandler(_log_qt_message)
    previous_hook = sys.excepthook
    sys.excepthook = _log_uncaught(previous_hook)
    log.info("kucandle-gui %s starting; log folder %s", __version__, log_dir)
    try:
        yield log_dir
    finally:
        sys.excepthook = previous_hook
        qInstallMessageHandler(previous_qt)
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)
        for other in quiet:
            other.setLevel(logging.NOTSET)


def _log_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def _log_uncaught(
    previous: Callable[[type[BaseException], BaseException, TracebackType | None], object],
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    """An excepthook that logs (an error in a Qt slot lands here), then does what it did.

    Python's own hook is not called: it would print the traceback to stderr a second time,
    the console log having shown it already, and without the log's removal of credentials.
    """

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught exception", exc_info=(kind, exc, tb))
        if previous is not sys.__excepthook__:
            previous(kind, exc, tb)

    return hook


@contextmanager
def close_on_stop(stop: StopRequest, close: Callable[[], object]) -> Iterator[None]:
    """While the context lasts, a stop request (SIGINT/SIGTERM) calls ``close``, the same way
    out as the user's: at the loop's first timer tick if it came during start-up."""
    timer = QTimer()

    def look() -> None:
        if stop.requested:
            timer.stop()
            close()

    timer.timeout.connect(look)
    timer.start(SIGNAL_POLL_MS)
    try:
        yield
    finally:
        timer.stop()


def run_gui(
    *,
    symbols: Sequence[str] = (),
    timeframes: Sequence[str] = (),
    api_url: str = DEFAULT_API_URL,
    demo: bool = False,
    stop: StopRequest | None = None,
    indicators: Sequence[IndicatorSpec] = (),
    layout: LayoutKind | None = None,
    record: Path | None = None,
    record_max_mb: float = DEFAULT_RECORD_MAX_MB,
    replay: ReplayOptions | None = None,
) -> int:
    """Show the window until it is closed or ``stop`` is requested; returns the exit code.

    ``layout``, ``symbols`` and ``timeframes`` change the saved charts as the command line's
    ``--layout``, ``--symbol`` and ``--timeframe`` do (none: as saved last time, one chart of
    BTC-USDT 1min the first time); the command line has checked them.
    ``indicators`` (``--indicator``) are added to every chart shown when missing.
    ``record``: the feed recorded there, in parts of ``record_max_mb`` MiB (exit code 2, said
    on stderr, when it cannot be started). ``replay``: the recording played back instead of
    the exchange (its series shown unless the command line names others), the saved settings
    left as they are.
    """
    stop = stop if stop is not None else StopRequest()
    app = create_application()
    if stop.requested:
        return 0  # no window, no feed yet: nothing to close
    with file_logging(log_directory()) as log_dir, ExitStack() as started:
        if replay is None:
            settings = AppSettings()
            spec, problems = start_spec(
                settings,
                layout=layout,
                symbols=symbols,
                timeframes=timeframes,
                indicators=indicators,
            )
        else:  # what a replay (or a recording, below) needs is imported only for one
            from kucandle_gui.app_recording import replay_settings, replay_workspace

            folder = started.enter_context(tempfile.TemporaryDirectory(prefix="kucandle-"))
            settings, header = replay_settings(replay.path, Path(folder))
            saved, problems = start_spec(settings)
            spec = replay_workspace(
                saved,
                header,
                layout=layout,
                symbols=symbols,
                timeframes=timeframes,
                indicators=indicators,
                watchlist=settings.watchlist,
            )
        config = news = None
        if record is not None:
            from kucandle_gui.app_recording import RecordingError, window_recorder, window_run

            try:
                recorder, news = window_recorder(
                    record, record_max_mb, window_run(spec, settings.watchlist, demo)
                )
            except RecordingError as exc:
                print(f"kucandle-gui: error: argument --record: {exc}", file=sys.stderr)
                return 2
            started.callback(recorder.close)  # after the window's feed stopped
            config = FeedConfig(tap=recorder)
        window = build_window(
            api_url,
            settings=settings,
            workspace=spec,
            start_problems=problems,
            feed_config=config,
            demo=demo,
            log_dir=log_dir,
            replay=replay,
            recording=record,
        )
        if news is not None:
            news.problem.connect(window.recording_problem)
        window.show()
        # What start-up created lives as long as the app: keep it out of the garbage
        # collector's full passes, which otherwise stall the UI thread (BENCHMARKS.md).
        gc.freeze()

        def close() -> None:
            window.close()  # as the user closes it: settings saved, feed stopped
            app.quit()  # the loop ends even with one of the window's dialogs open

        with close_on_stop(stop, close):
            code = app.exec()
        window.shutdown()  # the loop can also end by app.quit(); stop the feed all the same
        log.info("kucandle-gui exiting with %d", code)
        return code
