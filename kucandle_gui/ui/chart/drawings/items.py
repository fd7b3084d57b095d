"""What a drawing looks like on the pane: a segment in the price pane's pixels, with square
handles on its end points when selected; a horizontal line also has its price tag on the axis.

Placed by the layer (``set_geometry``) from data coordinates on every view change, like the
chart's last-price line: nothing is mapped through the view on paint, and the view box clips
what reaches past its edges.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from kucandle_gui.model.drawings import Drawing, HorizontalLine
from kucandle_gui.ui.chart.drawings.geometry import (
    Frame,
    Point,
    Segment,
    clipped,
    extended_right,
)
from kucandle_gui.ui.chart.overlays import AxisTag

#: Half the side of an end point's handle, in pixels.
HANDLE_HALF = 4.0
#: Children of the view box, so over everything in its child group (candles, indicator and
#: alert lines), under the last-price line (30), the crosshair (50) and the readout (60).
Z_LINE = 28
Z_TAG = 90
#: Segments are clipped to the pane grown by this many pixels (no huge coordinates painted).
MARGIN = 20.0


class SegmentItem(QGraphicsObject):
    """A line segment in its parent's pixels, and optional handles (squares) on points."""

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setZValue(Z_LINE)
        self._line: QLineF | None = None
        self._handles: tuple[QPointF, ...] = ()
        self._pen = QPen(QColor("#2196f3"))
        self._pen.setCosmetic(True)
        self._rect = QRectF()

    def set_style(self, color: QColor, width: int, style: Qt.PenStyle) -> None:
        pen = QPen(color)
        pen.setCosmetic(True)
        pen.setWidth(width)
        pen.setStyle(style)
        self._pen = pen
        self.update()

    def set_geometry(self, segment: Segment | None, handles: Sequence[Point] = ()) -> None:
        """Draw ``segment`` (None: nothing) and a handle on each of ``handles``."""
        line = None if segment is None else QLineF(*segment)
        points = tuple(QPointF(x, y) for x, y in handles)
        if line == self._line and points == self._handles:
            return
        self.prepareGeometryChange()
        self._line, self._handles = line, points
        rect = QRectF() if line is None else QRectF(line.p1(), line.p2()).normalized()
        for point in points:
            rect = rect.united(QRectF(point, point))
        pad = HANDLE_HALF + 2
        self._rect = rect.adjusted(-pad, -pad, pad, pad)
        self.update()

    def line(self) -> QLineF | None:
        """The segment drawn, None for none (tests: an observation point)."""
        return self._line

    def handles(self) -> tuple[QPointF, ...]:
        """The handles drawn (tests: an observation point)."""
        return self._handles

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._line is not None:
            painter.setPen(self._pen)
            painter.drawLine(self._line)
        if self._handles:
            painter.setPen(QPen(self._pen.color(), 0))
            painter.setBrush(self._pen.color().darker(250))
            for point in self._handles:
                painter.drawRect(
                    QRectF(
                        point.x() - HANDLE_HALF,
                        point.y() - HANDLE_HALF,
                        2 * HANDLE_HALF,
                        2 * HANDLE_HALF,
                    )
                )


class Drawn:
    """One drawing on screen: what it is, its items, and where they are (for picking).

    ``override`` is drawn instead of ``drawing`` while the user drags it; ``segment`` (the
    part on the pane, None: off it) and ``ends`` (a trend line's two points, left first) are
    in the pane's pixels after :meth:`place`.
    """

    __slots__ = ("_axis", "_box", "drawing", "ends", "line", "override", "segment", "tag")

    def __init__(self, drawing: Drawing, box: pg.ViewBox, axis: QGraphicsItem | None) -> None:
        self.drawing = drawing
        self.override: Drawing | None = None
        self.segment: Segment | None = None
        self.ends: tuple[Point, ...] = ()
        self._box, self._axis = box, axis
        self.line = SegmentItem(box)
        self.tag: AxisTag | None = None
        if axis is not None:
            self.tag = AxisTag(axis)
            self.tag.setZValue(Z_TAG)
            self.tag.hide()

    def set_colors(self, color: QColor, selected: bool) -> None:
        self.line.set_style(color, 2 if selected else 1, Qt.PenStyle.SolidLine)
        if self.tag is not None:
            ink = "#000000" if color.lightnessF() > 0.55 else "#ffffff"
            self.tag.set_colors(color.name(), ink)

    def place(
        self,
        frame: Frame,
        to_view: Callable[[float], float],
        tag_text: Callable[[float], str],
        *,
        handles: bool,
    ) -> None:
        """Put the items at the drawing's data coordinates for ``frame``: a trend line
        straight between its mapped points (extended on the screen line to the right edge),
        a horizontal line across with its tag (``tag_text(price)``) on the axis."""
        if not frame.valid:
            self.segment, self.ends = None, ()
            self.line.hide()
            if self.tag is not None:
                self.tag.hide()
            return
        drawing = self.override or self.drawing
        w, h = frame.width, frame.height
        bounds = (-MARGIN, -MARGIN, w + MARGIN, h + MARGIN)
        if isinstance(drawing, HorizontalLine):
            y = frame.to_px(frame.x0, to_view(drawing.price))[1]
            self.segment, self.ends = clipped((0.0, y, w, y), *bounds), ()
            self._place_tag(tag_text(drawing.price), y, h)
        else:
            a = frame.to_px(drawing.t1, to_view(drawing.p1))
            b = frame.to_px(drawing.t2, to_view(drawing.p2))
            a, b = (a, b) if a[0] <= b[0] else (b, a)
            end = extended_right(a, b, w + MARGIN) if drawing.extend_right else b
            self.segment = clipped((*a, *end), *bounds)
            self.ends = (a, b)
        shown = [p for p in self.ends if _inside(p, bounds)] if handles else ()
        self.line.set_geometry(self.segment, shown)
        self.line.setVisible(self.segment is not None)

    def _place_tag(self, text: str, y: float, height: float) -> None:
        tag, axis = self.tag, self._axis
        if tag is None or axis is None:
            return
        tag.set_text(text)
        tag.setPos(0.0, axis.mapFromItem(self._box, QPointF(0.0, y)).y())
        tag.setVisible(0.0 <= y <= height)

    def remove(self) -> None:
        """Take the items off the scene."""
        for item in (self.line, self.tag):
            if item is None:
                continue
            scene = item.scene()
            if scene is not None:
                scene.removeItem(item)
            item.setParentItem(None)


def _inside(p: Point, bounds: tuple[float, float, float, float]) -> bool:
    left, top, right, bottom = bounds
    return left <= p[0] <= right and top <= p[1] <= bottom
