"""Axis ticks: where the chart's axes put ticks and what they write there. Qt-free.

* :func:`time_ticks` — ticks on whole multiples of a "nice" step in LOCAL time (whole local
  hours, local midnights, Mondays, first days of months and years), from ``time.localtime``
  for the handful of visible ticks; labels show the coarsest boundary a tick sits on.
  :class:`TimeTickCache` answers the same for a view that shifts a little at a time.
* :func:`value_ticks` — 1, 2 or 5 times 10^k steps, labels with just enough decimals
  (:func:`value_label`); the price axis on a log or percent scale asks the scale instead
  (:meth:`~kucandle_gui.model.price_scale.PriceScale.axis_ticks`).

The axes that draw them are in :mod:`.axes`.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left, bisect_right

from kucandle_gui.model.price_scale import nice_ticks

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
        self._key: tuple | None = None  # (unit, step) the window was built for
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
