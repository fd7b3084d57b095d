"""The price scale, without Qt: coordinates, ticks, labels, events, and the countdown text."""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from kucandle_gui.model.price_scale import (
    MIN_LOG,
    PriceScale,
    ScaleMode,
    countdown_to_close,
    log_ticks,
    nice_ticks,
    percent_text,
)
from kucandle_gui.protocol import TIMEFRAME_SECONDS, candle_start, next_candle_start

PRICES = [1e-8, 0.000123, 0.5, 1.0, 99.99, 100.0, 67_123.45, 1e6, 3.3e9]


def recorder(scale: PriceScale) -> list[tuple[ScaleMode, float | None]]:
    """What the scale was each time it said it changed."""
    seen: list[tuple[ScaleMode, float | None]] = []
    scale.changed.connect(lambda: seen.append((scale.mode, scale.base)))
    return seen


# ---------------------------------------------------------------------- coordinates


@pytest.mark.parametrize("mode", list(ScaleMode))
def test_view_round_trips(mode: ScaleMode) -> None:
    scale = PriceScale(mode, base=100.0)
    for price in PRICES:
        y = scale.to_view(price)
        assert scale.from_view(y) == pytest.approx(price, rel=1e-12)
        if mode is ScaleMode.LOG:
            assert y == pytest.approx(math.log10(price), rel=1e-15, abs=1e-15)
        else:  # percent is affine in the price: the view stays in prices
            assert y == price
    array = np.array(PRICES)
    views = scale.to_view_array(array)
    assert views.tolist() == pytest.approx([scale.to_view(p) for p in PRICES], rel=1e-15)
    if mode is not ScaleMode.LOG:
        assert views is array  # no copy off the log scale


def test_log_clamps_prices_without_a_logarithm_and_keeps_nan() -> None:
    scale = PriceScale(ScaleMode.LOG)
    assert scale.to_view(0.0) == MIN_LOG
    assert scale.to_view(-5.0) == MIN_LOG
    assert math.isnan(scale.to_view(math.nan))
    views = scale.to_view_array(np.array([0.0, -1.0, np.nan, 1000.0]))
    assert views[:2].tolist() == [MIN_LOG, MIN_LOG]
    assert math.isnan(views[2]) and views[3] == 3.0
    assert scale.from_view(1e6) == 1e300  # no overflow


def test_view_range() -> None:
    assert PriceScale().view_range(90.0, 110.0) == (90.0, 110.0)
    assert PriceScale(ScaleMode.PERCENT, 100.0).view_range(90.0, 110.0) == (90.0, 110.0)
    log = PriceScale(ScaleMode.LOG)
    assert log.view_range(10.0, 1000.0) == pytest.approx((1.0, 3.0))
    # A linear padding that reached zero: three decades under the top, not 1e-12.
    assert log.view_range(-5.0, 1000.0) == pytest.approx((0.0, 3.0))


# ---------------------------------------------------------------------- events, state


def test_changed_on_mode_and_on_base_in_percent_only() -> None:
    scale = PriceScale()
    seen = recorder(scale)
    scale.set_mode(ScaleMode.LINEAR)
    scale.set_base(100.0)  # kept, but shows nothing on a linear scale
    assert seen == [] and scale.base == 100.0
    scale.set_mode("log")
    scale.set_mode(ScaleMode.PERCENT)
    scale.set_base(100.0)  # unchanged
    scale.set_base(105.0)
    scale.set_base(None)
    assert seen == [
        (ScaleMode.LOG, 100.0),
        (ScaleMode.PERCENT, 100.0),
        (ScaleMode.PERCENT, 105.0),
        (ScaleMode.PERCENT, None),
    ]
    for bad in (0.0, -3.0, math.nan, math.inf):
        scale.set_base(bad)
        assert scale.base is None
    with pytest.raises(ValueError):
        scale.set_mode("cubic")


# ---------------------------------------------------------------------- text


