"""Dark and light themes for the widgets around the chart.

The chart has its own colours (``ChartTheme``); this module gives the rest of the window a
matching Qt palette. Fusion is used for both themes because it is the one style that follows
the palette on every platform, so dark really is dark on Windows and macOS too.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

DARK = "dark"
LIGHT = "light"
THEMES: tuple[str, ...] = (DARK, LIGHT)

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

#: Dark palette roles; the disabled group is dimmed separately below.
_DARK_COLOURS: dict[QPalette.ColorRole, str] = {
    _Role.Window: "#1e2229",
    _Role.WindowText: "#d8dee9",
    _Role.Base: "#161a20",
    _Role.AlternateBase: "#232830",
    _Role.ToolTipBase: "#2b313b",
    _Role.ToolTipText: "#e5e9f0",
    _Role.PlaceholderText: "#7b8494",
    _Role.Text: "#d8dee9",
    _Role.Button: "#272c35",
    _Role.ButtonText: "#d8dee9",
    _Role.BrightText: "#ff6b6b",
    _Role.Link: "#6cb6ff",
    _Role.Highlight: "#2f6fb3",
    _Role.HighlightedText: "#ffffff",
}
_DARK_DISABLED = "#6b7280"


def palette_for(theme: str) -> QPalette:
    """The application palette of ``theme`` (``"dark"`` or ``"light"``)."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; one of {', '.join(THEMES)}")
    style = QStyleFactory.create("Fusion")
    palette = style.standardPalette()
    if theme == LIGHT:
        return palette
    for role, colour in _DARK_COLOURS.items():
        palette.setColor(role, QColor(colour))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(_Group.Disabled, role, QColor(_DARK_DISABLED))
    return palette


def apply_theme(app: QApplication, theme: str) -> None:
    """Give every widget of ``app`` the palette of ``theme``."""
    palette = palette_for(theme)
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(palette)
