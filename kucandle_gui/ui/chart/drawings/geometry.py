"""Pixel geometry of the drawings, Qt-free: from view coordinates to the pane's pixels and
back, segments clipped to the pane, a line extended to its right edge, distances for picking,
and candle times for snapping.

Everything the layer shows is placed in the price pane's pixels (like the chart's other
markers), recomputed from data coordinates on every view change: one frame (the view range
and the pane's size) maps both ways, so what is drawn and what a click picks agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np

from kucandle_gui.feed.columns import CandleColumns
from kucandle_gui.model.drawings import MAX_TIME
from kucandle_gui.protocol import TIMEFRAME_SECONDS, candle_start, next_candle_start

Point = tuple[float, float]
Segment = tuple[float, float, float, float]


class Frame(NamedTuple):
    """A pane's view range and its size in pixels (y pixels grow downwards)."""

    x0: float
    x1: float
    y0: float
    y1: float
    width: float
    height: float

    @property
    def valid(self) -> bool:
        return self.x1 > self.x0 and self.y1 > self.y0 and self.width > 0 and self.height > 0

    def to_px(self, x: float, y: float) -> Point:
        """View coordinates (time, scale's y) to pixels."""
        return (
            (x - self.x0) / (self.x1 - self.x0) * self.width,
            (self.y1 - y) / (self.y1 - self.y0) * self.height,
        )

    def from_px(self, px: float, py: float) -> Point:
        """Pixels to view coordinates."""
        return (
            self.x0 + px / self.width * (self.x1 - self.x0),
            self.y1 - py / self.height * (self.y1 - self.y0),
        )


def extended_right(a: Point, b: Point, right: float) -> Point:
    """Where the screen line from ``a`` through ``b`` (``b`` right of ``a``) meets x =
    ``right``; ``b`` itself when it is there already or the line is vertical."""
    (ax, ay), (bx, by) = a, b
    if bx <= ax or bx >= right:
        return b
    return right, ay + (by - ay) * (right - ax) / (bx - ax)


def clipped(seg: Segment, left: float, top: float, right: float, bottom: float) -> Segment | None:
    """The part of ``seg`` inside the rectangle (Liang-Barsky), or None: a line far off the
    pane (zoomed in a lot) is not painted with huge coordinates."""
    if not all(map(math.isfinite, seg)):
        return None
    x0, y0, x1, y1 = seg
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        r = q / p
        if p < 0:
            lo = max(lo, r)
        else:
            hi = min(hi, r)
        if lo > hi:
            return None
    return x0 + lo * dx, y0 + lo * dy, x0 + hi * dx, y0 + hi * dy


def distance_to_segment(p: Point, seg: Segment) -> float:
    """Distance in pixels from ``p`` to the segment."""
    px, py = p
    x0, y0, x1, y1 = seg
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - x0) * dx + (py - y0) * dy) / length2))
    return math.hypot(px - (x0 + t * dx), py - (y0 + t * dy))


def pick(
    candidates: Iterable[tuple[int, Segment | None, Sequence[Point]]],
    p: Point,
    line_pixels: float,
    end_pixels: float,
) -> tuple[int, int] | None:
    """``(key, part)`` of what is at ``p`` among ``(key, segment, end points)``: an end point
    within ``end_pixels`` (part 1 or 2) before a segment within ``line_pixels`` (part 0), the
    nearest of each; None when nothing is near. Off the pane (segment None): not picked."""
    best: tuple[tuple[int, float], int, int] | None = None
    for key, segment, ends in candidates:
        if segment is None:
            continue
        for part, end in enumerate(ends, 1):
            d = math.hypot(p[0] - end[0], p[1] - end[1])
            if d <= end_pixels and (best is None or (0, d) < best[0]):
                best = ((0, d), key, part)
        d = distance_to_segment(p, segment)
        if d <= line_pixels and (best is None or (1, d) < best[0]):
            best = ((1, d), key, 0)
    return None if best is None else (best[1], best[2])


def candle_seconds(store: CandleColumns, given: int | None = None) -> int | None:
    """The series' timeframe in seconds: ``given``, else the store's name for it, else the
    smallest step between its newest candles (None with fewer than two)."""
    if given:
        return int(given)
    known = TIMEFRAME_SECONDS.get(getattr(store, "timeframe", ""))
    if known:
        return known
    if len(store) < 2:
        return None
    steps = np.diff(store.time[-64:])
    steps = steps[steps > 0]
    return int(steps.min()) if len(steps) else None


def snap_time(x: float, store: CandleColumns, tf: int | None) -> int:
    """The start of the held candle nearest ``x`` when ``x`` is within half a timeframe of
    it (on the candle), else ``x`` in whole seconds."""
    i = store.nearest_index(x)
    if i >= 0 and tf:
        start = int(store.time[i])
        if abs(start - x) <= tf / 2:
            return start
    return round(x)


def candles_between(store: CandleColumns, t0: float, t1: float, tf: int | None) -> int:
    """Candles from ``t0`` to ``t1`` (either order): the held candles' index difference
    when both are candle starts held, else the span in timeframes."""
    i0, i1 = store.index_of(t0), store.index_of(t1)
    if i0 >= 0 and i1 >= 0:
        return abs(i1 - i0)
    return round(abs(t1 - t0) / tf) if tf else 0


#: The calendar timeframe: its candles are months, of 28 to 31 days (its seconds a nominal 31).
_MONTH = TIMEFRAME_SECONDS["1month"]


def candle_steps(x0: float, x1: float, tf: int) -> int:
    """Whole candles of ``tf`` seconds from time ``x0`` to ``x1`` (a drag), rounded: months
    on the monthly timeframe (a month is one candle whatever its length)."""
    if tf == _MONTH:
        return round(_month_index(x1) - _month_index(x0))
    return round((x1 - x0) / tf)


def step_candles(t: float, steps: int, tf: int) -> int:
    """``t`` moved by ``steps`` candles, keeping its place in its candle: a candle's start
    goes to a candle's start (on the monthly timeframe, the first of a month to the first of
    another, however long the months between)."""
    if tf == _MONTH:
        return _month_time(_month_index(t) + steps)
    return round(t + steps * tf)


def _month_index(t: float) -> float:
    """Months since year 0 to ``t`` (clamped to [0, MAX_TIME]), the fraction its place in
    its month."""
    t = min(max(t, 0.0), float(MAX_TIME))
    start = candle_start("1month", t)
    length = next_candle_start("1month", start) - start
    moment = datetime.fromtimestamp(start, tz=UTC)
    return moment.year * 12 + moment.month - 1 + (t - start) / length


def _month_time(index: float) -> int:
    """The inverse of :func:`_month_index` (clamped to the months of [0, MAX_TIME])."""
    index = min(max(index, _month_index(0.0)), _month_index(float(MAX_TIME)))
    whole = math.floor(index)
    year, month = divmod(whole, 12)
    start = int(datetime(year, month + 1, 1, tzinfo=UTC).timestamp())
    length = next_candle_start("1month", start) - start
    return round(start + (index - whole) * length)
