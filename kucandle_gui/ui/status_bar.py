"""What the feed is doing, as the user sees it: the status bar and the message banner.

The status bar shows the connection state (with a live countdown while reconnecting, and a
"quiet" hint when a live feed has pushed nothing for a while) and the feed counters. A 1 s
timer re-renders from the latest ``FeedMetrics`` and state: ages and countdowns move on
their own, and the cost is a few label updates a second whatever the message rate.

The banner is the non-modal message area above the chart: what went wrong, what the app is
doing about it, and, when there is one, a button for what the user can do (use the demo
exchange, go back to the previous pair). It never blocks the window.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStatusBar,
    QWidget,
)

from kucandle_gui.feed import ConnectionState, FeedMetrics, StatusEvent

#: A live feed without a candle push for this long is called quiet (a hint, not an error:
#: a pair without trades pushes nothing, and that is not a dead link).
STALE_AFTER = 60.0
#: How long the last error or note stays in the status bar.
MESSAGE_SHOWN_MS = 30_000
REFRESH_MS = 1000

_STATE_COLOURS = {
    ConnectionState.CONNECTING: "#d9a400",
    ConnectionState.LIVE: "#26a269",
    ConnectionState.RECONNECTING: "#e66100",
    ConnectionState.STOPPED: "#888888",
}


def format_duration(seconds: float | None) -> str:
    """``h:mm:ss`` (the token age); an em dash before there is anything to show."""
    if seconds is None:
        return "—"
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_age(seconds: float | None) -> str:
    """A short age: tenths of a second below a minute (a busy feed), else ``h:mm:ss``."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{max(0.0, seconds):.1f} s"
    return format_duration(seconds)


def format_latency(seconds: float | None) -> str:
    """Feed latency in whole milliseconds (negative when the two clocks disagree)."""
    return "—" if seconds is None else f"{round(seconds * 1000)} ms"


