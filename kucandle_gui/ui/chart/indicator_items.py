"""Indicator drawing: a study's lines (and MACD's histogram) in its pane, and RSI's guides.

One :class:`StudyItem` per study, created once and kept while the study is listed: updates
repaint it, they never re-create it (pyqtgraph #2672/#2665: items re-created per update leak
on PySide6). Each output is a one-pixel cosmetic line drawn with ``drawPolyline`` over a
``QPolygonF`` filled through numpy (one per stretch of defined values, usually one; about a
third cheaper than as many separate segments); MACD's histogram is two ``drawRects`` over
numpy-backed arrays (one per sign), like the volume bars.

Work is cached in two stages, so that a tick of the forming candle costs O(1):

1. *Samples* (view coordinates, through the price scale on the price pane): the values at
   the view's history entries — the sampler's visible candles, or per-pixel buckets reduced
   to first/last/low/high when zoomed out (:func:`~.sampling.sample_values`). Keyed by the
   sampler's frame (store ``history_version`` + visible range), the indicator set's
   ``history_version`` and the scale mode: a live tick changes none of them.
2. *Pixels*: the points mapped into the view box's pixels (the items are children of the
   box, placed in its pixels like the grid and markers, so there is no bounding rect to keep
   around data). Keyed by stage 1 and the view's range and size.

The newest (forming) candle is never part of them: its segment (from the candle before) and
its histogram bar are drawn apart on each paint, from two values read by index; the segment
whenever it crosses the view, even with the newest candle itself off-screen.

A line (not zoomed out) runs through the frame's candles and one candle more on each side
(:func:`~.sampling.line_span`): KuCoin sends no candle for a minute without trades, and
across such a gap the neighbour of the first or last candle in view may be well outside the
view, yet the line must reach the pane's edge towards it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPolygonF

from kucandle_gui.ui.chart.items import BODY_FRACTION, PrimitiveBuffer
from kucandle_gui.ui.chart.overlays import PaneItem, cosmetic_pen
from kucandle_gui.ui.chart.sampling import Frame, Sampler, Samples, line_span, sample_values

#: ``() -> tuple of arrays`` (one per output, aligned with the store) or None (nothing to draw).
ValuesSource = Callable[[], "tuple[np.ndarray, ...] | None"]
#: ``() -> frame``: the sampler's frame for the chart's current view (one for every pane).
FrameSource = Callable[[], Frame]
#: A monotonic price → view map over arrays (the price scale), or None (identity).
ArrayMap = Callable[[np.ndarray], np.ndarray]


def bucket_band(samples: Samples) -> np.ndarray:
    """``(m, 3)`` columns ``x, low, high`` of zoomed-out buckets, in view coordinates.

    What the full line covers in each bucket's pixel column: the bucket's range, stretched
    to the previous bucket's last value (the line's join into this column). Drawn as filled
    one-pixel rectangles: several times cheaper than stroking four points per column, and
    an oscillator zoomed out covers much of its pane.
    """
    before = np.empty_like(samples.last)
    before[0] = np.nan
    before[1:] = samples.last[:-1]
    return np.column_stack((samples.x, np.fmin(samples.low, before), np.fmax(samples.high, before)))


def finite_runs(points: np.ndarray) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of the runs of at least two defined points."""
    ok = np.isfinite(points[:, 1])
    if ok.all():
        return [(0, len(ok))] if len(ok) >= 2 else []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.view(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[0::2], edges[1::2], strict=True) if b - a >= 2]


class _Line:
    """One output drawn as a line: its pen, samples, and what is drawn of them: polylines
    through the candles' values, or columns over the buckets' bands when zoomed out."""

    __slots__ = (
        "band",
        "brush",
        "columns",
        "output",
        "pen",
        "points",
        "polylines",
        "runs",
        "samples",
    )

    def __init__(self, output: int, color: str) -> None:
        self.output = output
        self.pen = cosmetic_pen(color)
        self.brush = QBrush(QColor(color))
        self.samples: Samples | None = None
        self.points = np.empty((0, 2))
        self.band: np.ndarray | None = None  # zoomed out: x, low, high per bucket
        self.runs: list[tuple[int, int]] = []
        self.polylines: list[QPolygonF] = []
        self.columns = PrimitiveBuffer(QRectF)


