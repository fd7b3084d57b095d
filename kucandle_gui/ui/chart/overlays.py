"""Items the chart lays over its panes: lines, the price tag on the axis, text.

They are placed by the chart in their parent's pixels (not in data coordinates), so the
last-price line that moves on every tick and the crosshair that moves with the mouse cost a
``setPos`` each, and nothing is mapped through the view on every paint.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject


def cosmetic_pen(color: str | QColor, width: int = 1, style=Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(color))
    pen.setCosmetic(True)
    pen.setWidth(width)
    pen.setStyle(style)
    return pen


class AxisTag(QGraphicsObject):
    """A filled label on the price axis (an alert's price, the crosshair's), placed by the
    chart in axis pixels with its first line centred on the price.

    A second line below the first (``_second``) is for :class:`~.markers.PriceTag`'s
    countdown; the geometry changes only when the plate's size does.
    """

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self._text = ""
        #: A line under the text (None: none).
        self._second: str | None = None
        self._fill = QColor("#2962ff")
        self._ink = QColor("#ffffff")
        self._font = QFont()
        self._metrics = QFontMetricsF(self._font)
        self._rect = QRectF()
        self.setZValue(100)

    def text(self) -> str:
        return self._text

    def set_colors(self, fill: str, ink: str) -> None:
        self._fill, self._ink = QColor(fill), QColor(ink)
        self.update()

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._layout()

    def _layout(self) -> None:
        metrics = self._metrics
        lines = [self._text] if self._second is None else [self._text, self._second]
        width = max(metrics.horizontalAdvance(line) for line in lines) + 8
        height = metrics.height() + 2
        extra = metrics.lineSpacing() if self._second is not None else 0.0
        rect = QRectF(0, -height / 2, width, height + extra)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self._text:
            return
        rect = self._rect
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._fill)
        painter.drawRect(rect)
        painter.setPen(self._ink)
        painter.setFont(self._font)
        height = self._metrics.height() + 2
        first = QRectF(rect.left() + 4, rect.top(), rect.width() - 4, height)
        painter.drawText(first, Qt.AlignmentFlag.AlignVCenter, self._text)
        if self._second is not None:
            top = first.bottom() - 1
            second = QRectF(first.left(), top, first.width(), rect.bottom() - top)
            painter.drawText(
                second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self._second
            )


class PaneItem(QGraphicsObject):
    """An item over the whole of its view box, drawn in the box's pixels: its bounds follow
    the box's size (``_size``: width, height), from the start and on every resize."""

    def __init__(self, box: pg.ViewBox) -> None:
        super().__init__(box)
        self._box = box
        self._size = (0.0, 0.0)
        box.sigResized.connect(self._resized)
        self._resized()

    def _resized(self, *_: object) -> None:
        self.prepareGeometryChange()
        self._size = (self._box.width(), self._box.height())

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, *self._size)


class ViewLine(QGraphicsObject):
    """A line across its parent view box, placed in the view box's pixels.

    Lighter than ``pg.InfiniteLine``, which maps its bounding rect through the view on every
    view change and paint: the last-price line moves on every tick, the crosshair on every
    mouse move. The chart places it (``setPos``) from data coordinates itself.
    """

    def __init__(self, parent: pg.ViewBox, *, vertical: bool = False) -> None:
        super().__init__(parent)
        self._box = parent
        self._vertical = vertical
        self._pen = cosmetic_pen("#2962ff")
        self._length = 0.0
        parent.sigResized.connect(self._resized)
        self._resized()

    def set_pen(self, pen: QPen) -> None:
        self._pen = pen
        self.update()

    def _resized(self, *_: object) -> None:
        self.prepareGeometryChange()
        self._length = self._box.height() if self._vertical else self._box.width()

    def boundingRect(self) -> QRectF:
        if self._vertical:
            return QRectF(-1.0, 0.0, 2.0, self._length)
        return QRectF(0.0, -1.0, self._length, 2.0)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(self._pen)
        if self._vertical:
            painter.drawLine(QLineF(0.0, 0.0, 0.0, self._length))
        else:
            painter.drawLine(QLineF(0.0, 0.0, self._length, 0.0))


