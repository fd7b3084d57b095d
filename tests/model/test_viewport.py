"""The chart's view policy, without widgets: follow live, y-fit, when older history is wanted,
how far the view may go past the data."""

from __future__ import annotations

import math

import pytest

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.price_scale import PriceScale, ScaleMode
from kucandle_gui.model.viewport import (
    LEFT_LIMIT_CANDLES,
    MIN_VIEW_CANDLES,
    NO_CHANGE,
    NO_LIMITS,
    RESET_CANDLES,
    RIGHT_LIMIT_CANDLES,
    RIGHT_MARGIN_CANDLES,
    Y_PADDING,
    ViewChange,
    Viewport,
    clamp_range,
    visible_extent,
    x_limits,
)
from kucandle_gui.protocol import Candle
from tests.helpers import T0, TF, numpy_walk

#: Width of the view after a reset, in seconds.
RESET_WIDTH = (RESET_CANDLES - 0.5 + RIGHT_MARGIN_CANDLES) * TF


def series_of(candles: list[Candle]) -> CandleSeries:
    series = CandleSeries("BTC-USDT", "1min", max_candles=None)
    series.set_history(candles)
    return series


def tick(
    c: Candle, *, high: float | None = None, low: float | None = None, volume: float = 0
) -> Candle:
    """A later state of candle ``c`` (more volume, so the series takes it)."""
    high = c.high if high is None else high
    low = c.low if low is None else low
    close = min(max(c.close, low), high)
    return Candle(c.time, c.open, high, low, close, c.volume + volume + 1e-6, 0)


def after(c: Candle, candles: int = 1) -> Candle:
    """A new candle ``candles`` timeframes after ``c``, at its close."""
    p = c.close
    return Candle(c.time + candles * TF, p, p + 0.5, p - 0.5, p, 1.0, p)


def exact_fit(series: CandleSeries, x0: float, x1: float) -> tuple[tuple, tuple]:
    low, high, volume = visible_extent(series, x0, x1, TF)
    pad = (high - low) * Y_PADDING
    return (low - pad, high + pad), (0.0, volume * (1 + Y_PADDING))


@pytest.fixture
def series() -> CandleSeries:
    return series_of(numpy_walk(1000))


@pytest.fixture
def view(series: CandleSeries) -> Viewport:
    """A viewport placed for the series' first data (a reset: the newest candles, following)."""
    viewport = Viewport(series, TF)
    viewport.refresh()
    return viewport


# ---------------------------------------------------------------------- reset, follow live


def test_first_data_shows_the_newest_candles_and_fits_y_exactly() -> None:
    series = CandleSeries(max_candles=None)
    viewport = Viewport(series, TF)
    assert viewport.refresh() is NO_CHANGE  # nothing to show yet
    assert viewport.follow
    series.set_history(numpy_walk(1000))
    change = viewport.refresh()
    newest = series.last_time()
    x = (newest - (RESET_CANDLES - 0.5) * TF, newest + RIGHT_MARGIN_CANDLES * TF)
    assert change.x == x == viewport.x_range
    price, volume = exact_fit(series, *x)
    assert change.price == pytest.approx(price) and change.volume == pytest.approx(volume)
    assert (viewport.price_range, viewport.volume_range) == (change.price, change.volume)
    assert change.follow is None and change.older is None and viewport.follow
    lo, hi = series.range_indices(*x)
    assert hi == len(series) and hi - lo == RESET_CANDLES


def test_a_new_candle_moves_the_view_by_its_distance_while_following(
    series: CandleSeries, view: Viewport
) -> None:
    x0, x1 = view.x_range
    series.upsert(after(series.last()))
    assert view.refresh().x == (x0 + TF, x1 + TF)
    series.upsert(after(series.last(), candles=5))  # no trades for a while: a gap
    assert view.refresh().x == (x0 + 6 * TF, x1 + 6 * TF)
    assert view.x_range == (x0 + 6 * TF, x1 + 6 * TF)


