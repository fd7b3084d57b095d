"""The chart's axes: local date/time at the bottom, values on the right; cheap to regenerate.

pyqtgraph's ``DateAxisItem`` labels local time too, but it builds a ``QDateTime`` per candidate
tick each time it regenerates, and a chart that follows the newest candle shifts its x range,
so regenerates the axis, on every new candle; the generic ``AxisItem`` is about as slow for a
value axis, which regenerates whenever y is refitted (every mouse move of a pan). Here:

* :func:`time_ticks` — ticks on whole multiples of a "nice" step in LOCAL time (whole local
  hours, local midnights, Mondays, first days of months and years), from ``time.localtime``
  for the handful of visible ticks; labels show the coarsest boundary a tick sits on.
* :func:`value_ticks` — 1, 2 or 5 times 10^k steps, labels with just enough decimals; the
  price axis on a log or percent scale asks the scale instead
  (:meth:`~kucandle_gui.model.price_scale.PriceScale.axis_ticks`).
* :class:`TimeAxis`, :class:`ValueAxis` — pyqtgraph axes (linked view, ``picture`` reset on
  range change, ``drawPicture``) that build their draw specs from those, cache label widths,
  draw the specs directly (replaying a ``QPicture``, as ``AxisItem`` does, is slow on a
  widget) and keep their tick values for the chart's grid. Without data they show no values
  (``show_values(False)``): an empty view's range is a placeholder (0 to 1, the epoch), and
  prices of 0.1 to 0.9 at 00:00:30 would be read as data.

The tick functions are Qt-free.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left, bisect_right

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPainter

from kucandle_gui.model.price_scale import PriceScale, ScaleMode, nice_ticks

MINUTE = 60
#: Least distance between two value ticks, in pixels.
VALUE_MIN_PX = 40.0
HOUR = 3600
DAY = 86400
WEEK = 7 * DAY
#: The Unix epoch fell on a Thursday: Mondays are 4 days later modulo a week.
_MONDAY = 4 * DAY

#: Fixed steps in seconds, smallest first; then months and years.
FIXED_STEPS: tuple[int, ...] = (
    1,
    2,
    5,
    10,
    15,
    30,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    4 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    WEEK,
)
MONTH_STEPS: tuple[int, ...] = (1, 3, 6)
YEAR_STEPS: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100)
_MONTH = 30.44 * DAY  # nominal, only to compare a month step with a spacing in seconds


def _offset(t: float) -> int:
    """Local time's offset from UTC at ``t`` (seconds east)."""
    return time.localtime(t).tm_gmtoff


def _aligned(x0: float, x1: float, step: int, phase: int = 0) -> list[int]:
    """Instants in ``[x0, x1]`` whose local time is ``phase`` modulo ``step`` seconds."""
    out: list[int] = []
    offset = _offset((x0 + x1) / 2)
    k = math.ceil((x0 + offset - phase) / step)
    while True:
        local = k * step + phase
        t = local - offset
        # Across a DST change the offset differs: keep the tick on the local multiple.
        t -= _offset(t) - offset
        if t > x1:
            return out
        exists = t + _offset(t) == local  # not a local time skipped by a DST change
        if exists and t >= x0 and (not out or t > out[-1]):
            out.append(t)
        k += 1


def _calendar(x0: float, x1: float, months: int) -> list[int]:
    """Local first days of every ``months``-th month (counted from January) in ``[x0, x1]``."""
    start = time.localtime(x0)
    index = start.tm_year * 12 + (start.tm_mon - 1)
    index -= index % months
    out: list[int] = []
    while True:
        year, month = divmod(index, 12)
        t = int(time.mktime((year, month + 1, 1, 0, 0, 0, 0, 0, -1)))
        if t > x1:
            return out
        if t >= x0:
            out.append(t)
        index += months


def choose_step(seconds_per_px: float, min_px: float) -> tuple[str, int]:
    """The smallest step whose ticks are at least ``min_px`` apart: ``("s"|"M"|"Y", n)``."""
    spacing = seconds_per_px * min_px
    for step in FIXED_STEPS:
        if step >= spacing:
            return "s", step
    for months in MONTH_STEPS:
        if months * _MONTH >= spacing:
            return "M", months
    for years in YEAR_STEPS:
        if years * 12 * _MONTH >= spacing:
            return "Y", years
    return "Y", YEAR_STEPS[-1] * math.ceil(spacing / (YEAR_STEPS[-1] * 12 * _MONTH))


def tick_values(x0: float, x1: float, unit: str, step: int) -> list[int]:
    if unit == "M":
        return _calendar(x0, x1, step)
    if unit == "Y":
        return _calendar(x0, x1, 12 * step)
    if step == WEEK:
        return _aligned(x0, x1, WEEK, _MONDAY)
    return _aligned(x0, x1, step)


