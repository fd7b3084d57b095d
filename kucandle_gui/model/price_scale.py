"""The price pane's scale: where a price is drawn, which ticks the axis shows, how it writes them.

Qt-free. The price pane draws in *view* coordinates: the price itself (linear and percent
scales), or its base-10 logarithm (log scale). Everything that puts a price on the pane (the
candles, the last price, alert lines, drawings, indicator lines) goes through
:meth:`PriceScale.to_view`, and everything that reads a price off the pane (the crosshair, a
dragged line) through :meth:`PriceScale.from_view`.

Percent keeps the view in prices: a percentage of a base is affine in the price, so only the
axis (its ticks at nice percentages, its labels) and the crosshair's text change with it, and
moving the base (the first visible candle's close, on every pan) redraws no candle.

Log ticks are nice prices at every zoom: 1-2-5 per decade and coarser over many decades, and
when zoomed in, multiples of one nice step inside each 1-2, 2-5 and 5-10 part of a decade
(67000, 67200, 67400, ...), so a narrow log range is labelled like a linear one. Every pair of
neighbouring ticks is at least the requested spacing apart, so the labels never crowd.

Percent labels carry the decimals of the axis' step ("+1000%", "+2.5%", "+0.001%"), and the
tags on the axis (crosshair, last price, alert lines) write percentages with the axis' decimals
(:meth:`PriceScale.percent_decimals`), so they read like the axis.

Also here: :func:`countdown_to_close`, the time left until the current candle closes, for the
last-price tag.
"""

from __future__ import annotations

import math
from enum import Enum

import numpy as np

from kucandle_gui.protocol import TIMEFRAME_SECONDS, candle_start, next_candle_start

from .events import Event

#: Prices at or below this have no logarithm on the log scale: they are drawn at this price.
MIN_PRICE = 1e-12
#: ``log10(MIN_PRICE)``: the lowest view coordinate of the log scale.
MIN_LOG = -12.0
#: The highest view coordinate converted back (10**300: no float overflow).
_MAX_LOG = 300.0
#: Decades under its top that a log range reaching zero or below starts at (see view_range).
_FALLBACK_DECADES = 3.0
#: Decimals of a percent text with no axis to follow (``format``'s default: "+1.25%").
PERCENT_DECIMALS = 2
_LOG2 = math.log10(2.0)
#: Most ticks ever asked for (a guard on absurd requests, far above any axis).
_MAX_COUNT = 1000


class ScaleMode(Enum):
    LINEAR = "linear"
    LOG = "log"
    PERCENT = "percent"


