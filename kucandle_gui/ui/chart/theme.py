"""Chart colours: a small frozen dataclass and the two themes the app ships.

Colours are strings Qt's ``QColor`` understands (``#rrggbb`` or ``#aarrggbb``), so a theme is
plain data: it can be compared, printed and built without a QApplication.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChartTheme:
    """The colours of a ``CandleChart``."""

    name: str
    background: str
    #: Axis lines, tick labels, readout and overlay text.
    foreground: str
    grid: str
    up: str
    down: str
    volume_up: str
    volume_down: str
    crosshair: str
    last_price: str
    #: Text on the last-price tag of the price axis (drawn over ``last_price``).
    last_price_text: str = "#ffffff"
    #: Alert lines and their tags (one colour for both conditions: the tag says the price).
    alert: str = "#ff9800"
    #: The user's drawings: apart from the indicators' palette, so a trend line laid along
    #: a moving average stays told apart from it.
    drawing: str = "#d1d4dc"
    #: The frame around the active chart when several are shown.
    accent: str = "#2962ff"


DARK = ChartTheme(
    name="dark",
    background="#131722",
    foreground="#b2b5be",
    grid="#363a45",
    up="#26a69a",
    down="#ef5350",
    volume_up="#1f6f68",
    volume_down="#8c3a39",
    crosshair="#9598a1",
    last_price="#2962ff",
)

LIGHT = ChartTheme(
    name="light",
    background="#ffffff",
    foreground="#131722",
    grid="#e0e3eb",
    up="#089981",
    down="#f23645",
    volume_up="#8fd3c8",
    volume_down="#f7a9b0",
    crosshair="#787b86",
    last_price="#2962ff",
    drawing="#434651",
)