def _shortened(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a label (the tooltip has all of it)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FeedStatusBar(QStatusBar):
    """Connection state, counters and the last error; see the module docstring."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        wall: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        # Injectable clocks let tests move time without sleeping.
        self._wall = wall
        self._clock = clock
        self._status: StatusEvent | None = None
        self._status_at = 0.0
        self._live_since_wall: float | None = None
        self._metrics: FeedMetrics | None = None

        self.state_label = self._label("Connection to the exchange")
        self.message_label = self._label("The last error or note")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long error must not widen the window: the label takes the room left (the tooltip
        # has the whole text).
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.addWidget(self.state_label)
        self.addWidget(self.message_label, 1)

        self.messages_label = self._label("Candle pushes received")
        self.errors_label = self._label(
            "Errors: garbage frames, exchange error messages, failed connects and requests"
        )
        self.reconnects_label = self._label("Reconnects since start")
        self.token_label = self._label("Age of the connect token (renewed before 24 h)")
        self.last_message_label = self._label("Time since the last candle push")
        self.latency_label = self._label(
            "Feed latency: exchange timestamp to arrival, averaged over recent pushes"
        )
        self.demo_label = self._label("Prices come from the built-in local exchange")
        self.demo_label.setText("DEMO · simulated prices")
        self.demo_label.setStyleSheet("color: #ffffff; background: #b5179e; padding: 0 6px;")
        self.demo_label.hide()
        #: The labels that show the feed's metrics (blank until the first metrics arrive).
        self._metric_labels = (
            self.messages_label,
            self.errors_label,
            self.reconnects_label,
            self.token_label,
            self.last_message_label,
            self.latency_label,
        )
        for label in (*self._metric_labels, self.demo_label):
            self.addPermanentWidget(label)

        self._message_timer = QTimer(self, singleShot=True, interval=MESSAGE_SHOWN_MS)
        self._message_timer.timeout.connect(self.clear_message)
        self._refresh_timer = QTimer(self, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._refresh_timer.start()
        self.refresh()

    def _label(self, tooltip: str) -> QLabel:
        label = QLabel(self)
        label.setToolTip(tooltip)
        label.setContentsMargins(4, 0, 4, 0)
        return label

    # -- inputs ----------------------------------------------------------------------------

    def set_status(self, event: StatusEvent) -> None:
        """The feed's connection state changed."""
        self._status = event
        self._status_at = self._clock()
        if event.state is ConnectionState.LIVE:
            self._live_since_wall = self._wall()
        self.state_label.setToolTip(f"Connection: {event.message}")
        self.refresh()

    def set_metrics(self, metrics: FeedMetrics) -> None:
        """The latest counters; shown now and re-aged every second."""
        self._metrics = metrics
        self.refresh()

    def set_demo(self, on: bool) -> None:
        self.demo_label.setVisible(on)

    def show_error(self, text: str) -> None:
        """Show ``text`` as the last error for a while."""
        self._show_message(text, "#e01b24")

    def show_note(self, text: str) -> None:
        """Show a passing note (a file saved, history loaded) for a while."""
        self._show_message(text, "")

    def clear_message(self) -> None:
        self.message_label.clear()
        self.message_label.setToolTip("")

    def _show_message(self, text: str, colour: str) -> None:
        self.message_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.message_label.setText(text)
        self.message_label.setToolTip(text)
        self._message_timer.start()

    # -- rendering -------------------------------------------------------------------------

    def state_text(self) -> str:
        """The connection state as shown, e.g. ``reconnecting in 4 s``."""
        event = self._status
        if event is None:
            return "starting…"
        if event.state is ConnectionState.CONNECTING:
            return "connecting…"
        if event.state is ConnectionState.RECONNECTING:
            # The feed says "<why>; reconnecting in 2.0 s": keep the why, count down here.
            why = _shortened(event.message.partition("; reconnecting")[0])
            if event.retry_in:
                left = math.ceil(event.retry_in - (self._clock() - self._status_at))
                if left > 0:
                    return f"reconnecting in {left} s ({why})"
            return f"reconnecting… ({why})"
        if event.state is ConnectionState.LIVE:
            quiet = self._quiet_for()
            if quiet is not None and quiet > STALE_AFTER:
                return f"live · no pushes for {format_duration(quiet)} (quiet market?)"
            return "live"
        return "stopped"

    def _quiet_for(self) -> float | None:
        """Seconds since the last push, or since going live if none came since."""
        if self._live_since_wall is None:
            return None
        last = self._live_since_wall
        if self._metrics is not None and self._metrics.last_message_at is not None:
            last = max(last, self._metrics.last_message_at)
        return self._wall() - last

    def refresh(self) -> None:
        """Re-render every field from the latest state and metrics."""
        state = self._status.state if self._status else ConnectionState.CONNECTING
        self.state_label.setText(self.state_text())
        self.state_label.setStyleSheet(f"color: {_STATE_COLOURS[state]}; font-weight: bold;")
        m = self._metrics
        if m is None:
            for label in self._metric_labels:
                label.setText("")
            return
        self.messages_label.setText(f"{m.messages:,} msgs")
        self.errors_label.setText(f"{m.errors:,} errors")
        self.errors_label.setStyleSheet("color: #e01b24;" if m.errors else "")
        self.reconnects_label.setText(f"{m.reconnects:,} reconnects")
        self.token_label.setText(f"token {format_duration(m.token_age)}")
        if m.last_message_at is None:
            self.last_message_label.setText("last msg —")
        else:
            self.last_message_label.setText(
                f"last msg {format_age(self._wall() - m.last_message_at)} ago"
            )
        self.latency_label.setText(f"latency {format_latency(m.latency_avg)}")


class MessageBanner(QFrame):
    """A dismissable message above the chart, with an optional action button.

    ``kind`` names what the message is about (``"connection"``, ``"pair"``, ``"error"``...)
    so that the window can take it down when that problem is over without hiding a
    different one that arrived since.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.kind: str | None = None
        self._on_action: Callable[[], None] | None = None
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton(self)
        self.action_button.clicked.connect(self._act)
        self.close_button = QPushButton("✕", self)
        self.close_button.setToolTip("Dismiss")
        self.close_button.setFlat(True)
        self.close_button.clicked.connect(lambda: self.clear())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self._hide_timer = QTimer(self, singleShot=True)
        self._hide_timer.timeout.connect(lambda: self.clear())
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        kind: str,
        error: bool = True,
        action: tuple[str, Callable[[], None]] | None = None,
        timeout_ms: int | None = None,
    ) -> None:
        """Show ``text`` (replacing what was there); ``action`` is (button text, callback)."""
        self.kind = kind
        self.label.setText(text)
        background = "#7a1f1f" if error else "#1f4e7a"
        self.setStyleSheet(
            f"#messageBanner {{ background: {background}; }}"
            " #messageBanner QLabel { color: #ffffff; }"
        )
        self._on_action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        if timeout_ms is None:
            self._hide_timer.stop()
        else:
            self._hide_timer.start(timeout_ms)
        self.show()

    def text(self) -> str:
        """The message shown, or ``""`` when the banner is down."""
        return self.label.text() if self.kind is not None else ""

    def clear(self, kind: str | None = None) -> None:
        """Take the banner down, or only if it is about ``kind``."""
        if kind is not None and kind != self.kind:
            return
        self.kind = None
        self._on_action = None
        self._hide_timer.stop()
        self.hide()

    def _act(self) -> None:
        callback = self._on_action
        self.clear()
        if callback is not None:
            callback()