def test_percent_of_the_base_and_percent_labels() -> None:
    percent = PriceScale(ScaleMode.PERCENT, base=100.0)
    assert percent_text(percent.percent(101.25), 2) == "+1.25%"
    assert percent_text(percent.percent(100.0), 2) == "0.00%"
    assert percent_text(percent.percent(96.6), 2) == "-3.40%"
    assert percent_text(percent.percent(99.999), 2) == "0.00%"  # rounds to zero: no sign
    assert percent_text(percent.percent(101.25), 0) == "+1%"
    assert percent_text(percent.percent(101.25), 3) == "+1.250%"
    assert percent_text(percent.percent(100.2), 0) == "0%"
    assert percent.percent(110.0) == pytest.approx(10.0)
    assert percent.shows_percent
    assert not PriceScale(ScaleMode.PERCENT).shows_percent  # no base: prices
    assert not PriceScale(ScaleMode.LINEAR, base=100.0).shows_percent
    assert percent_text(-0.001, 2) == "0.00%"
    assert percent_text(12.5, 3) == "+12.500%"
    assert percent_text(1000.0, 0) == "+1000%" and percent_text(-0.4, 0) == "0%"


# ---------------------------------------------------------------------- ticks


def labels(scale: PriceScale, low: float, high: float, count: float) -> list[str]:
    y0, y1 = scale.to_view(low), scale.to_view(high)
    return [text for _, text in scale.axis_ticks(y0, y1, count)]


def test_linear_ticks_are_the_value_axis_ticks() -> None:
    scale = PriceScale()
    assert labels(scale, 99.3, 104.6, 10) == ["100", "101", "102", "103", "104"]
    _step, values, decimals = nice_ticks(0.000123, 0.000187, 0.0000064)
    assert (decimals, values[0], values[-1]) == (5, 0.00013, 0.00018)
    assert [y for y, _ in scale.axis_ticks(99.3, 104.6, 10)] == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert scale.axis_ticks(1.0, 1.0, 10) == [] and scale.axis_ticks(0.0, 1.0, 0) == []


def test_log_ticks_per_decade_and_over_many_decades() -> None:
    log = PriceScale(ScaleMode.LOG)
    assert labels(log, 1, 100, 10) == ["1", "2", "5", "10", "20", "50", "100"]
    assert labels(log, 2, 5, 8) == ["2", "3", "4", "5"]
    assert labels(log, 5, 10, 4) == ["5.0", "7.5", "10"]
    assert labels(log, 10, 60, 10) == ["10", "15", "20", "30", "40", "50", "60"]
    assert labels(log, 1e-4, 1e5, 10) == [
        "0.0001", "0.001", "0.01", "0.1", "1", "10", "100", "1000", "10000", "100000",
    ]  # fmt: skip
    assert labels(log, 1, 1e6, 3) == ["1", "100", "10000", "1000000"]  # every 2nd decade


def test_log_ticks_zoomed_in_are_nice_prices_at_one_step() -> None:
    log = PriceScale(ScaleMode.LOG)
    assert labels(log, 67_000, 68_000, 10) == [str(p) for p in range(67_000, 68_001, 200)]
    assert labels(log, 9.8, 10.2, 10)[:3] == ["9.80", "9.85", "9.90"]
    assert labels(log, 0.1231, 0.1240, 10) == [f"{0.1231 + i / 1e4:.4f}" for i in range(10)]


def check_ticks(scale: PriceScale, y0: float, y1: float, count: float) -> None:
    """Inside the range, sorted, at least the spacing apart, labels = the prices there."""
    ticks = scale.axis_ticks(y0, y1, count)
    ys = [y for y, _ in ticks]
    assert all(y0 <= y <= y1 for y in ys)
    assert ys == sorted(ys)
    spacing = (y1 - y0) / count
    assert all(b - a >= spacing * (1 - 1e-9) for a, b in itertools.pairwise(ys))
    assert len(ys) <= count + 1
    decimals = scale.percent_decimals(y0, y1, count)
    for y, text in ticks:
        if scale.mode is ScaleMode.PERCENT:
            assert float(text.rstrip("%")) == pytest.approx(scale.percent(y), abs=1e-9)
            # Every label carries the decimals the scale reports for tags (the step's).
            assert len(text.rstrip("%").partition(".")[2]) == decimals
        else:
            assert decimals is None
            assert float(text) == pytest.approx(scale.from_view(y), rel=1e-9)


