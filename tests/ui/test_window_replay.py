"""The window replaying a recording (``--replay``): the recording's series and pairs shown as
recorded, marked REPLAY everywhere, steered from the replay bar; damaged and unreadable
recordings said in words; and the user's saved settings never touched.

The recording is made once, as the app makes one: the feed against the local exchange, its
recorder in the feed's tap.
"""

from __future__ import annotations

import gzip
import os
import signal
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from kucandle_gui.app import build_window, start_spec
from kucandle_gui.app_recording import replay_settings, replay_workspace
from kucandle_gui.feed import ErrorEvent, ErrorKind, FeedClient, RestClient
from kucandle_gui.model import LayoutKind, SeriesKey, WorkspaceSpec
from kucandle_gui.recording import Header, Recorder, RunInfo
from kucandle_gui.replay import ReplayOptions
from kucandle_gui.sim import LocalExchange
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.replay_wording import REPLAY_BADGE, WATCHLIST_REPLAY
from tests.app_process import AppProcess
from tests.feed.checks import is_live
from tests.helpers import Consumer, EventRecorder, fast_feed_config, fast_sim_config
from tests.ui.window_kit import focus, keys

WAIT_MS = 15_000
SERIES = (("ETH-USDT", "1min"), ("BTC-USDT", "5min"))
WATCHED = ("BTC-USDT",)


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> tuple[Path, dict[tuple[str, str], dict]]:
    """A recording of two series and a watched pair (a second or two of a fast local
    exchange), with the exchange's list of pairs (more than the one watched) as the window asks
    for it, and the candles the recorded feed ended with: the exchange falls silent, a last
    (garbage) frame marks the end, and once the feed has said so every frame before it is
    applied."""
    path = tmp_path_factory.mktemp("recorded") / "two.kcr"
    run = RunInfo(series=SERIES, watched=WATCHED, simulated=True, mode="window")
    events = EventRecorder()
    with LocalExchange(fast_sim_config()) as exchange, Recorder(path, run) as recorder:
        feed = FeedClient(
            exchange.base_url,
            [SeriesKey(*series) for series in SERIES],
            config=fast_feed_config(tap=recorder),
            listener=events,
            watched=WATCHED,
        ).start()
        consumer = Consumer(feed)
        pairs = RestClient(exchange.base_url, tap=recorder).symbols()
        assert {info.symbol for info in pairs} > set(WATCHED)
        try:
            events.wait_for(is_live)
            consumer.pump_until(lambda: len(consumer.log) > 200)
            exchange.faults.stall()
            assert exchange.faults.send_raw("the end of the test's recording") == 1
            events.wait_for(lambda e: isinstance(e, ErrorEvent) and e.kind is ErrorKind.BAD_FRAME)
            while (update := feed.next(timeout=0)) is not None:
                consumer.apply(update)
        finally:
            feed.stop()
    return path, consumer.series


@pytest.fixture
def replay_window(qtbot, tmp_path):
    """``open(path, speed=…)``: a window replaying ``path`` as ``run_gui`` opens one (on a
    settings copy, the recording's series); closed at the end."""
    opened: list[MainWindow] = []

    def open_window(path: Path, speed: float = 1000.0) -> MainWindow:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        user = tmp_path / "user"
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(user))
        settings, header = replay_settings(path, Path(tempfile.mkdtemp(dir=tmp_path)))
        QSettings.setDefaultFormat(QSettings.Format.NativeFormat)
        saved, problems = start_spec(settings)
        spec = replay_workspace(
            saved, header, layout=None, symbols=(), timeframes=(), indicators=(),
            watchlist=settings.watchlist,
        )  # fmt: skip
        window = build_window(
            "http://127.0.0.1:9",
            settings=settings,
            workspace=spec,
            start_problems=problems,
            feed_config=fast_feed_config(),
            replay=ReplayOptions(path, speed=speed),
        )
        qtbot.addWidget(window)
        window.show()
        opened.append(window)
        return window

    yield open_window
    for window in opened:
        window.close()


def candles(window: MainWindow, index: int) -> dict:
    return {c.time: c for c in window.grid.cells[index].model.series.candles.candles()}


def test_the_recording_plays_in_its_charts_as_recorded_and_marked_replay(
    qtbot, recording, replay_window
):
    path, recorded = recording
    window = replay_window(path)
    assert keys(window) == list(SERIES)
    assert window.workspace.layout is LayoutKind.SIDE_BY_SIDE
    bar = window.replay.bar
    assert bar is not None and bar.isVisible()
    qtbot.waitUntil(lambda: bar.state_label.text() == "finished", timeout=WAIT_MS)
    assert not bar.polling
    assert bar.time_label.text().endswith(" UTC") and bar.played_label.text() == "100 %"
    for index, series in enumerate(SERIES):
        qtbot.waitUntil(
            lambda i=index, s=series: candles(window, i) == recorded[s], timeout=WAIT_MS
        )
        assert window.grid.cells[index].chart.watermark_text() == "REPLAY"
    status = window.status_bar
    assert status.demo_label.isVisibleTo(status) and status.demo_label.text() == REPLAY_BADGE[0]
    assert window.monitor.watchlist.symbols == WATCHED
    assert window.watchlist_panel.demo_label.text() == WATCHLIST_REPLAY
    assert window.monitor.alerts.simulated  # the demo's alerts: never saved