class PriceScale:
    """The scale of one price pane; parts of the chart observe :attr:`changed`.

    ``changed`` is emitted when what the pane shows changes: the mode, or the base while the
    mode is percent (a base set in another mode is kept, silently: it shows nothing there).
    """

    changed = Event()

    def __init__(self, mode: ScaleMode | str = ScaleMode.LINEAR, base: float | None = None) -> None:
        self._mode = ScaleMode(mode)
        self._base = _valid_base(base)

    # ------------------------------------------------------------------ state

    @property
    def mode(self) -> ScaleMode:
        return self._mode

    @property
    def base(self) -> float | None:
        """The price that is 0 % (percent mode), None when not known."""
        return self._base

    @property
    def is_log(self) -> bool:
        """Whether view coordinates are logarithms: the drawn geometry depends only on this."""
        return self._mode is ScaleMode.LOG

    def set_mode(self, mode: ScaleMode | str) -> None:
        mode = ScaleMode(mode)
        if mode is not self._mode:
            self._mode = mode
            self.changed.emit()

    def set_base(self, base: float | None) -> None:
        """The percent scale's 0 %: the first visible candle's close (None: labels in price)."""
        base = _valid_base(base)
        if base != self._base:
            self._base = base
            if self._mode is ScaleMode.PERCENT:
                self.changed.emit()

    # ------------------------------------------------------------------ coordinates

    def to_view(self, price: float) -> float:
        """The view y of ``price``: ``log10(price)`` on the log scale (prices at or below
        ``MIN_PRICE`` drawn at ``MIN_LOG``; NaN stays NaN), else the price itself."""
        if self._mode is not ScaleMode.LOG:
            return price
        if price > MIN_PRICE:
            return math.log10(price)
        return price if price != price else MIN_LOG

    def to_view_array(self, prices: np.ndarray) -> np.ndarray:
        """:meth:`to_view` of every price. Outside log mode the argument itself comes back
        (no copy: do not write to the result)."""
        if self._mode is not ScaleMode.LOG:
            return prices
        return np.log10(np.maximum(prices, MIN_PRICE))

    def from_view(self, y: float) -> float:
        """The price at view y (``10**y`` on the log scale)."""
        if self._mode is not ScaleMode.LOG:
            return y
        return 10.0 ** min(y, _MAX_LOG)

    def view_range(self, low: float, high: float) -> tuple[float, float]:
        """The view range showing prices ``low`` to ``high``.

        On the log scale a range whose low is at or below zero (a linear padding of a wide
        range) starts three decades under its top instead of at ``MIN_LOG``;
        :class:`~kucandle_gui.model.viewport.Viewport` given this scale pads in view units and
        never returns one.
        """
        if self._mode is not ScaleMode.LOG:
            return low, high
        top = self.to_view(high)
        bottom = self.to_view(low) if low > 0 else top - _FALLBACK_DECADES
        return bottom, top

    # ------------------------------------------------------------------ text

    def percent(self, price: float) -> float | None:
        """``price`` as a change from the base in percent, None without a base."""
        base = self._base
        return None if base is None else (price / base - 1.0) * 100.0

    @property
    def shows_percent(self) -> bool:
        """Whether texts are percentages: percent mode with a base (else they are prices)."""
        return self._mode is ScaleMode.PERCENT and self._base is not None

    # ------------------------------------------------------------------ ticks

    def axis_ticks(self, y0: float, y1: float, max_count: float) -> list[tuple[float, str]]:
        """``[(view y, label), ...]`` in ``[y0, y1]``, bottom first, neighbours at least
        ``(y1 - y0) / max_count`` apart: nice prices (linear, log) or nice percentages of the
        base (percent; without a base, prices as linear)."""
        if not (y1 > y0 and max_count > 0 and math.isfinite(y0) and math.isfinite(y1)):
            return []
        spacing = (y1 - y0) / min(max_count, _MAX_COUNT)
        if self._mode is ScaleMode.LOG:
            return log_ticks(y0, y1, spacing)
        base = self._base
        if self._mode is ScaleMode.PERCENT and base is not None:
            values, decimals = self._percent_grid(y0, y1, spacing)
            out = [(base * (1.0 + q / 100.0), percent_text(q, decimals)) for q in values]
            return [(y, text) for y, text in out if y0 <= y <= y1]
        _, values, decimals = nice_ticks(y0, y1, spacing)
        return [(v, f"{v:.{decimals}f}") for v in values]

    def percent_decimals(self, y0: float, y1: float, max_count: float) -> int | None:
        """The decimals of the percent labels :meth:`axis_ticks` writes for these arguments:
        the step's (0 for whole percents: "+1000%", 1 for "+2.5%", 3 for "+0.001%"). None
        when the axis writes no percentages (not percent, no base, or nothing to show)."""
        if not (self.shows_percent and y1 > y0 and max_count > 0):
            return None
        if not (math.isfinite(y0) and math.isfinite(y1)):
            return None
        return self._percent_grid(y0, y1, (y1 - y0) / min(max_count, _MAX_COUNT))[1]

    def _percent_grid(self, y0: float, y1: float, spacing: float) -> tuple[list[float], int]:
        """Nice percentages over view ``[y0, y1]`` at least ``spacing`` (view units) apart,
        and the decimals of their step. Needs a base."""
        base = self._base
        assert base is not None
        q0, q1 = (y0 / base - 1.0) * 100.0, (y1 / base - 1.0) * 100.0
        _, values, decimals = nice_ticks(q0, q1, (q1 - q0) / (y1 - y0) * spacing)
        return values, decimals


# ---------------------------------------------------------------------- helpers


def _valid_base(base: float | None) -> float | None:
    if base is None:
        return None
    base = float(base)
    return base if math.isfinite(base) and base > 0 else None


def percent_text(value: float, decimals: int) -> str:
    """``+1.25%``, ``-3.40%``, ``+1000%``; zero (after rounding) without a sign: ``0.00%``."""
    if round(value, decimals) == 0:
        return f"{0.0:.{decimals}f}%"
    return f"{value:+.{decimals}f}%"


def nice_step(spacing: float) -> float:
    """The smallest 1, 2 or 5 times 10^k at least ``spacing`` (> 0)."""
    exponent = math.floor(math.log10(spacing))
    for factor in (1, 2, 5, 10):
        step = factor * 10.0**exponent
        if step >= spacing:
            return step
    return 10.0 ** (exponent + 1)


def nice_ticks(lo: float, hi: float, spacing: float) -> tuple[float, list[float], int]:
    """``(step, values, decimals)``: the multiples in ``[lo, hi]`` of the smallest 1, 2 or 5
    times 10^k step at least ``spacing``, and the decimals that write them."""
    if not (hi > lo and spacing > 0 and math.isfinite(lo) and math.isfinite(hi)):
        return 1.0, [], 0
    step = nice_step(spacing)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    first = math.ceil(lo / step)
    last = math.floor(hi / step)
    return step, [round(k * step, decimals) for k in range(first, last + 1)], decimals


def _decimal(units: int, exponent: int) -> float:
    """``units * 10**exponent``, correctly rounded (the same float however it is spelt)."""
    return float(units * 10**exponent) if exponent >= 0 else units / 10**-exponent


def _nice_exponent(spacing: float) -> tuple[int, int]:
    """``(q, e)`` with ``q * 10**e`` the smallest 1, 2 or 5 times 10^e at least ``spacing``."""
    e = math.floor(math.log10(spacing))
    for q in (1, 2, 5):
        if _decimal(q, e) >= spacing:
            return q, e
    return 1, e + 1