def test_moving_the_newest_out_of_view_stops_following_and_back_resumes(
    series: CandleSeries, view: Viewport
) -> None:
    x0, x1 = view.x_range
    change = view.user_moved(x0 - 300 * TF, x1 - 300 * TF)
    assert change.follow is False and not view.follow
    assert change.x is None  # the user moved the view already
    assert view.x_range == (x0 - 300 * TF, x1 - 300 * TF)
    series.upsert(after(series.last()))
    assert view.refresh().x is None  # the view stays where the user put it
    assert view.x_range == (x0 - 300 * TF, x1 - 300 * TF)
    change = view.user_moved(x0, x1 + TF)
    assert change.follow is True and view.follow
    assert view.user_moved(x0, x1 + 2 * TF).follow is None  # no change, no news


def test_zooming_out_with_the_newest_in_view_keeps_following(view: Viewport) -> None:
    x0, x1 = view.x_range
    change = view.user_moved(x0 - 200 * TF, x1)  # a wheel zoom anchored right
    assert change.follow is None and view.follow


def test_set_follow_snaps_to_the_newest_and_keeps_the_zoom(
    series: CandleSeries, view: Viewport
) -> None:
    x0, x1 = view.x_range
    view.user_moved(x0 - 500 * TF, x1 - 400 * TF)
    width = view.x_range[1] - view.x_range[0]
    for _ in range(3):
        series.upsert(after(series.last()))
        view.refresh()
    change = view.set_follow(True)
    right = series.last_time() + RIGHT_MARGIN_CANDLES * TF
    assert change.x == (right - width, right) == view.x_range
    assert change.follow is True and view.follow
    price, volume = exact_fit(series, *change.x)
    assert change.price == pytest.approx(price) and change.volume == pytest.approx(volume)
    series.upsert(after(series.last()))
    assert view.refresh().x == (right - width + TF, right + TF)
    change = view.set_follow(False)
    assert change.follow is False and change.x is None and not view.follow
    assert view.set_follow(False) == NO_CHANGE


def test_reset_zoom_shows_the_newest_candles_and_follows(
    series: CandleSeries, view: Viewport
) -> None:
    view.user_moved(T0, T0 + 20 * TF)
    assert not view.follow
    change = view.reset_zoom()
    assert change.follow is True and view.follow
    x0, x1 = change.x
    assert x1 - x0 == pytest.approx(RESET_WIDTH)
    assert x0 < series.last_time() < x1


def test_reset_zoom_without_candles_waits_for_the_first_data() -> None:
    series = CandleSeries(max_candles=None)
    viewport = Viewport(series, TF)
    viewport.user_moved(0.0, 10.0 * TF)
    assert viewport.reset_zoom().x is None
    series.set_history(numpy_walk(10))
    x0, x1 = viewport.refresh().x
    assert x1 - x0 == pytest.approx(RESET_WIDTH) and x0 < series.last_time() < x1


def test_another_series_starts_over_at_its_own_timeframe(view: Viewport) -> None:
    x0, x1 = view.x_range
    view.user_moved(x0 - 300 * TF, x1 - 300 * TF)
    hourly = series_of(numpy_walk(400, seed=4, tf=3600))
    change = view.set_series(hourly, 3600)
    assert change.follow is True and view.follow
    assert change.x is None  # placed when drawn, for whatever the series holds then
    x0, x1 = view.refresh().x
    assert x1 - x0 == pytest.approx((RESET_CANDLES - 0.5 + RIGHT_MARGIN_CANDLES) * 3600)
    assert x1 == hourly.last_time() + RIGHT_MARGIN_CANDLES * 3600


# ---------------------------------------------------------------------- y fit


def test_a_user_move_fits_y_exactly(series: CandleSeries, view: Viewport) -> None:
    x0, x1 = view.x_range
    change = view.user_moved(x0 - 500 * TF, x1 - 500 * TF)
    price, volume = exact_fit(series, *view.x_range)
    assert change.price == pytest.approx(price) and change.volume == pytest.approx(volume)


