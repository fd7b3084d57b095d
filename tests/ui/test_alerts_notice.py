"""The notices of a firing alert: the in-window toasts, the channels and their switches, the
chime's player."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QSystemTrayIcon, QWidget

from kucandle_gui.model import Condition, Firing
from kucandle_gui.ui.alerts.notifier import AlertNotifier
from kucandle_gui.ui.alerts.sound import AlertSound
from kucandle_gui.ui.alerts.toast import MARGIN, MAX_VISIBLE, ToastStack

FIRING = Firing(
    alert_id=3,
    symbol="BTC-USDT",
    condition=Condition.ABOVE,
    price=70000.0,
    candle_time=1_700_000_040,
    reached_at=1_700_000_071.5,
    late=False,
)


class FakeClock:
    """Monotonic seconds moved by the test (the chime's once-a-second rule)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def host(qtbot) -> QWidget:
    widget = QWidget()
    widget.resize(800, 500)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def stack(host) -> ToastStack:
    return ToastStack(host)


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


# -- the toasts ---------------------------------------------------------------------------------


def test_a_toast_stays_until_its_cross_is_clicked(qtbot, stack):
    stack.show_toast("BTC-USDT rose to 70,000.0", "candle 14:32 · live")

    assert stack.isVisible()
    assert stack.texts() == ["BTC-USDT rose to 70,000.0\ncandle 14:32 · live"]
    assert stack.findChildren(QTimer) == []  # nothing that could take it down on its own
    QApplication.processEvents()
    assert stack.isVisible()
    assert stack.toasts()[0].isVisible()

    with qtbot.assertNotEmitted(stack.toastClicked):
        qtbot.mouseClick(stack.toasts()[0].close_button, Qt.MouseButton.LeftButton)
    assert stack.texts() == []
    assert stack.count() == 0
    assert not stack.isVisible()


def test_a_click_on_a_toast_dismisses_it_and_says_which(qtbot, stack):
    stack.show_toast("ETH-USDT fell to 3,000.5", "candle 14:33 · live", key=7)
    stack.show_toast("BTC-USDT rose to 70,000.0", "candle 14:32 · live", key=3)
    clicked = stack.toasts()[1]  # the older one, below the newest

    with qtbot.waitSignal(stack.toastClicked, timeout=2000) as blocker:
        qtbot.mouseClick(clicked.title, Qt.MouseButton.LeftButton)  # a label: passed on

    assert blocker.args == [7]
    assert stack.texts() == ["BTC-USDT rose to 70,000.0\ncandle 14:32 · live"]


def test_at_most_four_toasts_then_a_more_line(qtbot, stack):
    for n in range(6):
        stack.show_toast(f"alert {n}", "live")

    assert stack.texts() == [
        "alert 5\nlive",
        "alert 4\nlive",
        "alert 3\nlive",
        "alert 2\nlive",
        "+2 more",
    ]
    assert len(stack.toasts()) == MAX_VISIBLE
    assert stack.count() == 6

    qtbot.mouseClick(stack.toasts()[0].close_button, Qt.MouseButton.LeftButton)
    assert stack.texts()[0] == "alert 4\nlive"
    assert stack.texts()[-2:] == ["alert 1\nlive", "+1 more"]
    assert stack.toasts()[-1].isVisible()  # the older one came in

    qtbot.mouseClick(stack.findChild(QPushButton), Qt.MouseButton.LeftButton)  # Dismiss all
    assert stack.texts() == []
    assert not stack.isVisible()


def test_toasts_stay_top_right_as_the_host_is_resized(qtbot, host, stack):
    stack.show_toast("BTC-USDT rose to 70,000.0", "candle 14:32 · live")
    assert stack.geometry().right() + 1 == host.width() - MARGIN
    assert stack.geometry().top() == MARGIN
    toast = stack.toasts()[0]
    assert stack.rect().contains(toast.geometry())  # nothing cut off
    assert toast.detail.height() >= toast.detail.fontMetrics().height()
    assert toast.detail.geometry().bottom() < toast.height()

    host.resize(520, 300)

    qtbot.waitUntil(lambda: stack.geometry().right() + 1 == 520 - MARGIN, timeout=2000)
    assert stack.geometry().top() == MARGIN


def test_toasts_never_take_the_keyboard_focus(qtbot, host, stack):
    edit = QLineEdit(host)
    edit.show()
    host.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=2000)

    stack.show_toast("first", "live")
    stack.show_toast("second", "live")
    qtbot.mouseClick(stack.toasts()[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(stack.toasts()[0].close_button, Qt.MouseButton.LeftButton)

    assert stack.count() == 0
    assert QApplication.focusWidget() is edit
    stack.show_toast("third", "live")
    stack.show_toast("fourth", "live")
    for _ in range(4):
        stack.show_toast("more", "live")
    parts = [stack, *stack.findChildren(QWidget)]
    assert [w for w in parts if w.focusPolicy() != Qt.FocusPolicy.NoFocus] == []


def test_toast_colours_follow_set_colors(stack):
    stack.set_colors("#102030", "#f0f0f0", "#ff8800")
    stack.show_toast("BTC-USDT rose to 70,000.0", "candle 14:32 · live")
    toast = stack.toasts()[0]

    image = toast.grab().toImage()
    inside = QPoint(toast.width() // 2, toast.height() - 3)  # the bottom padding
    edge = QPoint(1, toast.height() // 2)  # the accent bar on the left

    assert image.pixelColor(inside) == QColor("#102030")
    assert image.pixelColor(edge) == QColor("#ff8800")


# -- the channels -------------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_notifier(host, stack, clock, no_players):
    def make(**kwargs) -> AlertNotifier:
        sound = AlertSound(clock=clock)
        return AlertNotifier(host, stack, sound, lambda symbol: 1, **kwargs)

    return make


def test_every_channel_is_on_at_first(make_notifier, stack):
    notifier = make_notifier()
    desktop = ("desktop",) if QSystemTrayIcon.isSystemTrayAvailable() else ()

    notifier.notify(FIRING)

    assert notifier.tray_available() == QSystemTrayIcon.isSystemTrayAvailable()
    assert notifier.channels_used == ("toast", *desktop, "taskbar", "sound")
    assert stack.texts()[0].startswith("BTC-USDT rose to 70,000.0\ncandle ")
    assert [a.text() for a in notifier.actions.values()] == [
        "In-window notice",
        "Desktop notification",
        "Taskbar attention",
        "Sound",
    ]
    assert all(a.isCheckable() and a.isChecked() for a in notifier.actions.values())


@pytest.mark.parametrize("muted", ["toast", "desktop", "taskbar", "sound"])
def test_a_muted_channel_is_not_used(make_notifier, stack, muted):
    notifier = make_notifier(tray_available=lambda: True)
    notifier.actions[muted].setChecked(False)

    notifier.notify(FIRING)

    expected = tuple(c for c in ("toast", "desktop", "taskbar", "sound") if c != muted)
    assert notifier.channels_used == expected
    assert stack.count() == (0 if muted == "toast" else 1)
    assert not notifier.mute_all.isChecked()


def test_the_desktop_notification_makes_one_tray_icon_with_the_app_icon(make_notifier):
    notifier = make_notifier(tray_available=lambda: True)
    assert notifier.findChildren(QSystemTrayIcon) == []  # made when first needed

    notifier.notify(FIRING)
    notifier.notify(FIRING)

    trays = notifier.findChildren(QSystemTrayIcon)
    assert len(trays) == 1
    assert not trays[0].icon().isNull()
    assert "desktop" in notifier.channels_used


def test_no_desktop_notification_without_a_tray(make_notifier):
    notifier = make_notifier(tray_available=lambda: False)

    notifier.notify(FIRING)

    assert notifier.channels_used == ("toast", "taskbar", "sound")
    assert notifier.findChildren(QSystemTrayIcon) == []


def test_mute_all_turns_every_channel_off_and_back_as_it_was(make_notifier, stack):
    notifier = make_notifier(tray_available=lambda: True)
    assert notifier.mute_all.shortcut().toString() == "Ctrl+Shift+M"
    notifier.actions["sound"].setChecked(False)

    notifier.mute_all.trigger()
    notifier.notify(FIRING)

    assert notifier.channels_used == ()
    assert stack.count() == 0
    assert not any(a.isChecked() for a in notifier.actions.values())

    notifier.mute_all.trigger()
    notifier.notify(FIRING)

    assert notifier.channels_used == ("toast", "desktop", "taskbar")  # sound stays off
    assert not notifier.mute_all.isChecked()


def test_all_channels_off_by_hand_is_mute_all(make_notifier):
    notifier = make_notifier()
    for action in notifier.actions.values():
        action.setChecked(False)
    assert notifier.mute_all.isChecked()

    notifier.mute_all.trigger()  # unmute: nothing was on before, so everything comes on

    assert all(a.isChecked() for a in notifier.actions.values())


def test_the_chime_sounds_at_most_once_a_second(make_notifier, clock):
    notifier = make_notifier(tray_available=lambda: False)
    notifier.notify(FIRING)
    assert "sound" in notifier.channels_used

    clock.now += 0.5
    notifier.notify(FIRING)
    assert notifier.channels_used == ("toast", "taskbar")

    clock.now += 0.5
    notifier.notify(FIRING)
    assert notifier.channels_used == ("toast", "taskbar", "sound")


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
