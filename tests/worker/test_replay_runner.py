"""ReplayRunner: a recording read and served off the UI thread, its end and its failures
said as signals on the UI thread (against the real replay exchange on loopback)."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest

from kucandle_gui.feed import FeedConfig
from kucandle_gui.replay import ReplayOptions
from kucandle_gui.worker.replay import REPLAY_ACK_TIMEOUT, ReplayRunner
from tests.replay.recordings import RecordingWriter, push_number
from tests.sim.simclient import WsClient

WAIT_MS = 10_000


def one_session(path: Path) -> Path:
    rec = RecordingWriter()
    rec.connect(1.0, 1)
    rec.push(1.1, 1, 1)
    rec.push(1.2, 1, 2)
    rec.end(1.3, 1)
    return rec.save(path)


@pytest.fixture
def runners():
    made: list[ReplayRunner] = []

    def make(path: Path, **options: object) -> ReplayRunner:
        runner = ReplayRunner(ReplayOptions(path, **options))  # type: ignore[arg-type]
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop()


def test_the_recording_is_served_once_read_and_its_end_is_said(qtbot, tmp_path, runners):
    runner = runners(one_session(tmp_path / "run.kcr"), speed=1000.0)
    on_ui_thread: list[bool] = []
    runner.ready.connect(lambda _url: on_ui_thread.append(threading.current_thread() is main))
    main = threading.current_thread()
    with qtbot.waitSignal(runner.ready, timeout=WAIT_MS) as ready:
        runner.start()
    url = ready.args[0]
    assert on_ui_thread == [True]
    assert runner.exchange is not None and runner.exchange.base_url == url
    assert runner.exchange.header.run.series == (("BTC-USDT", "1min"),)
    # The client connects inside the block: the end may be said as soon as it is served.
    with qtbot.waitSignal(runner.finished, timeout=WAIT_MS):
        client = WsClient.open(url, "window-1")
        try:
            pushes = [push_number(client.recv()), push_number(client.recv())]
        finally:
            client.close()
    assert pushes == [1, 2]
    assert runner.exchange.position().finished
    runner.stop()
    assert runner.exchange is None


def test_a_file_that_is_no_recording_fails_with_the_reason(qtbot, tmp_path, runners):
    path = tmp_path / "notes.kcr"
    path.write_text("not a recording at all\n")
    runner = runners(path)
    with qtbot.waitSignal(runner.failed, timeout=WAIT_MS) as failed:
        runner.start()
    assert failed.args[0] == f"{path} is not a kucandle-gui recording: it is not gzip-compressed"
    assert runner.exchange is None


def test_a_bug_while_reading_is_said_rather_than_loading_for_ever(
    qtbot, tmp_path, runners, monkeypatch
):
    def broken(path: Path) -> None:
        raise KeyError("a reader's bug")

    monkeypatch.setattr("kucandle_gui.replay.exchange.read_plan", broken)
    runner = runners(one_session(tmp_path / "run.kcr"))
    with qtbot.waitSignal(runner.failed, timeout=WAIT_MS) as failed:
        runner.start()
    assert failed.args[0].startswith("unexpected error: KeyError(")
    assert runner.exchange is None


def test_a_stopped_runner_starts_nothing(qtbot, tmp_path, runners):
    runner = runners(one_session(tmp_path / "run.kcr"))
    runner.stop()
    with qtbot.assertNotEmitted(runner.ready), qtbot.assertNotEmitted(runner.failed):
        runner.start()
    assert runner.exchange is None


def test_a_replays_feed_renews_no_token_of_its_own_and_waits_long_for_acks():
    base = FeedConfig(history_candles=60)
    config = base.led_by_server(REPLAY_ACK_TIMEOUT)
    assert config.token_max_age == math.inf
    assert config.timeouts.ack == REPLAY_ACK_TIMEOUT > base.timeouts.ack
    assert config.history_candles == 60  # the rest as the recorded run's
    assert config.timeouts.welcome == base.timeouts.welcome
