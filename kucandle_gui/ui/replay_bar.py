"""The replay bar: a small toolbar saying what is played back and letting the user steer it.

It shows REPLAY, the recording's file name, the recorded time of the frame played last (UTC,
as the recording's clock had it), how much has been played, and what could not be played as
recorded; it pauses and resumes (Space) and changes the speed (a choice of speeds; Ctrl+. is
faster, Ctrl+, slower). It knows the replay only through :class:`ReplayControls` (the replay
exchange is one), so it is tested without a server.

The position is polled twice a second, and only while the replay plays: once paused, finished
or not started, the timer stops and an idle window costs no CPU for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar, QWidget

if TYPE_CHECKING:  # the replay server (aiohttp) is imported only when a replay starts
    from kucandle_gui.replay import ReplayPosition

from .replay_wording import (
    REPLAY_BADGE,
    REPLAY_COUNTS_TOOLTIP,
    REPLAY_DAMAGED,
    REPLAY_FAILED,
    REPLAY_FINISHED,
    REPLAY_PAUSED,
    REPLAY_SPEEDS,
    recorded_time_text,
    replay_counts_text,
    replay_loading_text,
    replay_played_text,
    speed_text,
)

#: How often the position is asked for while the replay plays.
POLL_MS = 500
PAUSE_KEY = "Space"
FASTER_KEY = "Ctrl+."
SLOWER_KEY = "Ctrl+,"


class ReplayControls(Protocol):
    """What the bar asks of a replay."""

    def position(self) -> ReplayPosition: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def set_speed(self, x: float) -> None: ...


class ReplayBar(QToolBar):
    """REPLAY, the file, the recorded time, pause/resume and the speed; see the module
    docstring."""

    def __init__(
        self,
        path: Path,
        speed: float,
        parent: QWidget | None = None,
        *,
        interval_ms: int = POLL_MS,
    ) -> None:
        super().__init__("Replay", parent)
        self.setObjectName("replayBar")  # its place saved with the window's
        self.setMovable(False)
        self._controls: ReplayControls | None = None
        self._finished = False

        self.badge = QLabel("REPLAY", self)
        self.badge.setStyleSheet(
            "color: #ffffff; background: #b5179e; font-weight: bold; padding: 2px 6px;"
        )
        self.badge.setToolTip(REPLAY_BADGE[1])
        self.name_label = self._label(path.name, str(path))
        self.time_label = self._label("—", "The recorded time of the last frame played (UTC)")
        self.played_label = self._label("", "How much of the recording has been played")
        self.addWidget(self.badge)
        for label in (self.name_label, self.time_label, self.played_label):
            self.addSeparator()
            self.addWidget(label)
        self.addSeparator()

        self.pause_action = self._action("Pause", "Pause or resume", PAUSE_KEY, self.toggle_pause)
        self.slower_action = self._action("\N{MINUS SIGN}", "Slower", SLOWER_KEY, self.slower)
        self.speed_box = QComboBox(self)
        self.speed_box.setToolTip("Replay speed: times the recorded pace")
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space stays pause/resume
        for choice in REPLAY_SPEEDS:
            self.speed_box.addItem(speed_text(choice), choice)
        self._show_speed(speed)
        self.speed_box.activated.connect(lambda i: self.set_speed(self.speed_box.itemData(i)))
        self.faster_action = self._action("+", "Faster", FASTER_KEY, self.faster)
        self.addAction(self.pause_action)
        self.addAction(self.slower_action)
        self.addWidget(self.speed_box)
        self.addAction(self.faster_action)

        self.addSeparator()
        self.state_label = self._label(replay_loading_text(path.name), "")
        self.counts_label = self._label("", REPLAY_COUNTS_TOOLTIP)
        self.counts_label.setStyleSheet("color: #e66100;")
        self.damage_label = self._label(REPLAY_DAMAGED, "")
        self.damage_label.setStyleSheet("color: #e66100;")
        self.addWidget(self.state_label)
        # A widget of a toolbar is shown and hidden through the action holding it.
        self._counts_shown = self.addWidget(self.counts_label)
        self._damage_shown = self.addWidget(self.damage_label)
        self._counts_shown.setVisible(False)
        self._damage_shown.setVisible(False)
        self._enable(False)

        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.refresh)

    def _label(self, text: str, tooltip: str) -> QLabel:
        label = QLabel(text, self)
        label.setToolTip(tooltip)
        label.setContentsMargins(4, 0, 4, 0)
        return label

    def _action(self, text: str, what: str, key: str, slot: Callable[[], None]) -> QAction:
        """A button of the bar, its shortcut working anywhere in the window."""
        action = QAction(text, self)
        shortcut = QKeySequence(key)
        action.setShortcut(shortcut)
        action.setToolTip(f"{what} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        return action

    def _enable(self, on: bool) -> None:
        for action in (self.pause_action, self.slower_action, self.faster_action):
            action.setEnabled(on)
        self.speed_box.setEnabled(on)

    # -- the replay ----------------------------------------------------------------------

    @property
    def polling(self) -> bool:
        """Whether the position is being polled (only while the replay plays)."""
        return self._timer.isActive()

    def attach(self, controls: ReplayControls) -> None:
        """The replay runs: show where it is, and poll while it plays."""
        self._controls = controls
        self._enable(True)
        self.refresh()

    def failed(self) -> None:
        """Nothing of the recording can be replayed (the banner says why)."""
        self._controls = None
        self._timer.stop()
        self._enable(False)
        self._set_text(self.state_label, REPLAY_FAILED)

    def set_problems(self, detail: str | None) -> None:
        """What was found damaged in the recording (None: nothing), in a mark's tooltip."""
        self.damage_label.setToolTip(detail or "")
        self._damage_shown.setVisible(detail is not None)

    def toggle_pause(self) -> None:
        """Pause a playing replay, resume a paused one (Space)."""
        if self._controls is None or self._finished:
            return
        if self._controls.position().paused:
            self._controls.resume()
        else:
            self._controls.pause()
        self.refresh()

    def set_speed(self, speed: float) -> None:
        if self._controls is None:
            return
        self._controls.set_speed(speed)
        self.refresh()

    def faster(self) -> None:
        """The next speed offered up (Ctrl+.)."""
        self._step_speed(1)

    def slower(self) -> None:
        """The next speed offered down (Ctrl+,)."""
        self._step_speed(-1)

    def _step_speed(self, step: int) -> None:
        index = self.speed_box.currentIndex() + step
        if 0 <= index < self.speed_box.count():
            self.set_speed(self.speed_box.itemData(index))

    def refresh(self) -> None:
        """Show where the replay is; poll on only while it plays."""
        if self._controls is None:
            return
        position = self._controls.position()
        self._set_text(self.time_label, recorded_time_text(position.t))
        self._set_text(self.played_label, replay_played_text(position.fraction))
        self._show_speed(position.speed)
        counts = replay_counts_text(position.skipped_answers, position.unmatched_requests)
        self._set_text(self.counts_label, counts)
        if self._counts_shown.isVisible() != bool(counts):
            self._counts_shown.setVisible(bool(counts))
        self._finished = position.finished
        if position.finished:
            state = REPLAY_FINISHED
        elif position.paused:
            state = REPLAY_PAUSED
        else:
            state = ""
        self._set_text(self.state_label, state)
        self.pause_action.setText("Resume" if position.paused else "Pause")
        self.pause_action.setEnabled(not position.finished)
        playing = not (position.finished or position.paused)
        if playing and not self._timer.isActive():
            self._timer.start()
        elif not playing:
            self._timer.stop()

    def _show_speed(self, speed: float) -> None:
        """The speed box on ``speed`` (one the command line chose is offered too)."""
        index = self.speed_box.findData(speed)
        if index < 0:
            box = self.speed_box
            index = sum(1 for i in range(box.count()) if box.itemData(i) < speed)
            box.insertItem(index, speed_text(speed), speed)
        if self.speed_box.currentIndex() != index:
            self.speed_box.setCurrentIndex(index)

    @staticmethod
    def _set_text(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)

    def close_bar(self) -> None:
        """The window closes: no more polling."""
        self._timer.stop()
        self._controls = None
