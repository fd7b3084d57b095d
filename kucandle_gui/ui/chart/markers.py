"""Markers placed from data coordinates: the crosshair and the last-price line with its tag.

Both are lines in their view box's pixels (:class:`~.overlays.ViewLine`), placed here from
the boxes' ranges: a move of the mouse or a live tick is a ``setPos`` per line, and a view
change re-places them from the new range (``place``).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt

from kucandle_gui.ui.chart.axes import ValueAxis
from kucandle_gui.ui.chart.overlays import AxisTag, ViewLine, cosmetic_pen


def y_pixel(box: pg.ViewBox, value: float) -> float | None:
    """``value``'s y in the box's pixels (from the top), or None for a degenerate view."""
    _, (y0, y1) = box.viewRange()
    height = box.height()
    if y1 <= y0 or height <= 0:
        return None
    return (y1 - value) / (y1 - y0) * height


class Crosshair:
    """A vertical line through both panes on a candle, and a horizontal one at a price."""

    def __init__(self, price_box: pg.ViewBox, volume_box: pg.ViewBox) -> None:
        self._box = price_box
        self._x = ViewLine(price_box, vertical=True)
        self._y = ViewLine(price_box)
        self._vx = ViewLine(volume_box, vertical=True)
        for line in self._lines():
            line.hide()
            line.setZValue(50)
        #: Start time of the candle under the crosshair, None when hidden.
        self.time: int | None = None
        self._price: float | None = None

    def _lines(self) -> tuple[ViewLine, ...]:
        return (self._x, self._y, self._vx)

    def set_color(self, color: str) -> None:
        pen = cosmetic_pen(color, style=Qt.PenStyle.DashLine)
        for line in self._lines():
            line.set_pen(pen)

    def show(self, time: int, price: float | None) -> None:
        """On the candle starting at ``time``; at ``price`` too, unless None (volume pane)."""
        self.time = time
        self._price = price
        self.place()

    def hide(self) -> None:
        self.time = None
        self._price = None
        for line in self._lines():
            line.hide()

    def place(self) -> None:
        """Put the lines on the hovered candle and price for the boxes' current ranges."""
        if self.time is None:
            return
        box = self._box
        (x0, x1), _ = box.viewRange()
        width = box.width()
        if x1 <= x0:
            return
        x_px = (self.time - x0) / (x1 - x0) * width
        shown = 0.0 <= x_px <= width
        for line in (self._x, self._vx):
            line.setPos(x_px, 0.0)
            line.setVisible(shown)
        y_px = None if self._price is None else y_pixel(box, self._price)
        if y_px is None:
            self._y.hide()
        else:
            self._y.setPos(0.0, y_px)
            self._y.setVisible(0.0 <= y_px <= box.height())


class LastPriceMarker:
    """A dotted line across the price pane at the last price, and its tag on the price axis."""

    def __init__(self, box: pg.ViewBox, axis: ValueAxis) -> None:
        self._box = box
        self._axis = axis
        self._line = ViewLine(box)
        self._line.setZValue(30)
        self._tag = AxisTag(axis)
        self._price: float | None = None
        self.hide()

    def set_colors(self, fill: str, ink: str) -> None:
        self._line.set_pen(cosmetic_pen(fill, style=Qt.PenStyle.DotLine))
        self._tag.set_colors(fill, ink)

    def text(self) -> str:
        """The tag's text ("" while hidden)."""
        return self._tag.text() if self._price is not None else ""

    def show(self, price: float, text: str) -> None:
        self._price = price
        self._tag.set_text(text)
        self.place()

    def hide(self) -> None:
        self._price = None
        self._line.hide()
        self._tag.hide()

    def place(self) -> None:
        """Put line and tag at the price for the pane's current y range (hidden outside it)."""
        if self._price is None:
            return
        y_px = y_pixel(self._box, self._price)
        if y_px is None:
            return
        point = self._axis.mapFromItem(self._box, QPointF(0.0, y_px))
        inside = 0.0 <= y_px <= self._box.height()
        self._tag.setPos(0.0, point.y())
        self._tag.setVisible(inside)
        self._line.setPos(0.0, y_px)
        self._line.setVisible(inside)
