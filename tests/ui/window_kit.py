"""What the window's layout tests share: a workspace spec from series, the cells' series, the
active cell, and a user's clicks and waits on a window's cells."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kucandle_gui.model import CellSpec, LayoutKind, SeriesKey, WorkspaceSpec
from kucandle_gui.model.indicators import parse_indicator_spec
from kucandle_gui.ui.cells import ChartCell
from kucandle_gui.ui.main_window import MainWindow

WAIT_MS = 15_000
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
EMA20, RSI14 = parse_indicator_spec("ema:20"), parse_indicator_spec("rsi:14")


def spec(layout: LayoutKind, *series: tuple[str, str], active: int = 0) -> WorkspaceSpec:
    return WorkspaceSpec(layout, tuple(CellSpec(SeriesKey.of(*s)) for s in series), active)


def keys(window: MainWindow) -> list[tuple[str, str]]:
    return [tuple(cell.model.key) for cell in window.grid.cells]


def active_index(window: MainWindow) -> int:
    return window.grid.cells.index(window.grid.active)


def focus(qtbot, window: MainWindow) -> None:
    """The window active, so that its shortcuts take keys."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


def drawn(qtbot, cell: ChartCell) -> None:
    """Until the cell's chart shows candles of its series."""
    qtbot.waitUntil(
        lambda: cell.chart.candle_count() > 0 and cell.chart.loading_text() is None,
        timeout=WAIT_MS,
    )


def click(qtbot, cell: ChartCell, fx: float = 0.5, fy: float = 0.5) -> None:
    """A left click at fractions of the cell's price pane."""
    box = cell.chart.price_view
    rect = box.rect()
    scene = box.mapToScene(rect.left() + fx * rect.width(), rect.top() + fy * rect.height())
    point = cell.chart.graphics_view.mapFromScene(scene)
    qtbot.mouseClick(cell.chart.graphics_view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def study_entries(window: MainWindow) -> list[str]:
    """The studies' entries of the Indicators menu."""
    keeper = window.indicators
    menu = window.menu_actions.indicators_menu
    return [a.text() for a in menu.actions() if a in keeper.study_actions.values()]
