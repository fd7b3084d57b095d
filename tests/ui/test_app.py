"""Start-up: flags checked, the app named, a log file written, the window run and closed."""

from __future__ import annotations

import logging
import os
import signal
import threading

import pytest
from PySide6.QtCore import QSettings, QTimer, qWarning
from PySide6.QtWidgets import QApplication

from kucandle_gui import app as app_module
from kucandle_gui.app import (
    EXIT_BAD_INPUT,
    LOG_FILE,
    close_on_signals,
    create_application,
    file_logging,
    run_gui,
)
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


def test_bad_flags_exit_2_with_what_is_valid(capsys):
    assert run_gui(symbol="BTCUSDT") == EXIT_BAD_INPUT
    assert "expected BASE-QUOTE" in capsys.readouterr().err
    assert run_gui(timeframe="2min") == EXIT_BAD_INPUT
    assert "1min, 3min" in capsys.readouterr().err


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


def test_sigint_closes_instead_of_killing(qtbot):
    closed: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    with close_on_signals(lambda: closed.append(1)):
        os.kill(os.getpid(), signal.SIGINT)
        qtbot.waitUntil(lambda: closed == [1], timeout=2000)
    assert signal.getsignal(signal.SIGINT) is previous


def test_run_gui_demo_shows_the_window_and_closing_ends_it_cleanly(qapp, isolated):
    seen: list[str] = []

    def close_window() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                seen.append(widget.windowTitle())
                widget.menu_actions.quit.trigger()

    QTimer.singleShot(0, close_window)
    assert run_gui(symbol="ETH-USDT", timeframe="5min", demo=True) == 0
    assert seen == ["SIMULATED · ETH-USDT · 5min — kucandle-gui (demo exchange)"]
    assert not [t.name for t in threading.enumerate() if t.name.startswith("kucandle-feed")]
    log_text = (isolated / "logs" / LOG_FILE).read_text()
    assert "starting" in log_text
    assert "demo mode" in log_text
    saved = QSettings()
    assert saved.value("series/symbol") == "ETH-USDT"
    assert saved.value("series/timeframe") == "5min"
