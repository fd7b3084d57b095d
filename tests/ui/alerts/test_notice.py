"""The notices of a firing alert beyond its toast: the channels and their switches, one message
per turn, the chime's player."""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from kucandle_gui.model import Condition, Firing
from kucandle_gui.ui.alerts.notifier import AlertNotifier
from kucandle_gui.ui.alerts.sound import AlertSound
from kucandle_gui.ui.alerts.toast import MAX_KEPT, MAX_VISIBLE, ToastStack

FIRING = Firing(
    alert_id=3,
    symbol="BTC-USDT",
    condition=Condition.ABOVE,
    price=70000.0,
    candle_time=1_700_000_040,
    reached_at=1_700_000_071.5,
    late=False,
)
OTHER = replace(FIRING, alert_id=4, symbol="ETH-USDT", condition=Condition.BELOW, price=3000.5)


class FakeClock:
    """Monotonic seconds moved by the test (the chime's once-a-second rule)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def no_players(tmp_path, monkeypatch) -> None:
    """A PATH without any sound player: the chime is the system beep."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def fake_player(folder: Path, name: str, marker: Path) -> None:
    """A local program named ``name`` that writes the file it was given into ``marker``."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{marker}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


class RecordingTray(QSystemTrayIcon):
    """A tray icon that keeps the messages it is asked to show."""

    def __init__(self, icon: QIcon, parent: QObject) -> None:
        super().__init__(icon, parent)
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, message: str, *_: object) -> None:
        self.messages.append((title, message))


@dataclass
class Seen:
    """What reached the desktop, the taskbar and the speakers."""

    marker: Path
    trays: list[RecordingTray] = field(default_factory=list)
    attention: list[tuple[QWidget, int]] = field(default_factory=list)
    sound: AlertSound | None = None

    def make_tray(self, icon: QIcon, parent: QObject) -> RecordingTray:
        tray = RecordingTray(icon, parent)
        self.trays.append(tray)
        return tray

    def alert(self, window: QWidget, msecs: int) -> None:
        self.attention.append((window, msecs))

    def messages(self) -> list[tuple[str, str]]:
        return [message for tray in self.trays for message in tray.messages]

    def played(self) -> list[str]:
        return self.marker.read_text().splitlines() if self.marker.is_file() else []

    def chime_is_first(self, qtbot, notify: Callable[[], object]) -> None:
        """``notify`` sounds the chime, and it is the first one: the clock stands still, so
        had a chime sounded before, this one could not (and the player's file is another)."""
        assert self.sound is not None
        later = self.marker.parent / "later.wav"
        self.sound.path = later
        notify()
        qtbot.waitUntil(lambda: self.played() != [], timeout=5000)
        assert self.played() == [str(later)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def seen(tmp_path, monkeypatch) -> Seen:
    if sys.platform == "win32":
        pytest.skip("a shell script stands for the player")
    marker = tmp_path / "played"
    fake_player(tmp_path / "bin", "paplay", marker)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    return Seen(marker)


@pytest.fixture
def make_notifier(host, stack, clock, seen):
    def make(tray: bool = True) -> AlertNotifier:
        seen.sound = sound = AlertSound(clock=clock, platform="linux")
        assert sound.player() == "paplay"
        return AlertNotifier(
            host,
            stack,
            sound,
            lambda symbol: 1,
            tray_available=lambda: tray,
            make_tray=seen.make_tray,
            attention=seen.alert,
        )

    return make


def test_every_channel_is_on_at_first(qtbot, host, make_notifier, stack, seen):
    notifier = make_notifier()
    assert [a.text() for a in notifier.actions.values()] == [
        "In-window notice",
        "Desktop notification",
        "Taskbar attention",
        "Sound",
    ]
    assert all(a.isCheckable() and a.isChecked() for a in notifier.actions.values())

    notifier.notify(FIRING)

    assert stack.count() == 0  # at the end of the turn, with the turn's other firings
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=2000)
    assert stack.texts()[0].startswith("BTC-USDT rose to 70,000.0\ncandle ")
    qtbot.waitUntil(lambda: seen.attention != [], timeout=2000)
    assert seen.attention == [(host, 0)]
    assert [title for title, _ in seen.messages()] == ["BTC-USDT rose to 70,000.0"]
    assert seen.messages()[0][1].startswith("candle ")
    qtbot.waitUntil(lambda: seen.played() != [], timeout=5000)
    assert seen.played() == [str(AlertSound().path)]


def test_the_tray_is_asked_whether_it_exists(make_notifier):
    default = AlertNotifier(QWidget(), ToastStack(QWidget()), AlertSound(), lambda symbol: 1)
    assert default.tray_available() == QSystemTrayIcon.isSystemTrayAvailable()
    assert make_notifier(tray=False).tray_available() is False


@pytest.mark.parametrize("muted", ["toast", "desktop", "taskbar", "sound"])
def test_a_muted_channel_is_not_used(qtbot, host, make_notifier, stack, seen, muted):
    notifier = make_notifier()
    notifier.actions[muted].setChecked(False)

    notifier.notify(FIRING)

    qtbot.waitUntil(lambda: seen.attention != [] or seen.messages() != [], timeout=2000)
    assert stack.count() == (0 if muted == "toast" else 1)
    assert len(seen.messages()) == (0 if muted == "desktop" else 1)
    assert seen.attention == ([] if muted == "taskbar" else [(host, 0)])
    assert not notifier.mute_all.isChecked()
    if muted == "sound":
        notifier.actions["sound"].setChecked(True)
        seen.chime_is_first(qtbot, lambda: notifier.notify(OTHER))
    else:
        qtbot.waitUntil(lambda: seen.played() != [], timeout=5000)


def test_firings_of_one_turn_are_one_message_one_attention_one_chime(
    qtbot, host, make_notifier, stack, seen, clock
):
    notifier = make_notifier()
    prices = [70000.0, 70100.0, 70200.0, 70300.0, 70400.0]
    for n, price in enumerate(prices):  # a catch-up: five firings delivered together
        notifier.notify(replace(FIRING, alert_id=10 + n, price=price))
        clock.now += 2.0  # the chime's once-a-second rule does not hide a second chime

    qtbot.waitUntil(lambda: seen.attention != [], timeout=2000)
    assert stack.count() == 5  # a notice each
    assert seen.attention == [(host, 0)]
    assert seen.messages() == [
        (
            "5 alerts fired",
            "BTC-USDT rose to 70,000.0\nBTC-USDT rose to 70,100.0\nBTC-USDT rose to 70,200.0\n"
            "and 2 more, in the alerts panel",
        )
    ]
    # A firing in a later turn is told on its own; its chime is the second one.
    clock.now += 2.0
    notifier.notify(OTHER)
    qtbot.waitUntil(lambda: len(seen.attention) == 2, timeout=2000)
    assert seen.messages()[1][0] == "ETH-USDT fell to 3,000.5"
    qtbot.waitUntil(lambda: len(seen.played()) >= 2, timeout=5000)
    assert len(seen.played()) == 2
    assert stack.count() == 6
    assert stack.texts()[0].startswith("ETH-USDT fell to 3,000.5\n")


def test_a_burst_of_firings_lays_the_toasts_out_once(qtbot, make_notifier, stack, seen):
    """A catch-up's 500 firings: the notices shown are made, not one per firing."""
    notifier = make_notifier()
    made: list[QEvent.Type] = []  # a widget made in the stack: a notice

    class Children(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.ChildAdded:  # the child is not made yet: not read
                made.append(event.type())
            return False

    watcher = Children()
    stack.installEventFilter(watcher)
    n = 500
    for k in range(n):
        notifier.notify(replace(FIRING, alert_id=k, price=60000.0 + k))

    qtbot.waitUntil(lambda: stack.count() > 0, timeout=2000)
    stack.removeEventFilter(watcher)
    assert len(made) == MAX_VISIBLE  # the four shown, made once each
    assert stack.count() == MAX_KEPT
    assert stack.texts()[0].startswith("BTC-USDT rose to 60,499.0\n")  # the newest on top
    assert stack.texts()[-1] == f"+{MAX_KEPT - MAX_VISIBLE} more"
    assert [toast.isVisible() for toast in stack.toasts()] == [True] * MAX_VISIBLE
    clicked = stack.toasts()[1]
    with qtbot.waitSignal(stack.toastClicked, timeout=2000) as blocker:
        qtbot.mouseClick(clicked.title, Qt.MouseButton.LeftButton)
    assert blocker.args == [n - 2]  # each notice keeps its alert


def test_show_toasts_puts_the_last_on_top(stack):
    stack.show_toasts([("older", "live", None)])
    stack.show_toasts([("first", "live", 1), ("second", "live", None), ("third", "live", 3)])

    assert stack.texts() == ["third\nlive", "second\nlive", "first\nlive", "older\nlive"]
    assert stack.count() == 4
    stack.show_toasts([])
    assert stack.count() == 4


def test_the_desktop_notification_makes_one_tray_icon_with_the_app_icon(qtbot, make_notifier, seen):
    notifier = make_notifier()
    assert seen.trays == []  # made when first needed

    notifier.notify(FIRING)
    qtbot.waitUntil(lambda: len(seen.messages()) == 1, timeout=2000)
    notifier.notify(OTHER)
    qtbot.waitUntil(lambda: len(seen.messages()) == 2, timeout=2000)

    assert len(seen.trays) == 1
    assert seen.trays[0].parent() is notifier
    assert not seen.trays[0].icon().isNull()
    assert seen.trays[0].isVisible()


def test_no_desktop_notification_without_a_tray(qtbot, make_notifier, stack, seen):
    notifier = make_notifier(tray=False)

    notifier.notify(FIRING)

    qtbot.waitUntil(lambda: seen.attention != [], timeout=2000)
    assert seen.trays == []
    assert stack.count() == 1


def test_mute_all_turns_every_channel_off_and_back_as_it_was(
    qtbot, host, make_notifier, stack, seen
):
    notifier = make_notifier()
    assert notifier.mute_all.shortcut().toString() == "Ctrl+Shift+M"
    notifier.actions["sound"].setChecked(False)

    notifier.mute_all.trigger()
    notifier.notify(OTHER)  # muted: told nowhere, not even at the end of the turn

    assert not any(a.isChecked() for a in notifier.actions.values())

    notifier.mute_all.trigger()
    notifier.notify(FIRING)

    assert not notifier.mute_all.isChecked()
    qtbot.waitUntil(lambda: seen.attention != [], timeout=2000)
    assert stack.count() == 1  # not the muted one
    assert stack.texts()[0].startswith("BTC-USDT rose to 70,000.0\n")
    assert seen.attention == [(host, 0)]
    assert [title for title, _ in seen.messages()] == ["BTC-USDT rose to 70,000.0"]
    # The sound stayed off: a chime now is the first one.
    notifier.actions["sound"].setChecked(True)
    seen.chime_is_first(qtbot, lambda: notifier.notify(FIRING))


def test_all_channels_off_by_hand_is_mute_all(make_notifier):
    notifier = make_notifier()
    for action in notifier.actions.values():
        action.setChecked(False)
    assert notifier.mute_all.isChecked()

    notifier.mute_all.trigger()  # unmute: nothing was on before, so everything comes on

    assert all(a.isChecked() for a in notifier.actions.values())


def test_the_chime_sounds_at_most_once_a_second(qtbot, clock, seen):
    sound = AlertSound(clock=clock, platform="linux")
    assert sound.play()

    clock.now += 0.5
    assert not sound.play()

    clock.now += 0.5
    assert sound.play()
    qtbot.waitUntil(lambda: len(seen.played()) == 2, timeout=5000)


# -- the chime's player -----------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands for the player")
def test_the_first_linux_player_on_the_path_plays_the_chime(qtbot, tmp_path, monkeypatch):
    marker = tmp_path / "played"
    fake_player(tmp_path / "bin", "paplay", marker)
    fake_player(tmp_path / "bin", "aplay", tmp_path / "aplay-played")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    sound = AlertSound(platform="linux")
    assert sound.player() == "paplay"

    assert sound.play()

    qtbot.waitUntil(lambda: marker.is_file() and marker.read_text() != "", timeout=5000)
    assert marker.read_text() == f"{sound.path}\n"
    assert sound.path.name == "alert.wav"


def test_pipewire_comes_first_and_macos_uses_afplay(tmp_path, monkeypatch):
    for name in ("aplay", "paplay", "pw-play", "afplay"):
        fake_player(tmp_path / "bin", name, tmp_path / "unused")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    assert AlertSound(platform="linux").player() == "pw-play"
    assert AlertSound(platform="darwin").player() == "afplay"
    assert AlertSound(platform="win32").player() == "winsound"


def test_without_a_player_or_a_sound_file_the_chime_is_a_beep(qapp, tmp_path, no_players):
    assert AlertSound(platform="linux").player() == "beep"
    missing = AlertSound(tmp_path / "nothing.wav", platform="win32")
    assert missing.player() == "beep"
    assert missing.play()  # QApplication.beep(): there is nothing to fail


def test_the_shipped_chime_is_short_mono_16_bit():
    import wave

    with wave.open(str(AlertSound().path), "rb") as chime:
        params = chime.getparams()
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 22050)
    assert 0.2 <= params.nframes / params.framerate <= 0.5
