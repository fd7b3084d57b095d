"""What the feed is doing, as the user sees it at the bottom of the window.

The status bar shows the connection state (with a live countdown while reconnecting, a
"quiet" hint when a live feed has pushed nothing for a while, and "subscribing" until the
exchange has acknowledged the series shown: "live" is never said of a series that gets no
pushes), the last error or note, and the feed counters. A 1 s timer re-renders from the
latest ``FeedMetrics`` and state: ages and countdowns move on their own, and the cost is a few
label updates a second whatever the message rate. The words come from :mod:`.wording`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from kucandle_gui.feed import ConnectionState, FeedMetrics, StatusEvent

from .wording import (
    connect_counts,
    format_age,
    format_duration,
    format_latency,
    state_text,
    state_tooltip,
)

#: How long the last error or note stays in the status bar.
MESSAGE_SHOWN_MS = 30_000
REFRESH_MS = 1000

_STATE_COLOURS = {
    ConnectionState.CONNECTING: "#d9a400",
    ConnectionState.LIVE: "#26a269",
    ConnectionState.RECONNECTING: "#e66100",
    ConnectionState.STOPPED: "#888888",
}


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
        #: The series shown while its subscription is not acknowledged (None: it is, or no
        #: series was said).
        self._subscribing: str | None = None

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
        self.reconnects_label = self._label("Reconnects since start (of connections that were up)")
        self.attempts_label = self._label(
            "Attempts to connect that failed (no connect token, no WebSocket)"
        )
        self.attempts_label.hide()  # shown once there are any
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
            self.attempts_label,
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
        self.state_label.setToolTip(state_tooltip(event))
        self.refresh()

    def set_metrics(self, metrics: FeedMetrics) -> None:
        """The latest counters; shown now and re-aged every second."""
        self._metrics = metrics
        self.refresh()

    def set_subscription(self, series: str, subscribed: bool) -> None:
        """Whether the exchange acknowledged the subscription of ``series``, the one shown."""
        self._subscribing = None if subscribed else series
        self.refresh()

    def set_demo(self, on: bool) -> None:
        self.demo_label.setVisible(on)

    def show_error(self, text: str, detail: str | None = None) -> None:
        """Show ``text`` as the last error for a while; ``detail`` (the words behind it) in
        its tooltip."""
        self._show_message(text, "#e01b24", detail)

    def show_note(self, text: str) -> None:
        """Show a passing note (a file saved, history loaded) for a while."""
        self._show_message(text, "")

    def clear_message(self) -> None:
        self.message_label.clear()
        self.message_label.setToolTip("")

    def _show_message(self, text: str, colour: str, detail: str | None = None) -> None:
        self.message_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.message_label.setText(text)
        self.message_label.setToolTip(text if detail is None else f"{text}\n\n{detail}")
        self._message_timer.start()

    # -- rendering -------------------------------------------------------------------------

    def state_text(self) -> str:
        """The connection state as shown, e.g. ``reconnecting in 4 s (no pong within 0.8 s)``."""
        return state_text(
            self._status, self._clock() - self._status_at, self._quiet_for(), self._subscribing
        )

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
        if state is ConnectionState.LIVE and self._subscribing is not None:
            state = ConnectionState.CONNECTING  # its colour: not live for this series yet
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
        reconnects, attempts = connect_counts(m.reconnects, m.connect_attempts)
        for label, text in ((self.reconnects_label, reconnects), (self.attempts_label, attempts)):
            label.setText(text)
            label.setVisible(bool(text))
        self.token_label.setText(f"token {format_duration(m.token_age)}")
        if m.last_message_at is None:
            self.last_message_label.setText("last msg —")
        else:
            self.last_message_label.setText(
                f"last msg {format_age(self._wall() - m.last_message_at)} ago"
            )
        self.latency_label.setText(f"latency {format_latency(m.latency_avg)}")
