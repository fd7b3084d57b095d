"""The grid behind a pane's candles, at the ticks its axes show.

One-pixel filled rectangles in the view box's pixels, two fill calls per paint (major and minor
lines), rebuilt only when the view, the size or the axes' ticks change. Opaque colours: a
translucent grid would cost more to blend than the candles cost to draw. The lines sit at the
ticks the axes computed, in view coordinates, so they follow the price scale (log, percent)
the price axis follows; a scale change repaints the grid (``ValueAxis.ticksChanged``).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter

from kucandle_gui.ui.chart.axes import TimeAxis, ValueAxis
from kucandle_gui.ui.chart.items import PrimitiveBuffer
from kucandle_gui.ui.chart.overlays import PaneItem


class GridItem(PaneItem):
    """Grid lines across a view box at its axes' ticks: one-pixel rectangles, two fill calls.

    Drawn behind the candles (a child of the view box, in its pixels). The ticks come from
    the axes, so grid and labels agree; major ticks in one colour, the next level in another.
    """

    def __init__(
        self,
        box: pg.ViewBox,
        y_axis: ValueAxis,
        x_axis: TimeAxis,
        *,
        y_levels: int = 2,
        top_line: bool = False,
    ) -> None:
        super().__init__(box)
        self._y_depth = y_levels
        self._top_line = top_line
        self._y_axis = y_axis
        self._x_axis = x_axis
        self._major = QBrush(QColor("#363a45"))
        self._minor = QBrush(QColor("#262a35"))
        self._rects = (PrimitiveBuffer(QRectF), PrimitiveBuffer(QRectF))
        self._key: tuple | None = None
        self._x_levels: object = None  # the axes' tick lists the rects were built from
        self._y_levels: object = None
        self.setZValue(-1000)  # behind the view box's items (the child group is at 0)
        y_axis.ticksChanged.connect(self._ticks_changed)

    def _ticks_changed(self) -> None:
        """The value axis relabelled without a range change (its price scale changed)."""
        self.update()

    def set_x_axis(self, axis: TimeAxis) -> None:
        self._x_axis = axis
        self.update()

    def set_colors(self, major: str | QColor, minor: str | QColor) -> None:
        self._major, self._minor = QBrush(QColor(major)), QBrush(QColor(minor))
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        (x0, x1), (y0, y1) = self._box.viewRange()
        width, height = self._size
        if width <= 0 or height <= 0 or x1 <= x0 or y1 <= y0:
            return
        x_levels = self._x_axis.grid_levels(painter)
        y_levels = self._y_axis.grid_levels(painter)
        key = (x0, x1, y0, y1, width, height)
        if key != self._key or x_levels is not self._x_levels or y_levels is not self._y_levels:
            self._build(x_levels, y_levels, x0, x1, y0, y1, width, height)
            self._key, self._x_levels, self._y_levels = key, x_levels, y_levels
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._minor)
        self._rects[1].draw(painter)
        painter.setBrush(self._major)
        self._rects[0].draw(painter)

    def _build(self, x_levels, y_levels, x0, x1, y0, y1, width, height) -> None:
        # A few dozen lines: plain Python beats numpy's per-call overhead here.
        sx = width / (x1 - x0)
        sy = height / (y1 - y0)
        for level in (0, 1):
            rows: list[tuple[float, float, float, float]] = []
            if level < len(x_levels):
                for v in x_levels[level][1]:
                    x = (v - x0) * sx
                    if 0 <= x < width:
                        rows.append((math.floor(x), 0.0, 1.0, height))
            if level < min(len(y_levels), self._y_depth):
                for v in y_levels[level][1]:
                    y = (y1 - v) * sy
                    if 0 <= y < height:
                        rows.append((0.0, math.floor(y), width, 1.0))
            if level == 0 and self._top_line:  # the separator between panes
                rows.append((0.0, 0.0, width, 1.0))
            rects = self._rects[level].resize(len(rows))
            if rows:
                rects[:] = rows