class StudyItem(PaneItem):
    """A study's outputs in one pane: lines, and optionally a histogram (MACD)."""

    def __init__(
        self,
        box: pg.ViewBox,
        sampler: Sampler,
        frame: FrameSource,
        values: ValuesSource,
        version: Callable[[], object],
        *,
        lines: Sequence[tuple[int, str]],
        histogram: int | None = None,
        to_view: ArrayMap | None = None,
        to_view_one: Callable[[float], float] | None = None,
        scale_key: Callable[[], object] = lambda: None,
    ) -> None:
        super().__init__(box)
        self._sampler = sampler
        self._frame = frame
        self._values = values
        self._version = version
        self._to_view = to_view
        self._to_view_one = to_view_one
        self._scale_key = scale_key
        self._lines = [_Line(output, color) for output, color in lines]
        self._histogram = histogram
        self._hist: Samples | None = None
        self._bars = (PrimitiveBuffer(QRectF), PrimitiveBuffer(QRectF))
        self._brushes = (QBrush(QColor("#26a69a")), QBrush(QColor("#ef5350")))
        self._data_key: object = None
        self._pixel_key: object = None
        #: How many times each stage was built (tests: a live tick builds neither).
        self.builds = [0, 0]
        self.setZValue(20)  # over the candles (the box's child group is at 0), under markers

    # ------------------------------------------------------------------ setup

    def set_colors(self, colors: Sequence[str]) -> None:
        """One colour per line, in the order the lines were given."""
        for line, color in zip(self._lines, colors, strict=True):
            line.pen = cosmetic_pen(color)
            line.brush = QBrush(QColor(color))
        self.update()

    def set_bar_colors(self, up: str, down: str) -> None:
        self._brushes = (QBrush(QColor(up)), QBrush(QColor(down)))
        self.update()

    @property
    def data_key(self) -> object:
        """What the samples were last built for (tests: unchanged by a live tick)."""
        return self._data_key

    def invalidate(self) -> None:
        """Rebuild at the next paint (the values were replaced by another set)."""
        self._data_key = None
        self.update()

    # ------------------------------------------------------------------ data

    def samples(self) -> tuple[list[Samples | None], Samples | None] | None:
        """Stage 1 for the current view: each line's samples and the histogram's (None when
        there is nothing to draw). Built at most once per frame and values' history."""
        arrays = self._values()
        if arrays is None:
            return None
        self._ensure_samples(self._frame(), arrays)
        return [line.samples for line in self._lines], self._hist

    def _ensure_samples(self, frame: Frame, arrays: tuple[np.ndarray, ...]) -> None:
        key = (frame.serial, self._version(), self._scale_key())
        if key == self._data_key:
            return
        self.builds[0] += 1
        to_view = self._to_view
        store = self._sampler.store
        span = None if frame.aggregated else line_span(frame, len(store))
        for line in self._lines:
            values = arrays[line.output]
            samples = sample_values(frame, values)
            line.samples = samples = samples.mapped(to_view) if to_view is not None else samples
            if span is not None:
                line.band = None
                first, last = span
                y = values[first:last]
                x = store.time[first:last].astype(np.float64)
                line.points = np.column_stack((x, to_view(y) if to_view is not None else y))
                line.runs = finite_runs(line.points)
            else:
                line.band = bucket_band(samples) if samples.count else None
                line.points, line.runs = np.empty((0, 2)), []
        if self._histogram is not None:
            self._hist = sample_values(frame, arrays[self._histogram])
        self._data_key = key
        self._pixel_key = None

    def extent(self) -> tuple[float, float] | None:
        """Lowest and highest value drawn (history in view and the forming candle's)."""
        built = self.samples()
        if built is None:
            return None
        lows, highs = [], []
        for samples in [*built[0], built[1]]:
            found = samples.extent() if samples is not None else None
            if found is not None:
                lows.append(found[0])
                highs.append(found[1])
        live = [v for v in self.live_values() if math.isfinite(v)]
        lows += live
        highs += live
        if self._histogram is not None and lows:
            lows.append(0.0)  # bars grow from zero
            highs.append(0.0)
        return (min(lows), max(highs)) if lows else None

    def live_values(self) -> list[float]:
        """The forming candle's value of each line (and the histogram), when it is in view."""
        arrays = self._values()
        if arrays is None or not self._frame().live_visible or not len(arrays[0]):
            return []
        outputs = [line.output for line in self._lines]
        if self._histogram is not None:
            outputs.append(self._histogram)
        out = [float(arrays[k][-1]) for k in outputs]
        to_view = self._to_view_one
        if to_view is not None:
            out[: len(self._lines)] = [to_view(v) for v in out[: len(self._lines)]]
        return out

    def drawn_points(self) -> list[np.ndarray]:
        """Each line's history points in view coordinates, NaN where broken; empty when
        zoomed out (tests)."""
        self.samples()
        return [line.points for line in self._lines]

    def drawn_columns(self) -> list[np.ndarray | None]:
        """Zoomed out, each line's ``x, low, high`` per bucket (tests); None otherwise."""
        self.samples()
        return [line.band for line in self._lines]

    # ------------------------------------------------------------------ paint

    def paint(self, painter: QPainter, option, widget=None) -> None:
        (x0, x1), (y0, y1) = self._box.viewRange()
        width, height = self._size
        if width <= 0 or height <= 0 or x1 <= x0 or y1 <= y0:
            return
        arrays = self._values()
        if arrays is None:
            return
        frame = self._frame()
        self._ensure_samples(frame, arrays)
        sx = width / (x1 - x0)
        sy = height / (y1 - y0)
        key = (self._data_key, x0, x1, y0, y1, width, height)
        if key != self._pixel_key:
            self._build_pixels(x0, y1, sx, sy)
            self._pixel_key = key
        if self._hist is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            for side in (0, 1):
                painter.setBrush(self._brushes[side])
                self._bars[side].draw(painter)
        for line in self._lines:
            if line.band is not None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(line.brush)
                line.columns.draw(painter)
                continue
            painter.setPen(line.pen)
            for polyline in line.polylines:
                painter.drawPolyline(polyline)
        self._draw_live(painter, arrays, frame.live_visible, x0, x1, y1, sx, sy)

    def _build_pixels(self, x0: float, y1: float, sx: float, sy: float) -> None:
        self.builds[1] += 1
        for line in self._lines:
            line.polylines = []
            if line.band is not None:
                self._build_columns(line, x0, y1, sx, sy)
            for a, b in line.runs:
                polyline = pg.functions.create_qpolygonf(b - a)
                out = pg.functions.ndarray_from_qpolygonf(polyline)
                np.multiply(line.points[a:b, 0] - x0, sx, out=out[:, 0])
                np.multiply(y1 - line.points[a:b, 1], sy, out=out[:, 1])
                line.polylines.append(polyline)
        hist = self._hist
        if hist is None:
            return
        if hist.aggregated:
            half = 0.5
        else:
            half = max(self._sampler.timeframe * BODY_FRACTION * sx, 1.0) / 2
        zero = y1 * sy
        x = (hist.x - x0) * sx - half
        tops = np.fmax(hist.high, 0.0)  # NaN where undefined: no bar
        bottoms = np.fmin(hist.low, 0.0)
        for side, (value, mask) in enumerate(((tops, tops > 0), (bottoms, bottoms < 0))):
            y = (y1 - value[mask]) * sy
            rects = self._bars[side].resize(int(mask.sum()))
            rects[:, 0] = x[mask]
            rects[:, 2] = 2 * half
            if side == 0:
                rects[:, 1] = y
                rects[:, 3] = zero - y
            else:
                rects[:, 1] = zero
                rects[:, 3] = y - zero

    @staticmethod
    def _build_columns(line: _Line, x0: float, y1: float, sx: float, sy: float) -> None:
        band = line.band
        defined = band[np.isfinite(band[:, 1]) & np.isfinite(band[:, 2])]
        rects = line.columns.resize(len(defined))
        rects[:, 0] = np.floor((defined[:, 0] - x0) * sx)
        rects[:, 1] = (y1 - defined[:, 2]) * sy
        rects[:, 2] = 1.0
        np.maximum((defined[:, 2] - defined[:, 1]) * sy, 1.0, out=rects[:, 3])

    def _draw_live(
        self,
        painter: QPainter,
        arrays: tuple[np.ndarray, ...],
        live_visible: bool,
        x0: float,
        x1: float,
        y1: float,
        sx: float,
        sy: float,
    ) -> None:
        """The forming candle's segment of each line (from the candle before), when it
        crosses the view, and its bar, when the candle is in view. O(1)."""
        store = self._sampler.store
        n = len(store)
        if n < 1:
            return
        time = store.time
        t_live = float(time[n - 1])
        x_live = (t_live - x0) * sx
        to_view = self._to_view_one
        if n >= 2 and float(time[n - 2]) <= x1 and t_live >= x0:
            x_prev = (float(time[n - 2]) - x0) * sx
            for line in self._lines:
                values = arrays[line.output]
                prev, live = float(values[n - 2]), float(values[n - 1])
                if to_view is not None:
                    prev, live = to_view(prev), to_view(live)
                if math.isfinite(prev) and math.isfinite(live):
                    painter.setPen(line.pen)
                    painter.drawLine(QLineF(x_prev, (y1 - prev) * sy, x_live, (y1 - live) * sy))
        if self._histogram is not None and live_visible:
            value = float(arrays[self._histogram][n - 1])
            if math.isfinite(value) and value != 0.0:
                half = max(self._sampler.timeframe * BODY_FRACTION * sx, 1.0) / 2
                zero, y = y1 * sy, (y1 - value) * sy
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self._brushes[0 if value > 0 else 1])
                painter.drawRect(QRectF(x_live - half, min(y, zero), 2 * half, abs(zero - y)))


class GuideLines(PaneItem):
    """Dashed horizontal lines at fixed values across a pane (RSI's 30 and 70)."""

    def __init__(self, box: pg.ViewBox, levels: Sequence[float]) -> None:
        super().__init__(box)
        self._levels = tuple(levels)
        self._pen = cosmetic_pen("#787b86", style=Qt.PenStyle.DashLine)
        self.setZValue(10)

    def set_color(self, color: str | QColor) -> None:
        self._pen = cosmetic_pen(color, style=Qt.PenStyle.DashLine)
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        _, (y0, y1) = self._box.viewRange()
        width, height = self._size
        if y1 <= y0 or height <= 0:
            return
        painter.setPen(self._pen)
        for level in self._levels:
            y = (y1 - level) / (y1 - y0) * height
            painter.drawLine(QLineF(0.0, y, width, y))