def log_ticks(y0: float, y1: float, spacing: float) -> list[tuple[float, str]]:
    """Log-scale ticks in view ``[y0, y1]`` (log10 units) at least ``spacing`` apart.

    Over a span where 1-2-5 would crowd: powers of ten (every 1, 2, 5, 10… decades). Else each
    part [1, 2], [2, 5], [5, 10] of a decade gets the finest step that keeps the gap at the
    top of its visible part (its narrowest in log units) at least ``spacing``: a nice step
    dividing both ends (1, 2, 5 times 10^e below the decade's unit, the unit itself, 2.5 units
    in [5, 10]), or just its ends. A gap across a part's end is no narrower than the gaps
    above it, so every gap holds.
    """
    y0, y1 = max(y0, MIN_LOG), min(y1, _MAX_LOG)
    if not (y1 > y0 and spacing > 0):
        return []
    ticks: dict[float, int] = {}  # price -> decimals
    if spacing > _LOG2:
        every = 1 if spacing <= 1 else math.ceil(_decimal(*_nice_exponent(spacing)))
        for k in range(math.ceil(y0 / every), math.floor(y1 / every) + 1):
            exponent = k * every
            ticks[_decimal(1, exponent)] = max(0, -exponent)
    else:
        p0, p1 = 10.0**y0, 10.0**y1
        shrink = 1.0 - 10.0**-spacing  # step >= top * shrink keeps the top gap >= spacing
        if not shrink > 0:  # a spacing below float precision: nothing sensible to show
            return []
        for k in range(math.floor(y0), math.floor(y1) + 1):
            for a, b in ((1, 2), (2, 5), (5, 10)):
                _part_ticks(ticks, k, a, b, p0, p1, shrink)
    # The ticks of one decade share their decimals ("1.0", "1.5", "2.0"; then "10", "15").
    shown = [(math.log10(price), price) for price in sorted(ticks)]
    shown = [(y, price) for y, price in shown if y0 <= y <= y1]
    decimals: dict[int, int] = {}
    for y, price in shown:
        decade = math.floor(y + 1e-12)
        decimals[decade] = max(decimals.get(decade, 0), ticks[price])
    return [(y, _price_text(price, decimals[math.floor(y + 1e-12)])) for y, price in shown]


def _price_text(price: float, decimals: int) -> str:
    # Beyond 1e15 a float's digits are noise: "1e+20", not "100000000000000000000".
    return f"{price:.{decimals}f}" if price < 1e15 else f"{price:.6g}"


def _part_ticks(
    ticks: dict[float, int], k: int, a: int, b: int, p0: float, p1: float, shrink: float
) -> None:
    """Add the ticks of the part ``[a, b] * 10**k`` of a decade visible in ``[p0, p1]``."""
    lo_price, hi_price = _decimal(a, k), _decimal(b, k)
    if hi_price < p0 or lo_price > p1:
        return
    need = min(hi_price, p1) * shrink
    q, e = _nice_exponent(need)
    if e > k or (e == k and q > 1):  # coarser than the decade's unit
        if a == 5 and need <= _decimal(25, k - 1):
            q, e = 25, k - 1
        else:  # the part's ends alone
            for units in (a, b):
                ticks[_decimal(units, k)] = max(0, -k)
            return
    step = _decimal(q, e)
    lo, hi = max(lo_price, p0), min(hi_price, p1)
    decimals = max(0, -e)
    for j in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1):
        ticks[_decimal(j * q, e)] = decimals


# ---------------------------------------------------------------------- countdown

#: Timeframes up to this long count down in ``mm:ss``; longer ones in ``hh:mm``.
_MMSS_UP_TO = 3600


def countdown_to_close(now: float, timeframe: str) -> str:
    """Time left at ``now`` until the ``timeframe`` candle of the period containing ``now``
    closes (KuCoin's periods: UTC, weeks from Monday, calendar months), whichever candle
    the chart holds last: a quiet pair with no candle for this period yet still counts down
    to this period's close, and a month lasts as long as the calendar says.

    The format follows the timeframe, so a chart reads one format: up to ``1hour``
    ``mm:ss`` (a fresh hour reads ``60:00``), longer ``hh:mm`` with hours not capped (a fresh
    week reads ``168:00``, a month its hours). Seconds, and minutes in ``hh:mm``, are
    rounded up: the last second reads ``00:01`` (``hh:mm``: the last minute), never
    ``00:00`` or less; the text changes on whole seconds. ``timeframe`` is a KuCoin
    timeframe (``KeyError`` otherwise).
    """
    start = candle_start(timeframe, now)
    left = max(next_candle_start(timeframe, start) - now, 0.0)
    if TIMEFRAME_SECONDS[timeframe] <= _MMSS_UP_TO:
        minutes, seconds = divmod(math.ceil(left), 60)
        return f"{minutes:02d}:{seconds:02d}"
    hours, minutes = divmod(math.ceil(left / 60.0), 60)
    return f"{hours:02d}:{minutes:02d}"