def test_live_ticks_inside_the_ranges_do_not_move_y(series: CandleSeries, view: Viewport) -> None:
    y0, y1 = view.price_range
    v1 = view.volume_range[1]
    mid = (y0 + y1) / 2
    for k in range(20):
        series.upsert(tick(series.last(), high=max(series.last().high, mid + k * 1e-3)))
        assert view.refresh() is NO_CHANGE
    assert view.price_range == (y0, y1) and view.volume_range[1] == v1


def test_a_tick_leaving_the_ranges_refits(series: CandleSeries, view: Viewport) -> None:
    y0, y1 = view.price_range
    series.upsert(tick(series.last(), high=y1 + 10))
    change = view.refresh()
    assert change.price[1] > y1 + 10 and change.volume is None
    series.upsert(tick(series.last(), low=y0 - 10))
    assert view.refresh().price[0] < y0 - 10
    v1 = view.volume_range[1]
    series.upsert(tick(series.last(), volume=10 * v1))
    change = view.refresh()
    assert change.volume[1] > 10 * v1 and change.price is None


def test_the_live_check_does_not_scan_the_visible_candles() -> None:
    class Counting(CandleSeries):
        scans = 0

        def range_indices(self, x0: float, x1: float) -> tuple[int, int]:
            Counting.scans += 1
            return super().range_indices(x0, x1)

    series = Counting(max_candles=None)
    series.set_history(numpy_walk(100_000))
    viewport = Viewport(series, TF)
    viewport.refresh()
    scans = Counting.scans
    for _ in range(10):
        series.upsert(tick(series.last()))
        viewport.refresh()
    assert Counting.scans == scans


def test_a_tick_of_a_newest_candle_out_of_view_is_not_looked_at(
    series: CandleSeries, view: Viewport
) -> None:
    x0, x1 = view.x_range
    view.user_moved(x0 - 500 * TF, x1 - 500 * TF)
    series.upsert(tick(series.last(), high=1e9, volume=1e9))
    assert view.refresh() is NO_CHANGE


def test_history_changes_refit_only_when_y_is_left_or_too_loose(
    series: CandleSeries, view: Viewport
) -> None:
    lo, _ = series.range_indices(*view.x_range)
    inside = series.candle(lo + 10)
    changed = Candle(inside.time, inside.open, inside.high, inside.low, inside.close, 99, 0)
    series.upsert(changed)  # an older candle: a history change, within the ranges
    assert view.refresh().price is None
    # The same view over much calmer data: the candles fill too little of the range.
    calm = [Candle(c.time, 100.0, 100.1, 99.9, 100.0, c.volume, 0) for c in series.candles()]
    series.set_history(calm)
    change = view.refresh()
    assert change.price == pytest.approx(exact_fit(series, *view.x_range)[0])
    assert change.x is None


def test_flat_data_still_gets_a_y_range() -> None:
    flat = [Candle(T0 + i * TF, 5.0, 5.0, 5.0, 5.0, 0.0, 0.0) for i in range(10)]
    viewport = Viewport(series_of(flat), TF)
    change = viewport.refresh()
    assert change.price == pytest.approx((5.0 - 0.05, 5.0 + 0.05))
    assert change.volume == pytest.approx((0.0, 1 + Y_PADDING))


def test_visible_extent_covers_the_candles_whose_body_overlaps() -> None:
    candles = numpy_walk(100)
    series = series_of(candles)
    # [x0, x1] from the middle of candle 10 to the middle of candle 20: the candles whose
    # body (centred on the start time) overlaps it are 10..20, and 9 and 21 only just do not.
    x0, x1 = candles[10].time + 0.6 * TF, candles[20].time - 0.6 * TF
    inside = candles[11:20]
    assert visible_extent(series, x0, x1, TF) == (
        min(c.low for c in inside),
        max(c.high for c in inside),
        max(c.volume for c in inside),
    )
    assert visible_extent(series, T0 - 10 * TF, T0 - 5 * TF, TF) is None


