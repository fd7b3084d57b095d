"""Start-up: flags checked, the app named, a log file written, the window run (with the
charts asked for) and closed."""

from __future__ import annotations

import logging
import sys
import threading

import pytest
from PySide6.QtCore import QSettings, QTimer, qWarning
from PySide6.QtWidgets import QApplication

from kucandle_gui import app as app_module
from kucandle_gui.app import (
    LOG_FILE,
    close_on_stop,
    create_application,
    file_logging,
    run_gui,
)
from kucandle_gui.model import LayoutKind
from kucandle_gui.stopping import StopRequest
from kucandle_gui.ui.main_window import MainWindow


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Settings and log file under tmp_path instead of the user's folders."""
    monkeypatch.setattr(app_module, "log_directory", lambda: tmp_path / "logs")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "cfg"))
    yield tmp_path
    QSettings.setDefaultFormat(QSettings.Format.NativeFormat)


@pytest.fixture
def stderr_handler():
    """A console handler as ``cli.py``'s ``basicConfig`` leaves it (level NOTSET)."""
    root = logging.getLogger()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    level = root.level
    root.setLevel(logging.WARNING)
    root.addHandler(handler)
    yield records
    root.removeHandler(handler)
    root.setLevel(level)


def test_application_is_named_and_has_its_icon(qapp):
    app = create_application()
    assert app is qapp
    assert (app.organizationName(), app.applicationName()) == ("kucandle", "kucandle-gui")
    assert not app.windowIcon().isNull()


def test_file_log_gets_info_and_qt_warnings_console_keeps_its_level(tmp_path, stderr_handler):
    log = logging.getLogger("kucandle_gui.test")
    with file_logging(tmp_path / "logs") as folder:
        assert folder == tmp_path / "logs"
        log.info("an info line")
        log.warning("a warning line")
        qWarning("a warning from Qt")
    text = (tmp_path / "logs" / LOG_FILE).read_text()
    assert "an info line" in text
    assert "a warning line" in text
    assert "a warning from Qt" in text
    # The console (level NOTSET before) still shows warnings only.
    assert [r.getMessage() for r in stderr_handler if r.name == log.name] == ["a warning line"]
    # Afterwards the root logger is as it was.
    assert logging.getLogger().level == logging.WARNING
    log.warning("after")
    assert "after" not in (tmp_path / "logs" / LOG_FILE).read_text()


def test_unwritable_log_folder_is_no_reason_not_to_start(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with file_logging(blocker / "logs") as folder:
        assert folder is None


def test_log_lines_never_show_url_credentials(tmp_path, stderr_handler):
    log = logging.getLogger("kucandle_gui.test")
    with file_logging(tmp_path / "logs"):
        log.warning("cannot reach %s", "https://alice:hunter2@api.example.com/x")
        try:
            raise OSError("POST http://bob:s3cret@host:8080/api failed")
        except OSError:
            log.exception("failed")
    text = (tmp_path / "logs" / LOG_FILE).read_text()
    assert "https://***@api.example.com/x" in text
    assert "http://***@host:8080/api failed" in text  # the traceback too
    assert "hunter2" not in text and "s3cret" not in text


def test_an_uncaught_error_is_logged_without_credentials_and_not_printed_again(
    tmp_path, capfd, stderr_handler, monkeypatch
):
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)  # as the app starts (not pytest-qt)
    with file_logging(tmp_path / "logs"):
        try:
            raise RuntimeError("GET https://alice:hunter2@host/x failed")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)  # as Qt does for a slot's error
    text = (tmp_path / "logs" / LOG_FILE).read_text()
    assert "uncaught exception" in text and "GET https://***@host/x failed" in text
    assert "hunter2" not in text and "hunter2" not in capfd.readouterr().err
    assert [r.getMessage() for r in stderr_handler] == ["uncaught exception"]


def test_a_full_disk_neither_raises_nor_floods_stderr(tmp_path, capfd, stderr_handler):
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / LOG_FILE).symlink_to("/dev/full")  # every write fails with ENOSPC
    log = logging.getLogger("kucandle_gui.test")
    with file_logging(folder) as opened:
        assert opened == folder
        for n in range(1000):
            log.info("line %d of a log that cannot be written", n)
        qWarning("a warning from Qt")
    # Leaving the context closed the handler: no exception, one line said on stderr.
    complaints = [line for line in capfd.readouterr().err.splitlines() if line]
    assert len(complaints) == 1
    assert "cannot write the log" in complaints[0] and "No space left" in complaints[0]


def test_a_stop_request_calls_close_through_the_loop(qtbot):
    stop = StopRequest()
    closed: list[int] = []
    with close_on_stop(stop, lambda: closed.append(1)):
        stop.request()
        qtbot.waitUntil(lambda: closed == [1], timeout=2000)
    assert closed == [1]  # once: the timer stopped


def test_a_stop_before_the_window_exists_ends_the_run_at_once(qapp, isolated):
    stop = StopRequest()
    stop.request()
    assert run_gui(symbols=["ETH-USDT"], demo=True, stop=stop) == 0
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    assert QSettings().value("series/symbol") is None  # nothing was started, nothing saved


def test_a_stop_while_the_window_runs_closes_it_as_the_user_would(qapp, isolated):
    stop = StopRequest()
    QTimer.singleShot(0, stop.request)
    assert run_gui(symbols=["ETH-USDT"], timeframes=["5min"], demo=True, stop=stop) == 0
    assert not [t.name for t in threading.enumerate() if t.name.startswith("kucandle-feed")]
    saved = QSettings()
    assert saved.value("series/symbol") == "ETH-USDT"
    assert saved.value("window/geometry") is not None  # written by the window's shutdown
    assert saved.value("window/watchlist_header") is not None  # the watchlist's columns


def test_run_gui_demo_shows_the_window_and_closing_ends_it_cleanly(qapp, isolated):
    seen: list[str] = []

    def close_window() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                seen.append(widget.windowTitle())
                widget.menu_actions.quit.trigger()

    QTimer.singleShot(0, close_window)
    assert run_gui(symbols=["ETH-USDT"], timeframes=["5min"], demo=True) == 0
    assert seen == ["SIMULATED · ETH-USDT · 5min — kucandle-gui (demo exchange)"]
    assert not [t.name for t in threading.enumerate() if t.name.startswith("kucandle-feed")]
    log_text = (isolated / "logs" / LOG_FILE).read_text()
    assert "starting" in log_text
    assert "demo mode" in log_text
    saved = QSettings()
    assert saved.value("series/symbol") == "ETH-USDT"
    assert saved.value("series/timeframe") == "5min"


def test_run_gui_opens_the_layout_asked_for_and_keeps_it(qapp, isolated):
    """``--layout 2x2 --symbol A,B,C,D --timeframe 5min``: four cells, one timeframe for all;
    the next run without flags opens them as they were."""
    pairs = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"]
    seen: list[list[tuple[str, str]]] = []

    def close_window() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                seen.append([tuple(cell.model.key) for cell in widget.grid.cells])
                widget.menu_actions.quit.trigger()

    QTimer.singleShot(0, close_window)
    code = run_gui(layout=LayoutKind.GRID, symbols=pairs, timeframes=["5min"], demo=True)
    assert code == 0
    QTimer.singleShot(0, close_window)
    assert run_gui(demo=True) == 0
    assert seen == [[(pair, "5min") for pair in pairs]] * 2
