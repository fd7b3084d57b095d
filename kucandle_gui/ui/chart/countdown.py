"""The last-price tag's countdown: time left until the current period's candle closes,
ticking each second.

A single-shot timer re-armed for just after the next whole second (candle start times are
whole seconds, so the text changes exactly then), which calls back with the clock's time.
The chart then sets the tag's text (``countdown_to_close``: the period containing now,
whatever candle is held last): no redraw of the chart, only the tag repaints. The timer runs
only while the chart is on screen (shown, its window not minimized) and has candles. The
clock is injectable (tests).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

#: Fire this long after the whole second (a timer may be a little early).
_LATE_MS = 3


class Countdown(QObject):
    """Calls ``show(now)`` on every whole second of ``clock`` while started."""

    def __init__(self, show: Callable[[float], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show = show
        #: The time source (``time.time``); tests put a fake one here.
        self.clock: Callable[[], float] = time.time
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)
        self._running = False

    def running(self) -> bool:
        return self._running

    def set_running(self, on: bool) -> None:
        """Start (showing the time left now) or stop ticking."""
        if on == self._running:
            return
        self._running = on
        if on:
            self.tick()
        else:
            self._timer.stop()

    def tick(self) -> None:
        """Show the time left now, and arm the timer for the next whole second."""
        now = self.clock()
        self._show(now)
        if self._running:
            wait = (math.floor(now) + 1.0 - now) * 1000.0
            self._timer.start(max(1, min(1000, math.ceil(wait))) + _LATE_MS)
