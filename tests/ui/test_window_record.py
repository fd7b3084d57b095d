"""The window recording its feed (``--record``): every source it uses is recorded (the demo
exchange it switches to included), the status bar says so, a recorder that stops is said while
the feed goes on, and a file that cannot be recorded to stops the start (exit 2)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from kucandle_gui import app as app_module
from kucandle_gui.app import build_window, run_gui, start_spec
from kucandle_gui.app_recording import window_recorder, window_run
from kucandle_gui.recording import (
    REDACTED,
    Header,
    ReadReport,
    RestEntry,
    WsEnd,
    WsIn,
    WsOpen,
    WsOut,
    iter_entries,
)
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.replay_wording import RECORDING_BADGE, RECORDING_STOPPED_BADGE
from kucandle_gui.ui.settings import AppSettings
from tests.helpers import fast_feed_config, fast_sim_config

WAIT_MS = 15_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Settings and log file under tmp_path instead of the user's folders."""
    monkeypatch.setattr(app_module, "log_directory", lambda: tmp_path / "logs")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "cfg"))
    yield tmp_path
    QSettings.setDefaultFormat(QSettings.Format.NativeFormat)


@pytest.fixture
def recorded_window(qtbot, settings_path):
    """``open(api_url, path, **build_window_kwargs)``: a window whose feed is recorded to
    ``path`` (its recorder, as ``run_gui`` makes it); windows and recorders closed at the end."""
    opened: list[tuple[MainWindow, object]] = []

    def open_window(api_url: str, path: Path, *, max_mb: float = 200.0, **kwargs: object):
        settings = AppSettings(QSettings(settings_path, QSettings.Format.IniFormat))
        spec, problems = start_spec(settings)
        run = window_run(spec, settings.watchlist, bool(kwargs.get("demo")))
        recorder, news = window_recorder(path, max_mb, run)
        window = build_window(
            api_url,
            settings=settings,
            workspace=spec,
            start_problems=problems,
            feed_config=fast_feed_config(tap=recorder),
            demo_config=fast_sim_config(),
            recording=path,
            **kwargs,  # type: ignore[arg-type]
        )
        news.problem.connect(window.recording_problem)
        qtbot.addWidget(window)
        window.show()
        opened.append((window, recorder))
        return window, recorder

    yield open_window
    for window, recorder in opened:
        window.close()
        recorder.close()  # type: ignore[attr-defined]


def drawn(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.chart.candle_count() > 0 and window.chart.loading_text() is None,
        timeout=WAIT_MS,
    )


def test_every_source_the_window_uses_is_recorded_and_the_status_bar_says_so(
    qtbot, tmp_path, recorded_window
):
    path = tmp_path / "window.kcr"
    port = free_port()  # the exchange the user named is down: the window offers the demo
    window, recorder = recorded_window(f"http://127.0.0.1:{port}", path)
    bar = window.status_bar
    assert bar.recording_label.isVisibleTo(bar)
    assert bar.recording_label.text() == RECORDING_BADGE
    assert str(path) in bar.recording_label.toolTip()
    qtbot.waitUntil(lambda: window.banner.action_button.isVisible(), timeout=WAIT_MS)
    window.banner.action_button.click()  # "Use demo exchange"
    drawn(qtbot, window)
    qtbot.waitUntil(lambda: bar.state_label.text() == "live", timeout=WAIT_MS)
    window.close()  # the feed stops: its end is recorded
    recorder.close()

    report = ReadReport()
    entries = list(iter_entries(path, report))
    assert report.complete and not report.problems
    header = entries[0]
    assert isinstance(header, Header)
    assert header.run.mode == "window" and not header.run.simulated
    assert header.run.series == (("BTC-USDT", "1min"),)
    rest = [e for e in entries if isinstance(e, RestEntry)]
    # The real exchange's refusals, then the demo exchange's answers.
    assert rest[0].status is None and rest[0].failure == "refused"
    bullets = [e for e in rest if e.path == "/api/v1/bullet-public" and e.status == 200]
    assert bullets and all(json.loads(b.body or b"")["data"]["token"] == REDACTED for b in bullets)
    assert any(e.path == "/api/v1/market/candles" and e.status == 200 for e in rest)
    opened = [e for e in entries if isinstance(e, WsOpen)]
    assert opened and all(f"token={REDACTED}" in e.url for e in opened)
    sent = [e.frame for e in entries if isinstance(e, WsOut)]
    assert any("/market/candles:BTC-USDT_1min" in frame for frame in sent)
    assert sum(isinstance(e, WsIn) for e in entries) > 3  # welcome, ack, pushes
    ends = [e for e in entries if isinstance(e, WsEnd)]
    assert ends[-1].planned  # the window stopped it


def test_a_recording_that_stops_is_said_and_the_feed_goes_on(qtbot, tmp_path, recorded_window):
    path = tmp_path / "window.kcr"
    # Parts of a few hundred bytes: the first rotation goes to window.kcr.2, which is taken by
    # then, as a full disk would refuse it.
    window, recorder = recorded_window("http://127.0.0.1:9", path, max_mb=0.0005, demo=True)
    (tmp_path / "window.kcr.2").mkdir()
    bar = window.status_bar
    qtbot.waitUntil(lambda: bar.recording_label.text() == RECORDING_STOPPED_BADGE, timeout=WAIT_MS)
    assert recorder.failed is not None
    assert bar.message_label.text().startswith(f"the recording to {path} stopped:")
    assert "the feed goes on" in bar.message_label.text()
    drawn(qtbot, window)
    controller = window.controller
    assert controller is not None
    pushes = controller.metrics().messages
    qtbot.waitUntil(lambda: controller.metrics().messages > pushes, timeout=WAIT_MS)


def test_a_file_that_cannot_be_recorded_to_stops_the_start(qapp, isolated, capsys):
    taken = isolated / "taken.kcr"
    taken.write_bytes(b"a file of the user's")
    before = set(map(id, qapp.topLevelWidgets()))
    code = run_gui(demo=True, record=taken)
    assert code == 2
    err = capsys.readouterr().err
    assert "--record" in err and str(taken) in err
    assert taken.read_bytes() == b"a file of the user's"
    made = [w for w in qapp.topLevelWidgets() if id(w) not in before]
    assert not [w for w in made if isinstance(w, MainWindow)]  # no window was made