def test_ticks_on_random_ranges_hold_their_promises() -> None:
    rng = random.Random(12)
    for _ in range(400):
        low = 10 ** rng.uniform(-8, 7)
        high = low * 10 ** rng.choice([rng.uniform(1e-5, 0.01), rng.uniform(0.01, 9)])
        count = rng.uniform(2, 25)
        for scale in (
            PriceScale(ScaleMode.LOG),
            PriceScale(ScaleMode.LINEAR),
            PriceScale(ScaleMode.PERCENT, base=rng.uniform(low, high)),
        ):
            check_ticks(scale, scale.to_view(low), scale.to_view(high), count)


def test_narrow_log_ranges_get_many_labels_at_a_common_nice_step() -> None:
    rng = random.Random(3)
    log = PriceScale(ScaleMode.LOG)
    for _ in range(200):
        low = 10 ** rng.uniform(-6, 6)
        high = low * (1 + rng.uniform(0.001, 0.15))
        ticks = log.axis_ticks(log.to_view(low), log.to_view(high), 10)
        assert len(ticks) >= 4
        prices = [Decimal(text) for _, text in ticks]
        steps = {b - a for a, b in itertools.pairwise(prices)}
        if len(steps) > 1:  # across a 1-2-5 boundary: the coarser step divides the finer's
            assert max(steps) % min(steps) == 0
        step = min(steps)
        assert step.normalize().as_tuple().digits[0] in (1, 2, 5)
        assert all(p % step == 0 for p in prices)


def test_log_tick_helper_guards() -> None:
    assert log_ticks(1.0, 1.0, 0.1) == []
    assert log_ticks(1.0, 2.0, 0.0) == []
    assert log_ticks(1.0, 1.0 + 1e-18, 1e-19) == []


def test_percent_ticks_at_nice_percentages_of_the_base() -> None:
    scale = PriceScale(ScaleMode.PERCENT, base=100.0)
    assert labels(scale, 97, 104, 10) == ["-3%", "-2%", "-1%", "0%", "+1%", "+2%", "+3%", "+4%"]
    assert scale.percent_decimals(97, 104, 10) == 0
    scale.set_base(67_123.4)
    ticks = scale.axis_ticks(66_000.0, 69_000.0, 8)
    assert [text for _, text in ticks] == ["-1%", "0%", "+1%", "+2%"]
    for y, text in ticks:
        assert y == pytest.approx(67_123.4 * (1 + float(text.rstrip("%")) / 100))
    fine = PriceScale(ScaleMode.PERCENT, base=100.0)
    assert labels(fine, 100.0, 100.01, 5)[:2] == ["0.000%", "+0.002%"]  # finer: more decimals
    assert fine.percent_decimals(100.0, 100.01, 5) == 3
    assert labels(fine, 99.0, 101.0, 8)[:3] == ["-1.0%", "-0.5%", "0.0%"]  # a step of 0.5
    assert labels(PriceScale(ScaleMode.PERCENT), 99.3, 104.6, 10)[0] == "100"  # no base


def test_coarse_percent_steps_have_no_decimals() -> None:
    """A tenfold move steps by hundreds of percent: "+1000%", not "+1000.00%"."""
    scale = PriceScale(ScaleMode.PERCENT, base=0.5)
    shown = labels(scale, 0.5, 50.0, 10)
    assert shown[:3] == ["0%", "+1000%", "+2000%"] and shown[-1] == "+9000%"
    assert scale.percent_decimals(0.5, 50.0, 10) == 0
    assert labels(scale, 0.29, 0.71, 5) == ["-40%", "-20%", "0%", "+20%", "+40%"]


def test_percent_decimals_only_for_percent_labels() -> None:
    for scale in (
        PriceScale(ScaleMode.LINEAR, base=100.0),
        PriceScale(ScaleMode.LOG, base=100.0),
        PriceScale(ScaleMode.PERCENT),  # no base: the axis writes prices
    ):
        assert scale.percent_decimals(97.0, 104.0, 10) is None
    percent = PriceScale(ScaleMode.PERCENT, base=100.0)
    assert percent.percent_decimals(100.0, 100.0, 10) is None  # nothing to show
    assert percent.percent_decimals(97.0, 104.0, 0) is None
    assert percent.percent_decimals(97.0, math.inf, 10) is None


