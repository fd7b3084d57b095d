"""The measure tool's texts (Qt-free functions) and what it shows: a translucent rectangle
from where Shift+drag started to the mouse, and a label beside it.

The measure is anchored in data coordinates like the drawings (it stays on its candles while
the view moves) but it is not a drawing: nothing of it is kept once it is dismissed.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsObject

from kucandle_gui.ui.chart.drawings.geometry import Frame
from kucandle_gui.ui.chart.overlays import OverlayText

#: Pixels between the rectangle and its label.
_GAP = 6.0


def span_text(seconds: float) -> str:
    """A time span in its two largest units: "45s", "37m", "2h 5m", "1d 4h", "12d"."""
    s = round(abs(seconds))
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    while len(parts) > 1 and parts[0][0] == 0:
        parts.pop(0)
    big, small = parts[0], parts[1] if len(parts) > 1 else (0, "")
    return f"{big[0]}{big[1]}" + (f" {small[0]}{small[1]}" if small[0] else "")


def measure_text(p0: float, p1: float, candles: int, seconds: float, decimals: int) -> str:
    """ "+1,234.50 (+2.05%) · 37 candles · 37m": the change from ``p0`` to ``p1`` (signed, in
    the pair's ``decimals``), in percent of ``p0``, the candles and the time between."""
    change = p1 - p0
    sign = "-" if change < 0 else "+"
    text = f"{sign}{abs(change):,.{decimals}f}"
    if p0 > 0:
        text += f" ({sign}{abs(change) / p0 * 100:,.2f}%)"
    unit = "candle" if candles == 1 else "candles"
    return f"{text} · {candles:,} {unit} · {span_text(seconds)}"


class _Box(QGraphicsObject):
    """The translucent rectangle, in its view box's pixels."""

    def __init__(self, parent: pg.ViewBox) -> None:
        super().__init__(parent)
        self._rect = QRectF()
        self._fill = QColor(0, 0, 0, 0)
        self._pen = QPen()

    def set_rect(self, rect: QRectF, color: QColor) -> None:
        self.prepareGeometryChange()
        self._rect = rect
        self._fill = QColor(color)
        self._fill.setAlpha(48)
        self._pen = QPen(color)
        self._pen.setCosmetic(True)
        self._pen.setStyle(Qt.PenStyle.DashLine)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(self._pen)
        painter.setBrush(self._fill)
        painter.drawRect(self._rect)


class Measure:
    """Shown between two data points ``(time, price)``; placed by the layer on view changes."""

    def __init__(self, box: pg.ViewBox) -> None:
        self._box = box
        self._rect = _Box(box)
        self._rect.setZValue(45)
        self._label = OverlayText(box, anchor=(0.0, 0.5))
        self._label.setZValue(65)
        self._up = QColor("#26a69a")
        self._down = QColor("#ef5350")
        self._label.set_color("#ffffff", QColor(19, 23, 34, 210))
        self.start: tuple[float, float] | None = None
        self.end: tuple[float, float] | None = None
        self.hide()

    def set_colors(self, up: str, down: str, text: str, plate: str) -> None:
        self._up, self._down = QColor(up), QColor(down)
        back = QColor(plate)
        back.setAlpha(210)
        self._label.set_color(text, back)

    @property
    def shown(self) -> bool:
        return self.start is not None

    def text(self) -> str:
        """The label ("" when nothing is measured)."""
        return self._label.text() if self.shown else ""

    def show(self, start: tuple[float, float], end: tuple[float, float], text: str) -> None:
        self.start, self.end = start, end
        self._label.set_text(text)

    def hide(self) -> None:
        self.start = self.end = None
        self._rect.hide()
        self._label.hide()

    def label_rect(self) -> QRectF:
        """The label's rectangle in the box's pixels (tests check it is beside the box)."""
        return self._label.mapRectToParent(self._label.boundingRect())

    def box_rect(self) -> QRectF:
        """The rectangle's own rectangle in the box's pixels (tests: an observation point)."""
        return self._rect.mapRectToParent(self._rect.boundingRect()).adjusted(1, 1, -1, -1)

    def place(self, frame: Frame, to_view) -> None:
        """Put the rectangle and its label at the measured points for ``frame``."""
        if self.start is None or self.end is None or not frame.valid:
            return
        (t0, p0), (t1, p1) = self.start, self.end
        ax, ay = frame.to_px(t0, to_view(p0))
        bx, by = frame.to_px(t1, to_view(p1))
        rect = QRectF(min(ax, bx), min(ay, by), abs(bx - ax), abs(by - ay))
        self._rect.set_rect(rect, self._down if p1 < p0 else self._up)
        width = self._label.boundingRect().width()
        x = rect.right() + _GAP
        if x + width > frame.width and rect.left() - _GAP - width >= 0:
            x = rect.left() - _GAP - width  # no room on the right: on the left
        y = min(max(by, 12.0), frame.height - 12.0)
        self._label.setPos(x, y)
        self._rect.show()
        self._label.show()
