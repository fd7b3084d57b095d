"""The chart's axes: local date/time at the bottom, values on the right; cheap to regenerate.

pyqtgraph's ``DateAxisItem`` labels local time too, but it builds a ``QDateTime`` per candidate
tick each time it regenerates, and a chart that follows the newest candle shifts its x range,
so regenerates the axis, on every new candle; the generic ``AxisItem`` is about as slow for a
value axis, which regenerates whenever y is refitted (every mouse move of a pan). Here
:class:`TimeAxis` and :class:`ValueAxis` are pyqtgraph axes (linked view, ``picture`` reset on
range change, ``drawPicture``) that build their draw specs from the Qt-free ticks of
:mod:`.axis_ticks`, cache label widths, draw the specs directly (replaying a ``QPicture``, as
``AxisItem`` does, is slow on a widget) and keep their tick values for the chart's grid.
:class:`StudyAxis`, the oscillator panes' value axis, picks its own ticks (fixed levels, or
closer spacing) through ``ValueAxis._ticks``.
Without data they show no values (``show_values(False)``): an empty view's range is a
placeholder (0 to 1, the epoch), and prices of 0.1 to 0.9 at 00:00:30 would be read as data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPainter

from kucandle_gui.model.price_scale import PriceScale, ScaleMode
from kucandle_gui.ui.chart.axis_ticks import VALUE_MIN_PX, TimeTickCache, value_label, value_ticks


class _FastAxis(pg.AxisItem):
    """Draw specs built by the subclass, drawn directly, tick values kept for the grid; no
    ticks, labels or grid values while values are not shown."""

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self._widths: dict[str, float] = {}
        self._specs = None
        self._levels: list[tuple[float, list[float]]] = []
        self._bounds_key: tuple | None = None
        self._bounds = QRectF()
        self._values_shown = True

    def boundingRect(self) -> QRectF:
        # Qt asks for it many times per range change; pyqtgraph recomputes it in Python each
        # time. It depends on the geometry, the style, and the grid (off here) and view link.
        key = (self.geometry(), self.grid, self._linkedView)
        if key != getattr(self, "_bounds_key", None):
            self._bounds_key = key
            self._bounds = super().boundingRect()
        return QRectF(self._bounds)

    def setStyle(self, **kwargs) -> None:
        self._bounds_key = None
        super().setStyle(**kwargs)

    def _metrics(self, p: QPainter) -> QFontMetricsF:
        font = self.style["tickFont"] or p.font()
        key = font.key()
        if key != getattr(self, "_metrics_key", None):
            self._metrics_key = key
            self._font_metrics = QFontMetricsF(font)
            self._widths.clear()
        return self._font_metrics

    def _text_width(self, metrics: QFontMetricsF, text: str) -> float:
        width = self._widths.get(text)
        if width is None:
            if len(self._widths) > 4096:
                self._widths.clear()
            width = self._widths[text] = metrics.horizontalAdvance(text)
        return width

    def show_values(self, on: bool) -> None:
        """Show ticks and labels (there is data), or only the axis line (there is none)."""
        if on != self._values_shown:
            self._values_shown = on
            self.picture = None
            self.update()

    def tick_labels(self) -> list[str]:
        """The labels drawn by the last paint."""
        return [] if self._specs is None else [text for _, _, text in self._specs[2]]

    def grid_levels(self, p: QPainter) -> list[tuple[float, list[float]]]:
        """``[(spacing, values), ...]`` major first, as the axis shows them now."""
        self._ensure_specs(p)
        return self._levels

    def _ensure_specs(self, p: QPainter) -> None:
        if self.picture is None:
            self._specs = self.generateDrawSpecs(p)
            if not self._values_shown:
                self._specs = (self._specs[0], [], [])
                self._levels = []
            self.picture = True  # any non-None value: "specs are current"

    def paint(self, p: QPainter, opt, widget=None) -> None:
        self._ensure_specs(p)
        if self._specs is not None:
            p.save()
            if self.style["tickFont"]:
                p.setFont(self.style["tickFont"])
            self.drawPicture(p, *self._specs)
            p.restore()


class TimeAxis(_FastAxis):
    """A bottom axis of local date/time labels from :func:`~.axis_ticks.time_ticks`."""

    def __init__(self, orientation: str = "bottom", **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        metrics = QFontMetricsF(self.style["tickFont"] or QFont())
        self.setHeight(math.ceil(metrics.height() + self.style["tickLength"] + 6))
        self._ticks = TimeTickCache()

    def generateDrawSpecs(self, p: QPainter):
        bounds = self.mapRectFromParent(self.geometry())
        x0, x1 = self.range
        width = bounds.width()
        metrics = self._metrics(p)
        (_, step), ticks = self._ticks.ticks(x0, x1, width)
        self._levels = [(float(step), [float(t) for t, _ in ticks])]
        scale = width / (x1 - x0) if x1 > x0 else 0.0
        top = bounds.top()
        tick_len = max(0, self.style["tickLength"])
        tick_pen = self.tickPen()
        text_h = metrics.height()
        text_top = top + tick_len + self.style["tickTextOffset"][1]
        tick_specs = []
        text_specs = []
        for t, text in ticks:
            x = bounds.left() + (t - x0) * scale
            tick_specs.append((tick_pen, QPointF(x, top), QPointF(x, top + tick_len)))
            w = self._text_width(metrics, text)
            rect = QRectF(x - w / 2 - 2, text_top, w + 4, text_h)
            if rect.left() >= bounds.left() and rect.right() <= bounds.right():
                text_specs.append((rect, Qt.AlignmentFlag.AlignCenter, text))
        axis_spec = (self.pen(), QPointF(bounds.left(), top), QPointF(bounds.right(), top))
        return axis_spec, tick_specs, text_specs


class ValueAxis(_FastAxis):
    """A right-hand value axis from :func:`~.axis_ticks.value_ticks` (``compact`` labels for
    volumes).

    The price pane's axis follows a :class:`~kucandle_gui.model.price_scale.PriceScale`
    (``set_scale``): log ticks at nice prices, percent ticks and labels from the base. Linear
    (the default, and percent without a base) keeps ``value_ticks``. When the scale changes
    the axis relabels and says so (``ticksChanged``: the grid redraws at the new ticks even
    when the view range, its usual trigger, did not move).

    Tags on the axis that write percentages ask :meth:`percent_decimals`, the decimals of the
    percent labels for the axis' current range and height, so they read like the axis.
    """

    #: The ticks changed for another reason than the range (the scale's mode or base).
    ticksChanged = Signal()

    def __init__(self, orientation: str = "right", *, compact: bool = False, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self._compact = compact
        self._scale: PriceScale | None = None

    def set_scale(self, scale: PriceScale) -> None:
        """Ticks and labels from ``scale`` from now on, and whenever it changes."""
        if scale is self._scale:
            return
        if self._scale is not None:
            self._scale.changed.disconnect(self._rescaled)
        self._scale = scale
        scale.changed.connect(self._rescaled)
        self._rescaled()

    def _rescaled(self) -> None:
        self.picture = None
        self.update()
        self.ticksChanged.emit()

    def percent_decimals(self) -> int | None:
        """Decimals of the percent labels the axis shows for its current range and height
        (the ones its next paint draws), None while it writes prices."""
        scale = self._scale
        if scale is None:
            return None
        height = self._tick_height()
        if not height > 0:
            return None
        y0, y1 = self.range
        return scale.percent_decimals(y0, y1, height / VALUE_MIN_PX)

    def _tick_height(self) -> float:
        """The height the ticks are spread over, in pixels."""
        return self.mapRectFromParent(self.geometry()).height()

    def _ticks(self, y0: float, y1: float, height: float) -> tuple[list[float], list[str]]:
        scale = self._scale
        mode = ScaleMode.LINEAR if scale is None else scale.mode
        if mode is ScaleMode.LINEAR or (mode is ScaleMode.PERCENT and scale.base is None):
            _, values, decimals = value_ticks(y0, y1, height)
            return values, [value_label(v, decimals, self._compact) for v in values]
        ticks = scale.axis_ticks(y0, y1, height / VALUE_MIN_PX) if height > 0 else []
        return [y for y, _ in ticks], [text for _, text in ticks]

    def generateDrawSpecs(self, p: QPainter):
        bounds = self.mapRectFromParent(self.geometry())
        y0, y1 = self.range
        height = bounds.height()  # = _tick_height()
        metrics = self._metrics(p)
        values, labels = self._ticks(y0, y1, height)
        spacing = values[1] - values[0] if len(values) > 1 else y1 - y0
        self._levels = [(spacing, values)]
        scale = height / (y1 - y0) if y1 > y0 else 0.0
        left = bounds.left()
        tick_len = max(0, self.style["tickLength"])
        tick_pen = self.tickPen()
        text_h = metrics.height()
        text_left = left + tick_len + self.style["tickTextOffset"][0]
        tick_specs = []
        text_specs = []
        for v, text in zip(values, labels, strict=True):
            y = bounds.top() + (y1 - v) * scale
            tick_specs.append((tick_pen, QPointF(left, y), QPointF(left + tick_len, y)))
            w = self._text_width(metrics, text)
            rect = QRectF(text_left, y - text_h / 2, w + 2, text_h)
            if rect.top() >= bounds.top() and rect.bottom() <= bounds.bottom():
                text_specs.append((rect, Qt.AlignmentFlag.AlignLeft, text))
        axis_spec = (self.pen(), QPointF(left, bounds.top()), QPointF(left, bounds.bottom()))
        return axis_spec, tick_specs, text_specs


#: Tick spacings (pixels) a study pane's axis tries, widest first, for at least
#: :data:`STUDY_MIN_LABELS` labels (never closer than 1.5 label heights).
STUDY_TICK_PX = (VALUE_MIN_PX, 32.0, 24.0)
STUDY_MIN_LABELS = 3


class StudyAxis(ValueAxis):
    """A study pane's value axis: labels at fixed levels (RSI's guides), or nice ticks
    spaced closer than the price axis' when that is what gives a short pane a few labels
    (MACD). Plain values, no price scale.

    Levels come in groups by priority (``[(30, 70), (0, 100)]``): a group is labelled when
    every label of it fits in the pane, clear of the labels already placed.
    """

    def __init__(self, orientation: str = "right", **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self._level_groups: tuple[tuple[float, ...], ...] = ()
        self._text_h = QFontMetricsF(self.style["tickFont"] or QFont()).height()

    def set_levels(self, groups: Sequence[Sequence[float]]) -> None:
        """Label these levels (groups by priority) instead of nice ticks; () for nice ticks."""
        self._level_groups = tuple(tuple(group) for group in groups)
        self.picture = None
        self.update()

    def _ticks(self, y0: float, y1: float, height: float) -> tuple[list[float], list[str]]:
        if not (y1 > y0 and height > 0 and math.isfinite(y0) and math.isfinite(y1)):
            return [], []
        if self._level_groups:
            values = self._fitting_levels(y0, y1, height)
            decimals = max((_decimals(v) for v in values), default=0)
            return values, [value_label(v, decimals) for v in values]
        values: list[float] = []
        decimals = 0
        least = 1.5 * self._text_h
        for min_px in STUDY_TICK_PX:
            _, values, decimals = value_ticks(y0, y1, height, max(min_px, least))
            if min_px <= least or self._labelled(values, y0, y1, height) >= STUDY_MIN_LABELS:
                break
        return values, [value_label(v, decimals) for v in values]

    def _pixel(self, value: float, y0: float, y1: float, height: float) -> float:
        return (y1 - value) / (y1 - y0) * height

    def _fits(self, y: float, height: float) -> bool:
        half = self._text_h / 2
        return half <= y <= height - half

    def _labelled(self, values: list[float], y0: float, y1: float, height: float) -> int:
        return sum(self._fits(self._pixel(v, y0, y1, height), height) for v in values)

    def _fitting_levels(self, y0: float, y1: float, height: float) -> list[float]:
        placed: list[float] = []  # pixels
        values: list[float] = []
        gap = self._text_h + 2
        for group in self._level_groups:
            pixels = [self._pixel(v, y0, y1, height) for v in group]
            if all(
                self._fits(y, height) and all(abs(y - other) >= gap for other in placed)
                for y in pixels
            ):
                placed += pixels
                values += group
        return sorted(values)


def _decimals(value: float) -> int:
    """Decimals a fixed level needs (30 → 0, 2.5 → 1)."""
    for decimals in range(7):
        if abs(round(value, decimals) - value) < 1e-9:
            return decimals
    return 6