# ---------------------------------------------------------------------- older history


def test_older_history_is_wanted_within_one_view_width_of_the_oldest(
    series: CandleSeries, view: Viewport
) -> None:
    oldest = series.first_time()
    assert view.older_wanted() is None
    width = view.x_range[1] - view.x_range[0]
    far = oldest + width + TF
    assert view.user_moved(far, far + width).older is None
    near = oldest + width - TF
    assert view.user_moved(near, near + width).older == oldest
    # Said on every check that finds it (the series' owner asks once per oldest time).
    assert view.user_moved(near - TF, near - TF + width).older == oldest
    series.upsert(tick(series.last()))
    assert view.refresh().older == oldest
    series.merge(numpy_walk(500, seed=9, t0=oldest - 500 * TF))
    assert view.refresh().older is None  # the new oldest is more than a view away
    assert view.older_wanted() is None


def test_no_candles_want_no_older_history() -> None:
    viewport = Viewport(CandleSeries(max_candles=None), TF)
    assert viewport.older_wanted() is None
    assert viewport.user_moved(0.0, 100.0).older is None


# ---------------------------------------------------------------------- price scales


def wide_series() -> CandleSeries:
    """Closes from 10 to 1000 in the newest candles: a linear padding would reach below 0."""
    prices = [10.0 * 100.0 ** (i / (RESET_CANDLES - 1)) for i in range(RESET_CANDLES)]
    return series_of([Candle(T0 + i * TF, p, p, p, p, 1.0, p) for i, p in enumerate(prices)])


def test_a_log_scale_pads_in_decades_and_keeps_the_range_positive() -> None:
    series = wide_series()
    linear = Viewport(series, TF).reset_zoom().price
    assert linear[0] < 0  # what a log scale cannot show
    scale = PriceScale(ScaleMode.LOG)
    viewport = Viewport(series, TF, scale)
    low, high = viewport.reset_zoom().price
    pad = 2.0 * Y_PADDING  # two decades of candles
    assert math.log10(low) == pytest.approx(1.0 - pad)
    assert math.log10(high) == pytest.approx(3.0 + pad)
    assert scale.view_range(low, high) == pytest.approx((1.0 - pad, 3.0 + pad))
    # Percent draws prices: the linear fit.
    viewport.set_scale(PriceScale(ScaleMode.PERCENT, base=10.0))
    assert viewport.refit().price == pytest.approx(linear)


def test_refit_after_a_scale_change_and_live_ticks_on_a_log_scale() -> None:
    series = wide_series()
    scale = PriceScale()
    viewport = Viewport(series, TF, scale)
    viewport.refresh()
    scale.set_mode(ScaleMode.LOG)
    change = viewport.refit()
    assert change.x is None and change.price[0] > 0 and change.volume is not None
    assert viewport.price_range == change.price
    # A tick inside the range leaves it; one above it refits (in decades).
    last = series.last()
    series.upsert(tick(last, high=last.high * 1.01))
    assert viewport.refresh().price is None
    series.upsert(tick(series.last(), high=5000.0))
    _low, high = viewport.refresh().price
    assert math.log10(high) == pytest.approx(
        math.log10(5000.0) + (math.log10(5000.0) - 1.0) * Y_PADDING
    )
    assert Viewport(CandleSeries(max_candles=None), TF, scale).refit() is NO_CHANGE


# ---------------------------------------------------------------------- x limits


def limits_for(series: CandleSeries) -> tuple[float, float]:
    return (
        series.first_time() - LEFT_LIMIT_CANDLES * TF,
        series.last_time() + RIGHT_LIMIT_CANDLES * TF,
    )


