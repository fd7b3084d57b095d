"""What a chart shows of a series: its x range, its y ranges, and whether it follows live.

Plain Python and numpy, no Qt: the chart tells a :class:`Viewport` what happened (the data
changed, the user moved the view, a menu asked to follow or to reset the zoom) and applies the
:class:`ViewChange` it gets back to its panes. So the view policy is tested without widgets,
and the widget is left with drawing.

The policy (after finplot): the x range follows the newest candle only while the view shows
it; a range change the user makes turns following off when the newest candle is no longer in
view, and back on when it is. Y is fitted to the visible candles exactly when the user moves
the view, and otherwise only when the data leaves the y range or fills too little of it, so
that live ticks do not make the axis jitter (finplot #203). A tick of the newest candle is
checked against the ranges in O(1), whatever the history length. Older history is wanted
whenever the left edge comes within one view-width of the oldest candle; the series' owner
asks the exchange once per distinct oldest time, so the view may say it on every check.

The x range is kept to the data plus a margin (:func:`x_limits`): a zoom out or a pan stops
there, not months past the candles. The chart sets these limits on every pane (pyqtgraph then
stops the user's moves at them) whenever they change, that is when the oldest or the newest
candle's start time changes (an append, older history), never on a tick of the live candle;
every range the viewport places itself is kept inside them too. The left margin lets the view
reach the oldest candle, so older history is still asked for.

Ranges are prices on every price scale; the chart maps them with ``PriceScale.view_range``.
Given the chart's scale (``set_scale``), a log scale's padding and "fills too little" test
are measured in view units (decades), so the padded low of a wide range stays above zero
and the padding looks even; nothing changes on the per-tick path (prices compare the same
on every monotonic scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kucandle_gui.feed import CandleColumns
from kucandle_gui.model.price_scale import PriceScale

#: Candles shown by a reset of the zoom (and on the first data of a series).
RESET_CANDLES = 150
#: Empty candle slots kept right of the newest candle while following.
RIGHT_MARGIN_CANDLES = 3
#: The narrowest view the user may zoom to, in candles.
MIN_VIEW_CANDLES = 5
#: How far past the newest candle the view may go, in candles: room for the live candle, the
#: next ones, and the last-price tag with its countdown.
RIGHT_LIMIT_CANDLES = 40
#: How far before the oldest candle the view may go, in candles.
LEFT_LIMIT_CANDLES = 20
#: Y padding around the visible candles, as a fraction of their range.
Y_PADDING = 0.08
#: Refit y when the visible candles fill less than this fraction of the y range.
Y_LOOSE = 0.5

Range = tuple[float, float]
#: The x limits of a series without candles: none.
NO_LIMITS: Range = (-math.inf, math.inf)
#: Log padding (decades) around candles that are all at one price: 1 % each way.
_LOG_PAD = float(np.log10(1.01))


@dataclass(frozen=True, slots=True)
class ViewChange:
    """What the view must do after a call on the viewport; None fields leave things as they are.

    ``x`` goes to both panes, ``price`` and ``volume`` are the panes' y ranges. ``follow`` is the
    new follow state when it changed; ``older`` the oldest start time held when older history is
    wanted. ``limits`` are the new x limits (:func:`x_limits`) when they changed; the chart
    sets them before it moves the panes to ``x`` (which is inside them).
    """

    x: Range | None = None
    price: Range | None = None
    volume: Range | None = None
    follow: bool | None = None
    older: int | None = None
    limits: Range | None = None


NO_CHANGE = ViewChange()


def visible_extent(
    store: CandleColumns, x0: float, x1: float, timeframe: float
) -> tuple[float, float, float] | None:
    """``(min low, max high, max volume)`` of the candles whose body overlaps ``[x0, x1]``."""
    lo, hi = store.range_indices(x0 - timeframe / 2, x1 + timeframe / 2)
    if hi <= lo:
        return None
    return (
        float(np.min(store.low[lo:hi])),
        float(np.max(store.high[lo:hi])),
        float(np.max(store.volume[lo:hi])),
    )


def x_limits(oldest: float | None, newest: float | None, timeframe: float) -> Range:
    """How far the x range may go for candles from ``oldest`` to ``newest`` (start times).

    From ``LEFT_LIMIT_CANDLES`` before the oldest to ``RIGHT_LIMIT_CANDLES`` past the newest,
    and never narrower than the view a reset shows (so a series of a few candles is drawn at
    the usual zoom, not stretched across the pane; this is wider than ``MIN_VIEW_CANDLES``).
    The widest view is the whole width. :data:`NO_LIMITS` without candles.
    """
    if oldest is None or newest is None:
        return NO_LIMITS
    reset_left = newest - (RESET_CANDLES - 0.5) * timeframe
    left = min(oldest - LEFT_LIMIT_CANDLES * timeframe, reset_left)
    return (float(left), float(newest + RIGHT_LIMIT_CANDLES * timeframe))


def clamp_range(x: Range, limits: Range) -> Range:
    """``x`` made to fit ``limits`` as pyqtgraph does it: no wider than them (the left edge
    kept), then shifted inside."""
    lo, hi = limits
    x0, x1 = x
    width = min(x1 - x0, hi - lo)
    if x0 < lo:
        return (lo, lo + width)
    if x0 + width > hi:
        return (hi - width, hi)
    return (x0, x0 + width) if width < x1 - x0 else x


class Viewport:
    """The view of one series: ranges, follow-live, and when to ask for older history.

    The ranges are the ones this object last decided or was told (``user_moved``); the chart
    applies every ``ViewChange`` so that they stay the panes' ranges. A new series starts with
    follow-live on and resets the zoom on its first data.
    """

    def __init__(
        self,
        store: CandleColumns,
        timeframe_seconds: float = 60.0,
        scale: PriceScale | None = None,
    ) -> None:
        self.store = store
        self.scale = scale
        self.timeframe = float(timeframe_seconds)
        self.x_range: Range = (0.0, 1.0)
        self.price_range: Range = (0.0, 1.0)
        self.volume_range: Range = (0.0, 1.0)
        self._follow = True
        self._needs_reset = True
        self._anchor: int | None = None  # newest start time the x range was placed for
        self._drawn_version = -1  # store.history_version at the last refresh
        #: The x limits the chart was last given, and the (oldest, newest) start times they
        #: were worked out for.
        self.x_limits: Range = NO_LIMITS
        self._limits_for: tuple[int | None, int | None] | None = None

    @property
    def follow(self) -> bool:
        """Whether the x range follows the newest candle."""
        return self._follow

    # ------------------------------------------------------------------ calls from the view

    def set_scale(self, scale: PriceScale | None) -> None:
        """Fit prices for ``scale`` (None: linear). The caller refits (:meth:`refit`) when
        the scale's mode changes."""
        self.scale = scale

    def refit(self) -> ViewChange:
        """Fit y exactly to the candles in the current x range (after a scale change)."""
        price, volume = self._fit(exact=True)
        if price is None and volume is None:
            return NO_CHANGE
        return ViewChange(None, price, volume)

    def set_series(self, store: CandleColumns, timeframe_seconds: float) -> ViewChange:
        """Show another series (or the same one afresh): follow live, reset the zoom on data."""
        self.store = store
        self.timeframe = float(timeframe_seconds)
        self._needs_reset = True
        self._anchor = None
        self._drawn_version = -1
        self._limits_for = None
        return ViewChange(follow=self._set_follow(True))

    def refresh(self) -> ViewChange:
        """The data changed: place the view for it (the chart's coalesced redraw calls this)."""
        store = self.store
        limits = self._new_limits()
        if not len(store):
            self._drawn_version = store.history_version
            return NO_CHANGE if limits is None else ViewChange(limits=limits)
        newest = store.last_time()
        x = None
        if self._needs_reset:
            x, price, volume = self._reset()
        elif self._follow and self._anchor is not None and newest != self._anchor:
            delta = newest - self._anchor
            x = self._clamp((self.x_range[0] + delta, self.x_range[1] + delta))
            price, volume = self._fit(exact=False, x_range=x)
        elif limits is not None and self._clamp(self.x_range) != self.x_range:
            # Candles dropped (a capped series) or replaced: the view was past the new limits.
            x = self._clamp(self.x_range)
            price, volume = self._fit(exact=False, x_range=x)
        elif store.history_version != self._drawn_version:
            price, volume = self._fit(exact=False)
        else:
            price, volume = self._fit_live()
        self._anchor = newest
        self._drawn_version = store.history_version
        older = self.older_wanted()
        if x is None and price is None and volume is None and older is None and limits is None:
            return NO_CHANGE
        return ViewChange(x, price, volume, None, older, limits)

    def user_moved(self, x0: float, x1: float) -> ViewChange:
        """The user (mouse, keyboard) set the x range: follow or not, and fit y exactly.

        The range is the panes', which keep it inside the limits they were given."""
        self.x_range = (float(x0), float(x1))
        follow = None
        if len(self.store):
            anchor = self._anchor if self._anchor is not None else self.store.last_time()
            follow = self._set_follow(x1 >= anchor)
        price, volume = self._fit(exact=True)
        return ViewChange(None, price, volume, follow, self.older_wanted())

    def set_follow(self, on: bool) -> ViewChange:
        """Follow the newest candle (the view snaps to it, zoom kept) or stop following."""
        x = price = volume = older = limits = None
        if on and len(self.store):
            limits = self._new_limits()
            x0, x1 = self.x_range
            newest = self.store.last_time()
            right = newest + RIGHT_MARGIN_CANDLES * self.timeframe
            self._anchor = newest
            x = self._clamp((right - (x1 - x0), right))
            price, volume = self._fit(exact=True, x_range=x)
            older = self.older_wanted()
        return ViewChange(x, price, volume, self._set_follow(on), older, limits)

    def reset_zoom(self) -> ViewChange:
        """Show the newest ``RESET_CANDLES`` candles and follow them."""
        follow = self._set_follow(True)
        if not len(self.store):
            self._needs_reset = True
            return ViewChange(follow=follow)
        limits = self._new_limits()
        x, price, volume = self._reset()
        return ViewChange(x, price, volume, follow, self.older_wanted(), limits)

    def older_wanted(self) -> int | None:
        """The oldest start time held when the left edge is within a view-width of it."""
        oldest = self.store.first_time()
        if oldest is None:
            return None
        x0, x1 = self.x_range
        return oldest if x0 - (x1 - x0) <= oldest else None

    # ------------------------------------------------------------------ internals

    def _set_follow(self, on: bool) -> bool | None:
        """Set the follow state; returns it when it changed, else None."""
        if on == self._follow:
            return None
        self._follow = on
        return on

    def _reset(self) -> tuple[Range, Range | None, Range | None]:
        self._needs_reset = False
        newest = self.store.last_time()
        self._anchor = newest
        tf = self.timeframe
        x = self._clamp((newest - (RESET_CANDLES - 0.5) * tf, newest + RIGHT_MARGIN_CANDLES * tf))
        return (x, *self._fit(exact=True, x_range=x))

    def _new_limits(self) -> Range | None:
        """The x limits for the candles held when they differ from the chart's (O(1))."""
        store = self.store
        ends = (store.first_time(), store.last_time())
        if ends == self._limits_for:
            return None
        self._limits_for = ends
        limits = x_limits(*ends, self.timeframe)
        if limits == self.x_limits:
            return None
        self.x_limits = limits
        return limits

    def _clamp(self, x: Range) -> Range:
        return clamp_range(x, self.x_limits)

    def _fit(
        self, *, exact: bool, x_range: Range | None = None
    ) -> tuple[Range | None, Range | None]:
        """Fit y to the candles in view (moving the view to ``x_range`` first, if given).

        Returns the new ``(price, volume)`` ranges, None for one left as it is.
        """
        if x_range is not None:
            self.x_range = x_range
        x0, x1 = self.x_range
        extent = visible_extent(self.store, x0, x1, self.timeframe)
        if extent is None:
            return None, None
        low, high, volume = extent
        price_y = volume_y = None
        y0, y1 = self.price_range
        scale = self.scale
        if scale is not None and scale.is_log:
            price_y = self._fit_log(scale, exact, low, high)
        elif exact or high > y1 or low < y0 or (high - low) < Y_LOOSE * (y1 - y0):
            pad = (high - low) * Y_PADDING or abs(high) * 0.01 or 1.0
            price_y = self.price_range = (low - pad, high + pad)
        v1 = self.volume_range[1]
        if exact or volume > v1 or volume < Y_LOOSE * v1:
            volume_y = self.volume_range = (0.0, (volume or 1.0) * (1 + Y_PADDING))
        return price_y, volume_y

    def _fit_log(self, scale: PriceScale, exact: bool, low: float, high: float) -> Range | None:
        """The price range for ``low``..``high`` padded in decades (None: keep the range)."""
        y0, y1 = self.price_range
        v = scale.to_view
        lo, hi = v(low), v(high)
        loose = (hi - lo) < Y_LOOSE * (v(y1) - v(y0))
        if not (exact or high > y1 or low < y0 or loose):
            return None
        pad = (hi - lo) * Y_PADDING or _LOG_PAD
        self.price_range = (scale.from_view(lo - pad), scale.from_view(hi + pad))
        return self.price_range

    def _fit_live(self) -> tuple[Range | None, Range | None]:
        """After a tick of the newest candle: refit only if it left the y range (O(1))."""
        store = self.store
        i = len(store) - 1
        x0, x1 = self.x_range
        if not x0 <= store.time[i] <= x1:
            return None, None
        y0, y1 = self.price_range
        if store.high[i] > y1 or store.low[i] < y0 or store.volume[i] > self.volume_range[1]:
            return self._fit(exact=False)
        return None, None