def test_the_watchlist_keeps_the_recordings_pairs_when_the_recorded_pair_list_comes(
    qtbot, recording, replay_window
):
    path, _ = recording
    window = replay_window(path)
    keeper = window.watchlist_keeper
    qtbot.waitUntil(lambda: keeper.listed() is not None, timeout=WAIT_MS)
    listed = keeper.listed()
    assert listed is not None and listed > set(WATCHED)  # the exchange's, as recorded
    assert window.monitor.watchlist.symbols == WATCHED  # not the demo's "all listed pairs"
    state = window.status_bar.state_label
    qtbot.waitUntil(lambda: state.text() == "replaying", timeout=WAIT_MS)  # not "live"


def test_space_pauses_the_replay_and_ctrl_period_makes_it_faster(qtbot, recording, replay_window):
    path, _ = recording
    window = replay_window(path, speed=1.0)
    bar = window.replay.bar
    assert bar is not None
    qtbot.waitUntil(lambda: bar.pause_action.isEnabled(), timeout=WAIT_MS)
    exchange = window.replay.runner.exchange
    assert exchange is not None
    focus(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert exchange.paused and not bar.polling and bar.state_label.text() == "paused"
    qtbot.keyClick(window, Qt.Key.Key_Period, Qt.KeyboardModifier.ControlModifier)
    assert exchange.speed == 2.0
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not exchange.paused and bar.polling


def test_a_damaged_recording_is_said_and_what_it_holds_plays(qtbot, recording, replay_window):
    path, _ = recording
    data = gzip.decompress(path.read_bytes())
    cut = path.parent / "cut.kcr"
    cut.write_bytes(gzip.compress(data[: len(data) * 2 // 3]))  # a run killed mid-line
    window = replay_window(cut)
    bar = window.replay.bar
    assert bar is not None
    qtbot.waitUntil(lambda: bar.damage_label.isVisible(), timeout=WAIT_MS)
    assert "cut.kcr" in bar.damage_label.toolTip()  # the reader's words, each problem
    message = window.status_bar.message_label.text()
    assert message.startswith("cut.kcr is damaged: ") and "what can be replayed plays" in message
    qtbot.waitUntil(lambda: window.grid.cells[0].chart.candle_count() > 0, timeout=WAIT_MS)


def test_a_file_that_is_no_recording_is_said_and_the_demo_exchange_offered(
    qtbot, tmp_path, replay_window
):
    path = tmp_path / "notes.kcr"
    path.write_text("my notes, not a recording\n")
    window = replay_window(path)
    qtbot.waitUntil(lambda: window.banner.text() != "", timeout=WAIT_MS)
    assert window.banner.text().startswith(
        "Cannot replay notes.kcr: " + f"{path} is not a kucandle-gui recording"
    )
    assert window.replay.bar is not None
    assert window.replay.bar.state_label.text() == "not replayed"
    window.banner.action_button.click()  # "Use demo exchange (simulated prices)"
    qtbot.waitUntil(lambda: window.chart.candle_count() > 0, timeout=WAIT_MS)
    assert (window.monitor.simulated, window.monitor.replay) == (True, False)
    assert window.chart.watermark_text() == "SIMULATED"
    assert not window.replay.bar.isVisible()
    assert window.status_bar.demo_label.text() == "DEMO · simulated prices"


def test_a_replay_changes_nothing_the_user_saved(tmp_path, recording):
    """Run as a user runs it (``--replay FILE``), played to the end, then closed (SIGTERM, as
    the window's close does): the user's settings file is as it was, the copy is gone."""
    path, _ = recording
    home, temporary = tmp_path / "home", tmp_path / "tmp"
    temporary.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "TMPDIR": str(temporary),
        "QT_QPA_PLATFORM": "offscreen",
    }
    saved = home / "config" / "kucandle" / "kucandle-gui.conf"
    saved.parent.mkdir(parents=True)
    saved.write_text("[General]\nwatchlist=SOL-USDT, XRP-USDT\n\n[view]\ntheme=light\n")
    before = saved.read_bytes()
    with AppProcess(
        "--replay", str(path), "--speed", "1000", "--log-level", "INFO", env=env
    ) as run:
        run.stderr_line(lambda line: f"replay of {path} finished" in line)
        assert [p.name for p in temporary.iterdir()] != []  # the copy, while it runs
        code, _ = run.finish(signal.SIGTERM)
    assert code == 0
    assert saved.read_bytes() == before
    assert [p for p in (home / "config").rglob("*") if p.is_file()] == [saved]  # nor another
    assert list(temporary.iterdir()) == []  # the copy is gone


def test_the_recordings_series_open_unless_the_command_line_names_others():
    saved = WorkspaceSpec.single("BTC-USDT", "1hour")
    run = RunInfo(series=tuple((f"P{n}-USDT", "5min") for n in range(6)), mode="headless")
    header = Header(1, "0" * 32, 1, "0.1.0", 0.0, 0.0, run)

    def opened(**flags: object) -> list[tuple[str, str]]:
        chosen = {"layout": None, "symbols": (), "timeframes": (), "indicators": (), **flags}
        spec = replay_workspace(saved, header, watchlist=[], **chosen)  # type: ignore[arg-type]
        return [tuple(cell.key) for cell in spec.cells[: spec.layout.cells]]

    # The first four the recording showed, in a grid.
    assert opened() == [(f"P{n}-USDT", "5min") for n in range(4)]
    # One pair named: the active chart's; a layout named: its cells.
    assert opened(symbols=("ETH-USDT",))[0] == ("ETH-USDT", "5min")
    assert opened(layout=LayoutKind.SINGLE) == [("P0-USDT", "5min")]
    # A recording whose header cannot be read: the saved charts.
    assert (
        replay_workspace(
            saved, None, layout=None, symbols=(), timeframes=(), indicators=(), watchlist=[]
        )
        == saved
    )