def test_x_limits_are_the_data_plus_margins_never_narrower_than_a_reset() -> None:
    newest = T0 + 999 * TF
    assert x_limits(T0, newest, TF) == (T0 - LEFT_LIMIT_CANDLES * TF, newest + 40 * TF)
    assert 10 <= LEFT_LIMIT_CANDLES <= RIGHT_LIMIT_CANDLES <= 60  # some candles; a few dozen
    assert x_limits(None, None, TF) == NO_LIMITS
    # A few candles: the reset view still fits (the left limit is its left edge).
    few = T0 + 9 * TF
    lo, hi = x_limits(T0, few, TF)
    assert lo == few - (RESET_CANDLES - 0.5) * TF and hi == few + RIGHT_LIMIT_CANDLES * TF
    assert hi - lo > RESET_WIDTH > MIN_VIEW_CANDLES * TF


def test_clamp_range_fits_a_range_into_limits_as_pyqtgraph_does() -> None:
    limits = (0.0, 100.0)
    x = (10.0, 20.0)
    assert clamp_range(x, limits) is x  # inside: the same range
    assert clamp_range((-30.0, -20.0), limits) == (0.0, 10.0)
    assert clamp_range((95.0, 105.0), limits) == (90.0, 100.0)
    assert clamp_range((-1e12, 1e12), limits) == limits  # the widest view: all of it
    assert clamp_range((-5.0, 1e9), NO_LIMITS) == (-5.0, 1e9)


def test_limits_are_told_when_the_ends_change_never_on_a_tick() -> None:
    series = CandleSeries(max_candles=None)
    viewport = Viewport(series, TF)
    series.set_history(numpy_walk(1000))
    change = viewport.refresh()
    assert change.limits == limits_for(series) == viewport.x_limits
    lo, hi = change.limits
    assert lo <= change.x[0] and change.x[1] <= hi
    for _ in range(5):
        series.upsert(tick(series.last()))
        assert viewport.refresh().limits is None
    series.upsert(after(series.last()))  # a new candle: the right limit moves
    assert viewport.refresh().limits == (lo, hi + TF)
    oldest = series.first_time()
    series.merge(numpy_walk(500, seed=9, t0=oldest - 500 * TF))  # older history: the left
    assert viewport.refresh().limits == (lo - 500 * TF, hi + TF)
    assert viewport.set_series(CandleSeries(max_candles=None), TF).limits is None
    assert viewport.refresh() == ViewChange(limits=NO_LIMITS)  # no candles: no limits
    assert viewport.refresh() is NO_CHANGE


def test_the_view_zoomed_out_to_the_limits_follows_inside_them(
    series: CandleSeries, view: Viewport
) -> None:
    lo, hi = view.x_limits
    assert view.user_moved(lo, hi).follow is None and view.follow
    series.upsert(after(series.last()))
    change = view.refresh()
    assert change.limits == (lo, hi + TF)
    assert change.x == (lo + TF, hi + TF)  # moved with the newest, inside the new limits
    # Set to follow from a view wider than the limits allow: the whole width.
    view.user_moved(lo, hi + TF)
    view.set_follow(False)
    assert view.set_follow(True).x == view.x_limits


def test_candles_dropped_under_the_view_move_it_inside_the_limits() -> None:
    series = CandleSeries(max_candles=300)
    series.set_history(numpy_walk(300))
    viewport = Viewport(series, TF)
    viewport.refresh()
    lo, _ = viewport.x_limits
    viewport.user_moved(lo, lo + 100 * TF)
    assert not viewport.follow
    series.upsert(after(series.last(), candles=10))  # the cap drops the oldest candle
    change = viewport.refresh()
    assert change.limits[0] == lo + TF
    assert change.x == (lo + TF, lo + 101 * TF) == viewport.x_range
    low, high, _ = visible_extent(series, *change.x, TF)
    assert viewport.price_range[0] < low and high < viewport.price_range[1]  # y fits it


def test_older_history_is_wanted_at_the_left_limit(series: CandleSeries, view: Viewport) -> None:
    lo, _ = view.x_limits
    width = view.x_range[1] - view.x_range[0]
    assert view.user_moved(lo, lo + width).older == series.first_time()
