"""The chart's series items: candlesticks in the price pane, volume bars in the volume pane.

Candles and volume bars are drawn the way pyqtgraph's ``BarGraphItem`` draws bars of one
colour: rectangles sit in a numpy array laid out as ``QRectF`` (four doubles each) and go to
``QPainter.drawRects`` in one call per colour and part, through a pointer to the array
(PySide6 >= 6.4.3 takes ``(pointer, count)``). Python makes a fixed number of calls per paint,
not one per candle. Wicks are one-pixel-wide filled rectangles rather than lines: filling is
several times cheaper than stroking in Qt's raster engine.

Only the view's :class:`~kucandle_gui.ui.chart.sampling.Frame` is drawn: the visible candles,
or per-pixel buckets when zoomed out. The arrays are rebuilt only when the frame or the pixel
size changes (the view moved, or a candle other than the newest changed); the newest candle is
drawn apart with two calls, so a live tick costs the same whatever the history length. The
items read the series through the sampler, so a chart that switches series tells one object.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter

from kucandle_gui.ui.chart.sampling import Frame, Sampler
from kucandle_gui.ui.chart.scaled import Scaled

#: Candle body width as a fraction of the timeframe.
BODY_FRACTION = 0.8


class PrimitiveBuffer:
    """A growable numpy array of ``QRectF`` or ``QLineF`` drawn with one painter call.

    The idea is pyqtgraph's ``Qt/internals.py`` ``PrimitiveArray``; this is our own minimal
    version for PySide6 (pointer + count), with capacity kept across frames.
    """

    def __init__(self, kind: type[QRectF] | type[QLineF]) -> None:
        self._kind = kind
        self._array = np.empty((0, 4), dtype=np.float64)
        self._size = 0
        #: The array as the painter takes it, wrapped once per allocation (wrapping costs
        #: more than the draw call of a few candles).
        self._pointer = shiboken6.wrapInstance(self._array.ctypes.data, kind)

    def __len__(self) -> int:
        return self._size

    def resize(self, size: int) -> np.ndarray:
        """Make room for ``size`` primitives and return their ``(size, 4)`` array to fill."""
        if size > len(self._array):
            self._array = np.empty((max(size, 2 * len(self._array)), 4), dtype=np.float64)
            self._pointer = shiboken6.wrapInstance(self._array.ctypes.data, self._kind)
        self._size = size
        return self._array[:size]

    def draw(self, painter: QPainter) -> None:
        if not self._size:
            return
        if self._kind is QRectF:
            painter.drawRects(self._pointer, self._size)
        else:
            painter.drawLines(self._pointer, self._size)


class _SeriesItem(pg.GraphicsObject):
    """Common part of the candle and volume items: bounds, frame tracking, colours.

    Everything is drawn as filled rectangles without a pen: wicks are one pixel wide, bodies
    and bars at least one pixel wide (and bodies one pixel tall, so a doji shows). Filling
    rectangles is several times cheaper in Qt's raster engine than stroking outlines or
    cosmetic lines, so the pixel size is part of what the arrays are built for.
    """

    def __init__(self, sampler: Sampler, view: pg.ViewBox) -> None:
        super().__init__()
        self._sampler = sampler
        self._view = view
        self._bounds = QRectF()
        self._built_key: tuple | None = None
        self._drawn = 0
        self._last_frame: Frame | None = None
        self._brushes = (QBrush(QColor("#26a69a")), QBrush(QColor("#ef5350")))
        # [up, down] x [wicks (or bucket columns), bodies (or bars)]
        self._thin = (PrimitiveBuffer(QRectF), PrimitiveBuffer(QRectF))
        self._wide = (PrimitiveBuffer(QRectF), PrimitiveBuffer(QRectF))

    def set_colors(self, up: str, down: str) -> None:
        self._brushes = (QBrush(QColor(up)), QBrush(QColor(down)))
        self.update()

    def drawn_count(self) -> int:
        """Candles or buckets drawn in the last paint (the live candle counts as one)."""
        return self._drawn

    def last_frame(self) -> Frame | None:
        return self._last_frame

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _data_rect(self) -> QRectF:
        raise NotImplementedError

    def refresh_bounds(self) -> None:
        """Call after the data changed: keeps the bounding rect around the data, and repaints.

        The rect gets headroom (half its size each way) so that a growing live candle or an
        append does not change the item's geometry on every update; it is recomputed when the
        data leaves it or fills less than a quarter of it.
        """
        data = self._data_rect()
        bounds = self._bounds
        if data.isNull():
            if not bounds.isNull():
                self.prepareGeometryChange()
                self._bounds = QRectF()
        elif (
            bounds.isNull()
            or not bounds.contains(data)
            or data.width() < bounds.width() / 4
            or data.height() < bounds.height() / 4
        ):
            self.prepareGeometryChange()
            dx, dy = data.width() / 2, data.height() / 2
            self._bounds = data.adjusted(-dx, -dy, dx, dy)
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        view = self._view
        (x0, x1), (y0, y1) = view.viewRange()
        width, height = view.width(), view.height()
        if width <= 0 or height <= 0 or x1 <= x0 or y1 <= y0:
            return
        px = (x1 - x0) / width  # one pixel in data units
        py = (y1 - y0) / height
        frame = self._sampler.frame(x0, x1, width)
        key = (frame.serial, *self._scale_key(px, py))
        if key != self._built_key:
            self._build(frame, px, py)
            self._built_key = key
        self._last_frame = frame
        painter.setPen(Qt.PenStyle.NoPen)
        for side in (0, 1):
            painter.setBrush(self._brushes[side])
            self._thin[side].draw(painter)
            self._wide[side].draw(painter)
        live = frame.live_visible and len(self._sampler.store) > 0
        if live:
            self._draw_live(painter, px, py)
        self._drawn = frame.count + int(live)

    def _scale_key(self, px: float, py: float) -> tuple[float, ...]:
        return (px, py)

    def _build(self, frame: Frame, px: float, py: float) -> None:
        raise NotImplementedError

    def _draw_live(self, painter: QPainter, px: float, py: float) -> None:
        raise NotImplementedError


class CandleItem(Scaled, _SeriesItem):
    """Candlesticks (wick + body) in the price pane; bucket columns when zoomed out.

    Drawn in the view coordinates of a :class:`~kucandle_gui.model.price_scale.PriceScale`
    (``set_scale``; linear by default): on a log scale the frame's four price columns are
    converted when the arrays are built (the visible frame only, once per view), and the live
    candle's four prices per paint. Whether the scale is logarithmic is part of the key the
    arrays were built for; linear and percent draw the same geometry.
    """

    def __init__(self, sampler: Sampler, view: pg.ViewBox) -> None:
        super().__init__(sampler, view)
        self._follow_scale()
        self._log = False

    def _rescaled(self) -> None:
        if self._scale.is_log == self._log:
            return  # a percent base, or linear <-> percent: the same geometry
        self._log = self._scale.is_log
        self._built_key = None
        self.prepareGeometryChange()
        self._bounds = QRectF()  # in other units now: recomputed, not kept with headroom
        self.refresh_bounds()

    def _scale_key(self, px: float, py: float) -> tuple[float, ...]:
        return (self._log, px, py)

    def _data_rect(self) -> QRectF:
        store = self._sampler.store
        bounds = store.bounds()
        if bounds is None:
            return QRectF()
        low, high, _ = bounds
        if self._log:
            low, high = self._scale.to_view(low), self._scale.to_view(high)
        tf = self._sampler.timeframe
        x0 = float(store.first_time()) - tf
        x1 = float(store.last_time()) + tf
        return QRectF(x0, low, x1 - x0, max(high - low, 1e-12))

    def _build(self, frame: Frame, px: float, py: float) -> None:
        up = frame.up
        half = max(frame.step * BODY_FRACTION, px) / 2
        view = self._scale.to_view_array  # the arrays themselves unless log
        lows, highs = view(frame.low), view(frame.high)
        for side, mask in enumerate((up, ~up)):
            x = frame.x[mask]
            low = lows[mask]
            count = len(x)
            wicks = self._thin[side].resize(count)
            wicks[:, 0] = x - px / 2
            wicks[:, 1] = low
            wicks[:, 2] = px
            np.maximum(highs[mask] - low, py, out=wicks[:, 3])
            if frame.aggregated:
                self._wide[side].resize(0)
                continue
            o, c = view(frame.open[mask]), view(frame.close[mask])
            bodies = self._wide[side].resize(count)
            bodies[:, 0] = x - half
            np.minimum(o, c, out=bodies[:, 1])
            bodies[:, 2] = 2 * half
            np.maximum(np.abs(c - o), py, out=bodies[:, 3])

    def _draw_live(self, painter: QPainter, px: float, py: float) -> None:
        store = self._sampler.store
        i = len(store) - 1
        x = float(store.time[i])
        o, h, low, c = (
            float(store.open[i]),
            float(store.high[i]),
            float(store.low[i]),
            float(store.close[i]),
        )
        brush = self._brushes[0 if c >= o else 1]
        if self._log:
            view = self._scale.to_view
            o, h, low, c = view(o), view(h), view(low), view(c)
        half = max(self._sampler.timeframe * BODY_FRACTION, px) / 2
        painter.setBrush(brush)
        painter.drawRect(QRectF(x - px / 2, low, px, max(h - low, py)))
        painter.drawRect(QRectF(x - half, min(o, c), 2 * half, max(abs(c - o), py)))


class VolumeItem(_SeriesItem):
    """Volume bars from zero in the volume pane (bucket maxima when zoomed out)."""

    def _data_rect(self) -> QRectF:
        store = self._sampler.store
        bounds = store.bounds()
        if bounds is None:
            return QRectF()
        tf = self._sampler.timeframe
        x0 = float(store.first_time()) - tf
        x1 = float(store.last_time()) + tf
        return QRectF(x0, 0.0, x1 - x0, max(bounds[2], 1e-12))

    def _scale_key(self, px: float, py: float) -> tuple[float, ...]:
        return (px,)  # bar heights do not depend on the y scale

    def _build(self, frame: Frame, px: float, py: float) -> None:
        up = frame.up
        width = px if frame.aggregated else max(frame.step * BODY_FRACTION, px)
        for side, mask in enumerate((up, ~up)):
            x = frame.x[mask]
            bars = self._wide[side].resize(len(x))
            bars[:, 0] = x - width / 2
            bars[:, 1] = 0.0
            bars[:, 2] = width
            bars[:, 3] = frame.volume[mask]
            self._thin[side].resize(0)

    def _draw_live(self, painter: QPainter, px: float, py: float) -> None:
        store = self._sampler.store
        i = len(store) - 1
        width = max(self._sampler.timeframe * BODY_FRACTION, px)
        painter.setBrush(self._brushes[0 if store.close[i] >= store.open[i] else 1])
        x = float(store.time[i])
        painter.drawRect(QRectF(x - width / 2, 0.0, width, float(store.volume[i])))
