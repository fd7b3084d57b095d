"""How often the chart repaints at most: once per frame of the screen it is on.

Apart from the widget because it asks the screen, not the chart: the coalescing timer of
:class:`~.widget.CandleChart` is set from it.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication


def frame_interval_ms() -> int:
    """The primary screen's refresh interval (60 Hz if unknown)."""
    screen = QGuiApplication.primaryScreen()
    rate = screen.refreshRate() if screen is not None else 0.0
    if not rate or rate <= 0:
        rate = 60.0
    return max(1, round(1000.0 / rate))
