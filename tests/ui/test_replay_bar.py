"""The replay bar: what it shows of a replay, its buttons and keys, and that it polls only
while the replay plays (driven by a replay of its own: the bar knows replays only through
``ReplayControls``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from kucandle_gui.replay import ReplayPosition
from kucandle_gui.ui.replay_bar import ReplayBar
from kucandle_gui.ui.replay_wording import REPLAY_SPEEDS, TIMES, speed_text
from tests.ui.window_kit import focus

#: 2026-11-30 03:12:45 UTC
T = datetime(2026, 11, 30, 3, 12, 45, tzinfo=UTC).timestamp()


class Replay:
    """A replay that moves only when the test says so, counting the bar's questions."""

    def __init__(self, speed: float = 1.0) -> None:
        self.now = ReplayPosition(None, 0.0, False, False, speed, 0, 0, 0)
        self.asked = 0

    def position(self) -> ReplayPosition:
        self.asked += 1
        return self.now

    def pause(self) -> None:
        self.now = replace(self.now, paused=True)

    def resume(self) -> None:
        self.now = replace(self.now, paused=False)

    def set_speed(self, x: float) -> None:
        self.now = replace(self.now, speed=x)


@pytest.fixture
def window(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    return window


def bar_in(window: QMainWindow, speed: float = 1.0, interval_ms: int = 20) -> ReplayBar:
    bar = ReplayBar(Path("/data/runs/night.kcr"), speed, window, interval_ms=interval_ms)
    window.addToolBar(bar)
    window.resize(1400, 200)
    window.show()
    return bar


def speeds(bar: ReplayBar) -> list[str]:
    return [bar.speed_box.itemText(i) for i in range(bar.speed_box.count())]


def test_while_the_recording_loads_it_says_so_and_offers_nothing(window):
    bar = bar_in(window)
    assert bar.name_label.text() == "night.kcr"
    assert bar.name_label.toolTip() == "/data/runs/night.kcr"
    assert bar.state_label.text() == "loading the recording night.kcr…"
    assert not bar.pause_action.isEnabled() and not bar.speed_box.isEnabled()
    assert not bar.polling
    bar.toggle_pause()  # nothing to pause yet: nothing happens
    bar.failed()
    assert bar.state_label.text() == "not replayed" and not bar.polling


def test_a_playing_replay_is_shown_and_followed_twice_a_second_until_it_ends(qtbot, window):
    replay = Replay()
    bar = bar_in(window)
    bar.attach(replay)
    assert bar.time_label.text() == "—"  # no frame played yet
    assert bar.pause_action.isEnabled() and bar.polling
    replay.now = replace(replay.now, t=T, fraction=0.374)
    qtbot.waitUntil(lambda: bar.time_label.text() == "2026-11-30 03:12:45 UTC", timeout=2000)
    assert bar.played_label.text() == "37 %"
    assert bar.state_label.text() == ""
    replay.now = replace(replay.now, fraction=1.0, finished=True)
    qtbot.waitUntil(lambda: bar.state_label.text() == "finished", timeout=2000)
    assert not bar.polling  # an idle window asks nothing more
    assert not bar.pause_action.isEnabled()
    asked = replay.asked
    bar.toggle_pause()
    assert replay.asked == asked and not replay.now.paused  # nothing to pause at the end


def test_space_pauses_and_resumes_and_no_polling_while_paused(qtbot, window):
    replay = Replay()
    bar = bar_in(window)
    bar.attach(replay)
    focus(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert replay.now.paused
    assert bar.state_label.text() == "paused" and bar.pause_action.text() == "Resume"
    assert not bar.polling
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not replay.now.paused and bar.polling
    assert bar.pause_action.text() == "Pause" and bar.state_label.text() == ""
    replay.pause()  # paused elsewhere: the next look sees it, and stops looking
    qtbot.waitUntil(lambda: not bar.polling, timeout=2000)
    assert bar.state_label.text() == "paused"


def test_the_speeds_offered_with_the_command_lines_own_and_faster_slower_keys(qtbot, window):
    replay = Replay(speed=3.0)
    bar = bar_in(window, speed=3.0)
    offered = [speed_text(x) for x in REPLAY_SPEEDS]
    assert speeds(bar) == [*offered[:3], TIMES + "3", *offered[3:]]
    assert bar.speed_box.currentText() == TIMES + "3"
    bar.attach(replay)
    focus(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Period, Qt.KeyboardModifier.ControlModifier)
    assert replay.now.speed == 5.0 and bar.speed_box.currentText() == TIMES + "5"
    for _ in range(2):
        qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert replay.now.speed == 2.0 and bar.speed_box.currentText() == TIMES + "2"
    bar.speed_box.activated.emit(bar.speed_box.count() - 1)  # the user picks 100
    assert replay.now.speed == 100.0
    bar.faster()  # the fastest offered: stays
    assert replay.now.speed == 100.0
    assert "Ctrl+." in bar.faster_action.toolTip() and "Space" in bar.pause_action.toolTip()


def test_what_could_not_be_played_and_what_was_damaged_are_marked(qtbot, window):
    replay = Replay()
    bar = bar_in(window)
    bar.attach(replay)
    assert not bar.counts_label.isVisible() and not bar.damage_label.isVisible()
    replay.now = replace(replay.now, skipped_answers=1, unmatched_requests=3)
    qtbot.waitUntil(bar.counts_label.isVisible, timeout=2000)
    assert bar.counts_label.text() == "1 answer skipped · 3 requests not in the recording"
    bar.set_problems("part 2 (night.kcr.2) is cut off after line 12")
    qtbot.waitUntil(bar.damage_label.isVisible, timeout=2000)  # the bar lays out on an event
    assert bar.damage_label.toolTip() == "part 2 (night.kcr.2) is cut off after line 12"
    bar.set_problems(None)
    qtbot.waitUntil(lambda: not bar.damage_label.isVisible(), timeout=2000)