def label(t: int, unit: str, step: int) -> str:
    """A tick's label: the coarsest boundary it sits on decides the format (local time)."""
    lt = time.localtime(t)
    midnight = lt.tm_hour == 0 and lt.tm_min == 0 and lt.tm_sec == 0
    if unit == "Y" or (midnight and lt.tm_mday == 1 and lt.tm_mon == 1):
        return str(lt.tm_year)
    if unit == "M" or (midnight and lt.tm_mday == 1):
        return time.strftime("%b", lt)
    if midnight or step >= DAY:
        return time.strftime("%d %b", lt).lstrip("0")
    if step < MINUTE or lt.tm_sec:
        return time.strftime("%H:%M:%S", lt)
    return time.strftime("%H:%M", lt)


def time_ticks(
    x0: float, x1: float, width_px: float, min_px: float = 70.0
) -> tuple[tuple[str, int], list[tuple[int, str]]]:
    """``((unit, step), [(time, label), ...])`` for a view of ``[x0, x1]`` over ``width_px``."""
    if not (x1 > x0 and width_px > 0 and math.isfinite(x0) and math.isfinite(x1)):
        return ("s", 1), []
    unit, step = choose_step((x1 - x0) / width_px, min_px)
    return (unit, step), [(t, label(t, unit, step)) for t in tick_values(x0, x1, unit, step)]


def value_ticks(
    y0: float, y1: float, height_px: float, min_px: float = VALUE_MIN_PX
) -> tuple[float, list[float], int]:
    """``(step, values, decimals)``: 1, 2 or 5 times 10^k steps at least ``min_px`` apart."""
    if not (y1 > y0 and height_px > 0 and math.isfinite(y0) and math.isfinite(y1)):
        return 1.0, [], 0
    return nice_ticks(y0, y1, (y1 - y0) / height_px * min_px)


def value_label(value: float, decimals: int, compact: bool = False) -> str:
    """``43250.5``; with ``compact``, ``1.5K``/``2M``/``3.25B`` for large values (volumes)."""
    if compact:
        magnitude = abs(value)
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if magnitude >= limit:
                return f"{value / limit:.3g}{suffix}"
    return f"{value:.{decimals}f}"


class TimeTickCache:
    """:func:`time_ticks` for a view that shifts a little at a time (following live candles).

    Keeps the tick times of a window three views wide and answers a view inside it, at the
    same step, by bisection; labels are memoised per tick. The answer is exactly
    ``time_ticks``'s: the window is used only when local time has one UTC offset across it
    (then the ticks are plain multiples of the step), and calendar ticks do not depend on it.
    """

    _MAX_WINDOW = 60 * DAY

    def __init__(self) -> None:
        self._key: tuple | None = None  # (unit, step, time.tzname) the window was built for
        self._lo = self._hi = 0.0
        self._times: list[int] = []
        self._labels: dict[tuple[int, str, int], str] = {}
        self._tz: tuple[str, str] | None = None

    def ticks(
        self, x0: float, x1: float, width_px: float, min_px: float = 70.0
    ) -> tuple[tuple[str, int], list[tuple[int, str]]]:
        if not (x1 > x0 and width_px > 0 and math.isfinite(x0) and math.isfinite(x1)):
            return ("s", 1), []
        unit, step = choose_step((x1 - x0) / width_px, min_px)
        tz = time.tzname
        if tz != self._tz:  # the local time zone changed: labels and ticks are stale
            self._tz = tz
            self._labels.clear()
            self._key = None
        key = (unit, step)
        if key != self._key or x0 < self._lo or x1 > self._hi:
            span = x1 - x0
            lo, hi = x0 - span, x1 + span
            if unit == "s" and (hi - lo > self._MAX_WINDOW or _offset(lo) != _offset(hi)):
                self._key = None  # a UTC offset change nearby: ticks depend on the window
                times = tick_values(x0, x1, unit, step)
                return key, [(t, self._label(t, unit, step)) for t in times]
            self._key, self._lo, self._hi = key, lo, hi
            self._times = tick_values(lo, hi, unit, step)
        times = self._times[bisect_left(self._times, x0) : bisect_right(self._times, x1)]
        return key, [(t, self._label(t, unit, step)) for t in times]

    def _label(self, t: int, unit: str, step: int) -> str:
        key = (t, unit, step)
        text = self._labels.get(key)
        if text is None:
            if len(self._labels) > 4096:
                self._labels.clear()
            text = self._labels[key] = label(t, unit, step)
        return text


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
    """A bottom axis of local date/time labels from :func:`time_ticks`."""

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
    """A right-hand value axis from :func:`value_ticks` (``compact`` labels for volumes).

    The price pane's axis follows a :class:`~kucandle_gui.model.price_scale.PriceScale`
    (``set_scale``): log ticks at nice prices, percent ticks and labels from the base. Linear
    (the default, and percent without a base) keeps :func:`value_ticks`. When the scale
    changes the axis relabels and says so (``ticksChanged``: the grid redraws at the new
    ticks even when the view range, its usual trigger, did not move).

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

    def price_scale(self) -> PriceScale | None:
        """The scale followed (None: plain linear values)."""
        return self._scale

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
