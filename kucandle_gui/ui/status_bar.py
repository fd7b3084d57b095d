"""What the feed is doing, as the user sees it at the bottom of the window.

The status bar shows the connection state (with a live countdown while reconnecting, a
"quiet" hint when a live feed has pushed nothing for a while, and "subscribing" until the
exchange has acknowledged the series shown: "live" is never said of a series that gets no
pushes), the last error or note, and the feed counters. A 1 s timer re-renders from the
latest ``FeedMetrics`` and state: ages and countdowns move on their own, and the cost is a few
label updates a second whatever the message rate. The words come from :mod:`.wording`.

The fields fit the bar's width, whatever it is (a 700 px window, a narrow screen half): when
they do not all fit, the least important are dropped first and the long texts are cut with
"…" (the tooltip has the whole text). From the most important:

1. the DEMO or REPLAY badge: prices that are not live are always said, whole; never dropped;
   and the REC badge while the feed is recorded (a recording that stopped says so);
2. the connection state, never dropped: at least its head ("reconnecting in 4 s", "live"
   ("replaying" during a replay), "subscribing BTC-USDT 1min…"), cut before the countdown is;
3. the last error or note (or a menu's status tip while one is shown): at least
   :data:`MESSAGE_LEAST_CHARS` characters' width (or all of a shorter one), cut at the end;
4. the rest of the state (why it reconnects, the quiet-market hint);
5. the counters that say something is wrong: failed attempts, errors, reconnects;
6. more of the message, up to :data:`MESSAGE_MORE_CHARS` characters (it goes after 30 s,
   and what gave way to it comes back);
7. the pushes received, then the time since the last one (the state says "quiet" anyway);
8. the latency, then the token's age last (housekeeping: it renews itself).

Then the message gets whatever room is left. A field that goes is back as soon as the room
is. The fit is decided from the labels' size hints (cached by Qt, recomputed only for a text
that changed) once per change of a text, of the state or of the bar's width: the 1 s refresh
costs a few sums, and visibility changes, which relayout the bar, only when a field goes or
comes. Counters keep the widest width they have had (their digits do not make the row jump
every second, nor a field come and go with them).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStatusBar, QWidget

from kucandle_gui.feed import ConnectionState, FeedMetrics, StatusEvent

from .replay_wording import (
    DEMO_BADGE,
    RECORDING_BADGE,
    RECORDING_STOPPED_BADGE,
    REPLAY_BADGE,
    recording_tooltip,
)
from .status_fields import Claim, ElidedLabel, share_out
from .wording import (
    connect_counts,
    counted,
    format_age,
    format_duration,
    format_latency,
    state_text,
    state_tooltip,
)

#: How long the last error or note stays in the status bar.
MESSAGE_SHOWN_MS = 30_000
REFRESH_MS = 1000
#: The message's least room, in average characters: before the state's reason and the counters.
MESSAGE_LEAST_CHARS = 20
#: The message's room, in average characters, before the pushes, ages and latency (it goes after
#: 30 s: they come back then).
MESSAGE_MORE_CHARS = 50
#: The gap between two fields (with the labels' own 4 px each side).
SPACING = 6

_L = TypeVar("_L", bound=QLabel)

#: Where the state's head ends: the reason in parentheses, the quiet-market hint.
_STATE_TAIL = re.compile(r" \(| · ")

_STATE_COLOURS = {
    ConnectionState.CONNECTING: "#d9a400",
    ConnectionState.LIVE: "#26a269",
    ConnectionState.RECONNECTING: "#e66100",
    ConnectionState.STOPPED: "#888888",
}


class _Row(QWidget):
    """The bar's one item, holding every field: its width is the room the fields share."""

    def __init__(self, parent: QWidget, resized: Callable[[], None]) -> None:
        super().__init__(parent)
        self._resized = resized
        # It takes the bar's width, whatever its fields would like: never widens the window.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._resized()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._resized()  # until shown, every field was kept (no width to go by)


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

        # One permanent item holds every field: a status tip (hovering a menu) then does not
        # hide the state, and the fit knows its room (the row's width).
        self._row = _Row(self, self._fit)
        row = QHBoxLayout(self._row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACING)
        self.addPermanentWidget(self._row, 1)
        #: Whether the DEMO (or REPLAY) badge is wanted (shown in any room).
        self._demo = False
        #: A replay: REPLAY rather than DEMO, and no latency (exchange time to arrival) of
        #: recorded pushes, which means nothing.
        self._replay = False
        #: The state's tooltip (the connection's story), before the whole text of a cut state.
        self._state_tip = ""

        self.state_label = self._label("Connection to the exchange", ElidedLabel(self._row))
        self.message_label = self._label(
            "The last error or note", ElidedLabel(self._row, own_width=True)
        )
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        #: A menu's status tip, in the message's place while the pointer is on the entry.
        self.tip_label = self._label("", ElidedLabel(self._row, own_width=True))
        # The message takes the room left (elided to it; the tooltip has the whole text).
        for label in (self.message_label, self.tip_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.hide()
        row.addWidget(self.state_label)
        row.addWidget(self.message_label, 1)
        row.addWidget(self.tip_label, 1)
        row.addStretch(0)  # keeps the counters to the right when there is no message

        self.messages_label = self._label("Candle pushes received")
        self.errors_label = self._label(
            "Errors: garbage frames, exchange error messages, failed connects and requests"
        )
        self.reconnects_label = self._label("Reconnects since start (of connections that were up)")
        self.attempts_label = self._label(
            "Attempts to connect that failed (no connect token, no WebSocket)"
        )
        self.token_label = self._label("Age of the connect token (renewed before 24 h)")
        self.last_message_label = self._label("Time since the last candle push")
        self.latency_label = self._label(
            "Feed latency: exchange timestamp to arrival, averaged over recent pushes"
        )
        self.demo_label = self._label(DEMO_BADGE[1])
        self.demo_label.setText(DEMO_BADGE[0])
        self.demo_label.setStyleSheet("color: #ffffff; background: #b5179e; padding: 0 6px;")
        self.recording_label = self._label("")
        self.recording_label.hide()
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
        for label in (*self._metric_labels, self.recording_label, self.demo_label):
            label.hide()  # until there is something to say, and the room for it
            row.addWidget(label)
        #: The counters, most important first (see the module docstring).
        self._counters = (
            self.attempts_label,
            self.errors_label,
            self.reconnects_label,
            self.messages_label,
            self.last_message_label,
            self.latency_label,
            self.token_label,
        )
        names = ("attempts", "errors", "reconnects", "msgs", "last_msg", "latency", "token")
        for label, name in zip(self._counters, names, strict=True):
            label.setObjectName(name)  # its field in the fit
        self.messageChanged.connect(self._show_tip)

        self._message_timer = QTimer(self, singleShot=True, interval=MESSAGE_SHOWN_MS)
        self._message_timer.timeout.connect(self.clear_message)
        self._refresh_timer = QTimer(self, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._refresh_timer.start()
        self.refresh()

    def _label(self, tooltip: str, label: _L | None = None) -> _L:
        label = QLabel(self._row) if label is None else label  # type: ignore[assignment]
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
        self._state_tip = state_tooltip(event)
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
        """Prices are simulated (``on``): the DEMO badge (REPLAY during a replay)."""
        self._demo = on
        self._fit()

    def set_replay(self, on: bool) -> None:
        """Prices are a recording played back (``on``): the badge says REPLAY while prices are
        simulated, and no latency is shown (recorded pushes are as old as the recording)."""
        self._replay = on
        text, tooltip = REPLAY_BADGE if on else DEMO_BADGE
        self.demo_label.setText(text)
        self.demo_label.setToolTip(tooltip)
        self.refresh()

    def set_recording(self, path: str | None) -> None:
        """The feed is recorded to ``path`` (None: it is not): the REC badge."""
        self.recording_label.setText(RECORDING_BADGE if path else "")
        self.recording_label.setToolTip(recording_tooltip(path) if path else "")
        _style(self.recording_label, "color: #ffffff; background: #c01c28; padding: 0 6px;")
        self._fit()

    def recording_stopped(self, why: str) -> None:
        """The recorder gave up (``why``): the badge says so (the message, where it is)."""
        self.recording_label.setText(RECORDING_STOPPED_BADGE)
        self.recording_label.setToolTip(why)
        _style(self.recording_label, "color: #c01c28;")
        self._fit()

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
        self._fit()

    def _show_message(self, text: str, colour: str, detail: str | None = None) -> None:
        _style(self.message_label, f"color: {colour};" if colour else "")
        self.message_label.setText(text)
        self.message_label.setToolTip(text if detail is None else f"{text}\n\n{detail}")
        self._message_timer.start()
        self._fit()

    def _show_tip(self, text: str) -> None:
        """A menu entry's status tip (``""``: the pointer left it): in the message's place."""
        self.tip_label.setText(text)
        self.tip_label.setToolTip(text)
        self._fit()

    # -- rendering -------------------------------------------------------------------------

    def state_text(self) -> str:
        """The connection state as shown, e.g. ``reconnecting in 4 s (no pong within 0.8 s)``."""
        since = self._clock() - self._status_at
        return state_text(self._status, since, self._quiet_for(), self._subscribing, self._replay)

    def _quiet_for(self) -> float | None:
        """Seconds since the last push, or since going live if none came since."""
        if self._live_since_wall is None:
            return None
        last = self._live_since_wall
        if self._metrics is not None and self._metrics.last_message_at is not None:
            last = max(last, self._metrics.last_message_at)
        return self._wall() - last

    def refresh(self) -> None:
        """Re-render every field from the latest state and metrics, and fit them."""
        state = self._status.state if self._status else ConnectionState.CONNECTING
        if state is ConnectionState.LIVE and self._subscribing is not None:
            state = ConnectionState.CONNECTING  # its colour: not live for this series yet
        self.state_label.setText(self.state_text())
        _style(self.state_label, f"color: {_STATE_COLOURS[state]}; font-weight: bold;")
        m = self._metrics
        if m is None:
            for label in self._metric_labels:
                label.setText("")
            self._fit()
            return
        self.messages_label.setText(counted(m.messages, "msg"))
        self.errors_label.setText(counted(m.errors, "error"))
        _style(self.errors_label, "color: #e01b24;" if m.errors else "")
        reconnects, attempts = connect_counts(m.reconnects, m.connect_attempts)
        self.reconnects_label.setText(reconnects)
        self.attempts_label.setText(attempts)
        self.token_label.setText(f"token {format_duration(m.token_age)}")
        if m.last_message_at is None:
            self.last_message_label.setText("last msg —")
        else:
            self.last_message_label.setText(
                f"last msg {format_age(self._wall() - m.last_message_at)} ago"
            )
        latency = "" if self._replay else f"latency {format_latency(m.latency_avg)}"
        self.latency_label.setText(latency)
        self._fit()

    # -- fitting ---------------------------------------------------------------------------

    def _fit(self) -> None:
        """Show the fields that fit the row, most important first (the module docstring)."""
        slot = self.tip_label if self.tip_label.text() else self.message_label
        state = self.state_label
        head = _STATE_TAIL.split(state.text(), maxsplit=1)[0]
        claims = [Claim("state", state.whole_width(head), kept=True, elidable=True)]
        if self._demo:
            claims.insert(0, Claim("demo", self.demo_label.sizeHint().width(), kept=True))
        if self.recording_label.text():
            claims.insert(0, Claim("rec", self.recording_label.sizeHint().width(), kept=True))
        if slot.text():
            least = min(slot.whole_width(), slot.chars_width(MESSAGE_LEAST_CHARS))
            claims.append(Claim("message", least, elidable=True))
        claims.append(Claim("state", state.whole_width(), kept=True, elidable=True))
        for label in self._counters:
            if label is self.messages_label and slot.text():
                more = min(slot.whole_width(), slot.chars_width(MESSAGE_MORE_CHARS))
                claims.append(Claim("message", more, elidable=True))
            if label.text():
                claims.append(Claim(label.objectName(), _reserved(label)))
        if slot.text():
            claims.append(Claim("message", slot.whole_width(), elidable=True))
        # Not shown yet (no width to go by): everything whole.
        room = self._row.width() if self._row.isVisible() else 1 << 20
        widths = share_out(claims, room, SPACING)

        state_width = widths["state"]
        state.set_room(None if state_width >= state.whole_width() else state_width)
        tip = f"{state.text()}\n{self._state_tip}" if state.elided() else self._state_tip
        if state.toolTip() != tip:
            state.setToolTip(tip)
        _show(self.demo_label, "demo" in widths)
        _show(self.recording_label, "rec" in widths)
        _show(slot, "message" in widths)
        _show(self.message_label if slot is self.tip_label else self.tip_label, False)
        for label in self._counters:
            _show(label, label.objectName() in widths)


def _style(label: QLabel, sheet: str) -> None:
    """Set a style sheet only when it changes (each setting re-polishes the label)."""
    if label.styleSheet() != sheet:
        label.setStyleSheet(sheet)


def _show(label: QLabel, shown: bool) -> None:
    if label.isHidden() == shown:
        label.setVisible(shown)


def _reserved(label: QLabel) -> int:
    """The label's width for its text, kept at the widest it has had: ages and counts that
    change every second neither move the fields after them nor make one come and go."""
    width = label.sizeHint().width()  # at least the minimum width: the widest so far
    if width > label.minimumWidth():
        label.setMinimumWidth(width)
    return width
