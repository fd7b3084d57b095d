"""Telling the user that an alert fired, on every channel they did not mute.

An alert is worth nothing if its firing goes unseen, and the window may be hidden behind
others, minimised or on another desktop. So a firing goes out four ways, each switchable in
the Alerts menu (checked = on, saved by :class:`~.store.AlertStore`):

- "toast": an in-window notice that stays until seen (:class:`~.toast.ToastStack`);
- "desktop": the desktop's notification, through ``QSystemTrayIcon.showMessage`` where there is
  a system tray (the tray icon is made at the first firing that needs it, not before);
- "taskbar": ``QApplication.alert(window, 0)``: the taskbar entry asks for attention until the
  window is activated (a no-op while it is active);
- "sound": a short chime (:class:`~.sound.AlertSound`).

"Mute all alert notices" (Ctrl+Shift+M) turns them all off, and back to what they were.

A catch-up after a reconnect may deliver many firings at once. Each gets its toast (and its
line in the panel's log), but every channel is told once for all the firings of one event-loop
turn, at its end: the turn's toasts added to the stack in one go (laid out once, however many
came), one desktop message ("5 alerts fired", the first ones named), one attention request, one
chime, not a flood. A channel is asked for a firing as it comes, so muting one later does not
reach firings already in the turn's batch, and a firing that came while the channel was off is
not in it.

The Qt call sites (``QSystemTrayIcon``, ``QApplication.alert``) are given at construction, so a
test observes what the user would get by recording those calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon, QWidget

from kucandle_gui.model import Firing

from .sound import AlertSound
from .texts import firing_detail, firing_title, firings_summary
from .toast import ToastStack

log = logging.getLogger(__name__)

#: The channels, in menu order, with their menu texts.
CHANNELS: dict[str, str] = {
    "toast": "In-window notice",
    "desktop": "Desktop notification",
    "taskbar": "Taskbar attention",
    "sound": "Sound",
}
_TIPS: dict[str, str] = {
    "toast": "A notice over the chart that stays until you dismiss it",
    "desktop": "The desktop's notification, where there is a system tray",
    "taskbar": "The taskbar entry asks for attention while the window is not active",
    "sound": "A short chime (at most one a second)",
}
#: How long the desktop shows the notification, milliseconds (the desktop may differ).
DESKTOP_SHOWN_MS = 15_000


class AlertNotifier(QObject):
    """Sends each firing to the channels switched on; see the module docstring."""

    def __init__(
        self,
        window: QWidget,
        toasts: ToastStack,
        sound: AlertSound,
        decimals: Callable[[str], int | None],
        *,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        make_tray: Callable[[QIcon, QObject], QSystemTrayIcon] = QSystemTrayIcon,
        attention: Callable[[QWidget, int], None] = QApplication.alert,
    ) -> None:
        """``decimals(symbol)``: the pair's price precision; ``tray_available`` is asked at
        each desktop notification (a tray may come and go with the desktop's panel);
        ``make_tray(icon, parent)`` makes the tray icon, ``attention(window, 0)`` asks the
        taskbar for attention (Qt's by default)."""
        super().__init__(window)
        self._window = window
        self._toasts = toasts
        self._sound = sound
        self._decimals = decimals
        self._tray_available = tray_available
        self._make_tray = make_tray
        self._attention = attention
        self._tray: QSystemTrayIcon | None = None
        #: This turn's firings per channel told once a turn, in the order they came.
        self._batch: dict[str, list[Firing]] = {}
        #: The channels that were on when all were muted, switched back on by unmuting.
        self._before_mute: list[str] = []
        self.actions: dict[str, QAction] = {}
        for key, text in CHANNELS.items():
            action = QAction(text, self)
            action.setCheckable(True)
            action.setChecked(True)
            action.setToolTip(_TIPS[key])
            action.toggled.connect(self._channel_toggled)
            self.actions[key] = action
        self.mute_all = QAction("Mute all alert notices", self)
        self.mute_all.setCheckable(True)
        self.mute_all.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.mute_all.toggled.connect(self._mute_toggled)

    def tray_available(self) -> bool:
        """Whether desktop notifications can be shown now (there is a system tray)."""
        return self._tray_available()

    def notify(self, firing: Firing) -> None:
        """Tell the user about ``firing`` on every channel switched on, at the end of this
        event-loop turn, once for all of the turn's firings."""
        used: list[str] = []
        for channel in CHANNELS:
            if self._on(channel) and (channel != "desktop" or self.tray_available()):
                if not self._batch:
                    QTimer.singleShot(0, self, self._deliver)
                self._batch.setdefault(channel, []).append(firing)
                used.append(channel)
        if log.isEnabledFor(logging.DEBUG):
            title = firing_title(firing, self._decimals(firing.symbol))
            log.debug("alert notice of %s: %s", title, ", ".join(used) or "all muted")

    def _deliver(self) -> None:
        """The turn's firings: their toasts in one go, one desktop message, one attention
        request, one chime."""
        batch, self._batch = self._batch, {}
        toasts = batch.get("toast")
        if toasts:  # the stack keeps only the newest (and makes widgets for those shown)
            self._toasts.show_toasts(
                [
                    (firing_title(f, self._decimals(f.symbol)), firing_detail(f), f.alert_id)
                    for f in toasts
                ]
            )
        desktop = batch.get("desktop")
        if desktop:
            titles = [firing_title(f, self._decimals(f.symbol)) for f in desktop]
            if len(desktop) == 1:
                self._show_desktop(titles[0], firing_detail(desktop[0]))
            else:
                self._show_desktop(*firings_summary(titles))
        if batch.get("taskbar"):
            self._attention(self._window, 0)
        if batch.get("sound"):
            self._sound.play()

    # -- channels --------------------------------------------------------------------------

    def _on(self, channel: str) -> bool:
        return self.actions[channel].isChecked()

    def _channel_toggled(self) -> None:
        """Keep "Mute all" checked exactly while every channel is off."""
        muted = not any(action.isChecked() for action in self.actions.values())
        if muted != self.mute_all.isChecked():
            self.mute_all.blockSignals(True)
            self.mute_all.setChecked(muted)
            self.mute_all.blockSignals(False)

    def _mute_toggled(self, muted: bool) -> None:
        if muted:
            self._before_mute = [key for key in CHANNELS if self._on(key)]
            switch_on: list[str] = []
        else:
            # Back to what was on before muting; all of them if nothing was (each was
            # switched off by hand, or they were saved so).
            switch_on = self._before_mute or list(CHANNELS)
        for key, action in self.actions.items():
            action.setChecked(key in switch_on)

    # -- the desktop -------------------------------------------------------------------------

    def _show_desktop(self, title: str, detail: str) -> None:
        if not self.tray_available():  # the tray went since the firing came
            return
        if self._tray is None:
            self._tray = self._make_tray(self._icon(), self)
            self._tray.setToolTip("kucandle-gui: price alerts")
            self._tray.messageClicked.connect(self._bring_window)
            self._tray.activated.connect(self._bring_window)
        # A message needs the icon shown (Windows, macOS); it stays, as the way back to the
        # window, until the app quits.
        self._tray.show()
        self._tray.showMessage(
            title, detail, QSystemTrayIcon.MessageIcon.Information, DESKTOP_SHOWN_MS
        )

    def _icon(self) -> QIcon:
        """The application's icon; a standard one if it has none (a tray icon must have one)."""
        icon = QApplication.windowIcon()
        if icon.isNull():
            icon = self._window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        return icon

    def _bring_window(self) -> None:
        window = self._window.window()
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
