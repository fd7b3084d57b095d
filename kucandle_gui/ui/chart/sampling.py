"""What to draw for a view: the visible candles, or per-pixel columns when zoomed out.

Qt-free (numpy only). A :class:`Frame` covers the *history* part of the view — every visible
candle except the newest, which is the live one and is drawn apart — so a tick of the live
candle leaves the frame (and whatever the items built from it) valid.

When the view holds more than about one candle per pixel, candles are grouped into buckets of
``k`` whole candles (``k * timeframe`` seconds, aligned to multiples of that width so that the
buckets do not shift while panning) and each bucket is reduced with ``numpy.*.reduceat``: min
low, max high, max volume, the first open and the last close. At most about one bucket per
pixel is drawn, whatever the number of candles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kucandle_gui.feed import CandleSeries

_EMPTY = np.empty(0, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Frame:
    """The history part of one view, ready to be turned into rectangles and lines.

    For ``aggregated`` frames each entry is a bucket: ``x`` is the middle of its first and last
    candle, ``low``/``high`` the extremes, ``volume`` the largest volume, ``open`` the first
    open and ``close`` the last close; ``starts`` are the buckets' first candle indices in the
    store. Otherwise each entry is a candle and ``starts`` its index.
    """

    serial: int
    aggregated: bool
    #: Width in seconds of one drawn entry: the timeframe, or the bucket width.
    step: float
    x: np.ndarray = field(default_factory=lambda: _EMPTY)
    open: np.ndarray = field(default_factory=lambda: _EMPTY)
    high: np.ndarray = field(default_factory=lambda: _EMPTY)
    low: np.ndarray = field(default_factory=lambda: _EMPTY)
    close: np.ndarray = field(default_factory=lambda: _EMPTY)
    volume: np.ndarray = field(default_factory=lambda: _EMPTY)
    starts: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.intp))
    #: Whether the newest (live) candle falls in the view; it is not part of the arrays.
    live_visible: bool = False
    #: The store index after the frame's last history candle (the last bucket's end).
    stop: int = 0
    #: The store index of the frame's first history candle (candle frames: where it would be
    #: when there is none, so ``begin - 1`` is the candle before the view and ``stop`` the one
    #: after it, see :func:`line_span`).
    begin: int = 0

    @property
    def count(self) -> int:
        return len(self.x)

    @property
    def up(self) -> np.ndarray:
        return self.close >= self.open


class Sampler:
    """Builds :class:`Frame` s from a store and caches the last one.

    The cache key is the store's ``history_version`` and the visible index range (or bucket
    range), so repaints that change neither — a live tick, a crosshair move, the volume pane
    asking for the same view — cost a dictionary compare.
    """

    def __init__(self, store: CandleSeries, timeframe_seconds: float = 60.0) -> None:
        self.store = store
        self.timeframe = float(timeframe_seconds)
        self._key: tuple | None = None
        self._frame: Frame | None = None
        self._serial = 0

    def set_series(self, store: CandleSeries, timeframe_seconds: float) -> None:
        """Sample another series (or the same one afresh): the cached frame is dropped."""
        self.store = store
        self.timeframe = float(timeframe_seconds)
        self.invalidate()

    def invalidate(self) -> None:
        self._key = None
        self._frame = None

    def candles_per_bucket(self, x0: float, x1: float, width_px: float) -> int:
        """1 while the view shows at most one candle per pixel, else candles per bucket."""
        columns = max(1.0, width_px - 2.0)  # a partial bucket at each end still fits
        per_px = (x1 - x0) / (self.timeframe * columns)
        return 1 if per_px <= 1.0 else math.ceil(per_px)

    def frame(self, x0: float, x1: float, width_px: float) -> Frame:
        store = self.store
        n = len(store)
        tf = self.timeframe
        if n == 0 or not x1 > x0:
            return self._cached(("empty", store.history_version), lambda: None)
        k = self.candles_per_bucket(x0, x1, width_px)
        if k == 1:
            lo, hi = store.range_indices(x0 - tf, x1 + tf)
            key = (store.history_version, tf, 1, lo, hi, n)
            return self._cached(key, lambda: self._candles(lo, hi))
        width = k * tf
        b0, b1 = math.floor(x0 / width), math.floor(x1 / width)
        key = (store.history_version, tf, k, b0, b1, n)
        return self._cached(key, lambda: self._buckets(b0, b1, width))

    # ------------------------------------------------------------------ builders

    def _cached(self, key: tuple, build) -> Frame:
        if key != self._key or self._frame is None:
            self._serial += 1
            frame = build()
            self._frame = frame if frame is not None else Frame(self._serial, False, self.timeframe)
            self._key = key
        return self._frame

    def _candles(self, lo: int, hi: int) -> Frame:
        store = self.store
        n = len(store)
        live_visible = hi == n
        hist_hi = min(hi, n - 1)
        if hist_hi <= lo:
            return Frame(
                self._serial,
                False,
                self.timeframe,
                live_visible=live_visible,
                stop=lo,
                begin=lo,
            )
        sl = slice(lo, hist_hi)
        return Frame(
            self._serial,
            False,
            self.timeframe,
            x=store.time[sl].astype(np.float64),
            open=store.open[sl],
            high=store.high[sl],
            low=store.low[sl],
            close=store.close[sl],
            volume=store.volume[sl],
            starts=np.arange(lo, hist_hi, dtype=np.intp),
            live_visible=live_visible,
            stop=hist_hi,
            begin=lo,
        )

    def _buckets(self, b0: int, b1: int, width: float) -> Frame:
        store = self.store
        n = len(store)
        lo = store.first_at_or_after(b0 * width)
        hi = store.first_at_or_after((b1 + 1) * width)
        live_visible = hi == n
        hist_hi = min(hi, n - 1)
        if hist_hi <= lo:
            return Frame(self._serial, True, width, live_visible=live_visible)
        t = store.time[lo:hist_hi]
        # Integer edges (first start >= edge is the same): float ones would cast all of ``t``.
        edges = np.ceil(np.arange(b0, b1 + 1, dtype=np.float64) * width).astype(np.int64)
        first = np.searchsorted(t, edges, side="left")
        bounds = np.append(first, len(t))
        starts = first[bounds[1:] > bounds[:-1]]  # non-empty buckets only
        ends = np.append(starts[1:], len(t))
        low = np.minimum.reduceat(store.low[lo:hist_hi], starts)
        high = np.maximum.reduceat(store.high[lo:hist_hi], starts)
        volume = np.maximum.reduceat(store.volume[lo:hist_hi], starts)
        return Frame(
            self._serial,
            True,
            width,
            x=(t[starts] + t[ends - 1]) * 0.5,
            open=store.open[lo:hist_hi][starts],
            high=high,
            low=low,
            close=store.close[lo:hist_hi][ends - 1],
            volume=volume,
            starts=starts + lo,
            live_visible=live_visible,
            stop=hist_hi,
            begin=lo,
        )


def line_span(frame: Frame, n: int) -> tuple[int, int]:
    """``(first, last)``: the store candles ``[first, last)`` a line is drawn through over a
    candle (not aggregated) frame of a store of ``n`` candles.

    The frame's candles, the candle before them and the one after them (``frame.stop``)
    unless that is the newest (the live candle, drawn apart): KuCoin sends no candle for a
    minute without trades, so the neighbour across a gap may lie further out than the
    frame's one-candle margin, and the line must still reach the pane's edge towards it.
    """
    if n < 2:
        return 0, 0
    first = max(frame.begin - 1, 0)
    last = min(max(frame.stop, frame.begin) + 1, n - 1)
    return first, max(first, last)


@dataclass(frozen=True, eq=False)
class Samples:
    """A column of per-candle values (an indicator's output) over a frame's history part.

    Per entry of the frame: for candles, the value itself (``first``, ``last``, ``low`` and
    ``high`` are then one array); for buckets, the first and last value and the lowest and
    highest defined one (NaN where the bucket has none). That is what a line needs to look
    the same as the full data at one bucket per pixel: a vertical stroke from low to high in
    the bucket's column, joined to the next bucket from its last value to the next's first
    (the "M4" reduction).
    """

    x: np.ndarray
    first: np.ndarray
    last: np.ndarray
    low: np.ndarray
    high: np.ndarray
    aggregated: bool

    @property
    def count(self) -> int:
        return len(self.x)

    def mapped(self, fn) -> Samples:
        """The same samples with ``fn`` (monotonic, array to array) applied to the values."""
        if not self.aggregated:
            y = fn(self.first)
            return Samples(self.x, y, y, y, y, False)
        return Samples(self.x, fn(self.first), fn(self.last), fn(self.low), fn(self.high), True)

    def extent(self) -> tuple[float, float] | None:
        """The lowest and highest defined value, None when there is none."""
        if not self.count:
            return None
        low = np.fmin.reduce(self.low, initial=np.inf)
        high = np.fmax.reduce(self.high, initial=-np.inf)
        if not (math.isfinite(low) and math.isfinite(high)):
            return None
        return float(low), float(high)


def sample_values(frame: Frame, values: np.ndarray) -> Samples:
    """``values`` (aligned with the store's candles) over ``frame``'s history entries."""
    starts = frame.starts
    if not frame.aggregated or not len(starts):
        y = values[starts]
        return Samples(frame.x, y, y, y, y, False)
    begin = int(starts[0])
    part = values[begin : frame.stop]
    offsets = starts - begin
    ends = np.append(starts[1:], frame.stop)
    return Samples(
        frame.x,
        values[starts],
        values[ends - 1],
        np.fmin.reduceat(part, offsets),
        np.fmax.reduceat(part, offsets),
        True,
    )