# ---------------------------------------------------------------------- countdown


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("now", "timeframe", "text"),
    [
        # Up to 1hour: mm:ss, seconds rounded up (the last second reads 00:01, never 00:00).
        (utc(2026, 3, 4, 10, 0, 0), "1min", "01:00"),  # just opened
        (utc(2026, 3, 4, 10, 0, 15) + 0.25, "1min", "00:45"),
        (utc(2026, 3, 4, 10, 0, 59) + 0.5, "1min", "00:01"),
        (utc(2026, 3, 4, 10, 0, 0), "1hour", "60:00"),  # a fresh hour
        (utc(2026, 3, 4, 10, 0, 1), "1hour", "59:59"),
        (utc(2026, 3, 4, 10, 0, 0) + 0.5, "1hour", "60:00"),  # 3599.5 s rounds up
        (utc(2026, 3, 4, 10, 30, 0), "1hour", "30:00"),
        (utc(2026, 3, 4, 10, 59, 59) + 0.8, "1hour", "00:01"),
        (utc(2026, 3, 4, 10, 59, 59), "1hour", "00:01"),
        (utc(2026, 3, 4, 10, 14, 0), "15min", "01:00"),
        # Longer: hh:mm, minutes rounded up, hours not capped.
        (utc(2026, 3, 4, 10, 0, 0), "2hour", "02:00"),
        (utc(2026, 3, 4, 8, 0, 1), "4hour", "04:00"),  # 3 h 59 min 59 s
        (utc(2026, 3, 4, 8, 1, 1), "4hour", "03:59"),  # 3 h 58 min 59 s
        (utc(2026, 3, 4, 11, 59, 30), "4hour", "00:01"),  # the last minute
        (utc(2026, 3, 4, 0, 1, 0), "1day", "23:59"),
        (utc(2026, 3, 4, 23, 59, 59) + 0.9, "1day", "00:01"),
        (utc(2026, 3, 2, 0, 0, 0), "1week", "168:00"),  # Monday 00:00 UTC: a fresh week
        (utc(2026, 3, 5, 12, 0, 0), "1week", "84:00"),  # Thursday noon: half a week
        (utc(2026, 3, 8, 23, 59, 1), "1week", "00:01"),  # Sunday night
        # 1month: calendar months, not 31 days.
        (utc(2026, 2, 1), "1month", "672:00"),  # February 2026: 28 days
        (utc(2026, 2, 27), "1month", "48:00"),
        (utc(2026, 2, 28, 23, 59, 30), "1month", "00:01"),
        (utc(2028, 2, 1), "1month", "696:00"),  # a leap February
        (utc(2026, 3, 1, 0, 30), "1month", "743:30"),  # March: 31 days
        (utc(2026, 4, 1), "1month", "720:00"),  # April: 30 days
        (utc(2026, 4, 30, 23, 0), "1month", "01:00"),
        (utc(2026, 12, 31, 12, 0), "1month", "12:00"),  # into January of the next year
    ],
)
def test_countdown_to_close(now: float, timeframe: str, text: str) -> None:
    assert countdown_to_close(now, timeframe) == text


def test_countdown_counts_to_the_close_of_the_period_of_now() -> None:
    """No candle is asked: a quiet pair whose newest candle closed long ago counts down to
    the close of the current period, never sticking at 00:00."""
    assert datetime(2026, 3, 2, tzinfo=UTC).weekday() == 0  # the week cases start on Monday
    rng = random.Random(7)
    for timeframe in TIMEFRAME_SECONDS:
        mmss = TIMEFRAME_SECONDS[timeframe] <= 3600
        for _ in range(300):
            now = rng.uniform(1.5e9, 2.0e9)
            close = next_candle_start(timeframe, candle_start(timeframe, now))
            big, small = (int(part) for part in countdown_to_close(now, timeframe).split(":"))
            unit = 1 if mmss else 60  # seconds, or minutes, rounded up
            left = (big * 60 + small) * unit
            assert 0 <= left - (close - now) < unit and left >= unit  # never 00:00
            assert left <= close - candle_start(timeframe, now)
    with pytest.raises(KeyError):
        countdown_to_close(1.7e9, "2min")