class OverlayText(QGraphicsObject):
    """Text in a view box's pixel coordinates: the readout, the loading note, the watermark.

    ``anchor`` picks where ``pos()`` sits on the text (``(0, 0)`` top-left, ``(0.5, 0.5)``
    centre). An optional translucent plate behind the text keeps it readable over candles.
    """

    def __init__(
        self,
        parent: QGraphicsItem,
        *,
        point_size: float = 9.0,
        bold: bool = False,
        anchor: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        super().__init__(parent)
        self._text = ""
        self._font = QFont()
        self._font.setPointSizeF(point_size)
        self._font.setBold(bold)
        self._anchor = anchor
        self._color = QColor("#ffffff")
        self._plate: QColor | None = None
        self._rect = QRectF()
        self._metrics = QFontMetricsF(self._font)
        #: The text as painted: lines wider than ``_max_width`` wrapped at their double spaces.
        self._shown = ""
        self._max_width: float | None = None

    def text(self) -> str:
        return self._text

    def set_max_width(self, width: float | None) -> None:
        """Wrap lines wider than ``width`` pixels between their fields (two spaces apart), so
        that a long readout (many indicators) stays inside a narrow pane."""
        if width != self._max_width:
            self._max_width = width
            self._layout()

    def set_color(self, color: str | QColor, plate: str | QColor | None = None) -> None:
        self._color = QColor(color)
        self._plate = QColor(plate) if plate is not None else None
        self.update()

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._layout()

    def _layout(self) -> None:
        self.prepareGeometryChange()
        lines = self._text.split("\n") if self._text else []
        metrics = self._metrics
        widths = [metrics.horizontalAdvance(line) for line in lines]
        if self._max_width is not None and any(w + 8 > self._max_width for w in widths):
            lines = [
                part
                for line, width in zip(lines, widths, strict=True)
                for part in _wrapped(line, width, self._max_width - 8)
            ]
            widths = [metrics.horizontalAdvance(line) for line in lines]
        self._shown = "\n".join(lines)
        width = max(widths, default=0.0) + 8
        height = metrics.lineSpacing() * len(lines) + 4
        ax, ay = self._anchor
        self._rect = QRectF(-ax * width, -ay * height, width, height) if lines else QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self._text:
            return
        if self._plate is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._plate)
            painter.drawRect(self._rect)
        painter.setPen(self._color)
        painter.setFont(self._font)
        painter.drawText(
            self._rect.adjusted(4, 2, -4, -2),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            self._shown,
        )


def _wrapped(line: str, width: float, limit: float) -> list[str]:
    """``line`` (``width`` pixels wide) cut at its double spaces into lines of at most about
    ``limit`` pixels. Widths are estimated from the line's own mean character width: one
    measurement per line instead of one per field on every live tick."""
    if width <= limit or "  " not in line:
        return [line]
    per_char = width / len(line)
    out: list[str] = []
    current = ""
    for field in line.split("  "):
        joined = f"{current}  {field}" if current else field
        if current and len(joined) * per_char > limit:
            out.append(current)
            joined = field
        current = joined
    out.append(current)
    return out


class PaneTexts:
    """The texts over the price pane: the readout (top left), a watermark and a loading note.

    The watermark and the note change rarely: they are cached as pixmaps and blitted on the
    repaints of every tick instead of being laid out again.
    """

    def __init__(self, box: pg.ViewBox) -> None:
        self._box = box
        self.readout = OverlayText(box, anchor=(0.0, 0.0))
        self.readout.setPos(4, 2)
        self.readout.setZValue(60)
        self.watermark = OverlayText(box, point_size=42, bold=True, anchor=(0.5, 0.5))
        self.watermark.setZValue(40)
        self.loading = OverlayText(box, point_size=14, anchor=(0.5, 0.5))
        self.loading.setZValue(70)
        for static in (self.watermark, self.loading):
            static.hide()
            static.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_colors(self, foreground: str, background: str) -> None:
        plate = QColor(background)
        plate.setAlpha(190)
        self.readout.set_color(foreground, plate)
        self.loading.set_color(foreground, plate)
        mark = QColor(foreground)
        mark.setAlpha(48)
        self.watermark.set_color(mark)

    def set_text(self, item: OverlayText, text: str | None) -> None:
        """Show ``text`` in the watermark or the loading note, or hide it (None or empty)."""
        item.set_text(text or "")
        item.setVisible(bool(text))
        self.place()

    @staticmethod
    def shown_text(item: OverlayText) -> str | None:
        return item.text() if item.isVisible() else None

    def place(self) -> None:
        """Centre the watermark and the note in the pane (after a resize)."""
        rect = self._box.rect()
        centre = rect.center()
        self.watermark.setPos(centre)
        self.loading.setPos(centre)
        self.readout.set_max_width(max(rect.width() - 8.0, 80.0))
