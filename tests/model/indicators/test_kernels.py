"""The numpy kernels against plain loops: exact to a few ulps whatever the length."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kucandle_gui.model.indicators import kernels


def sequential(x: np.ndarray, y0: float, c: float, a: float) -> np.ndarray:
    out, y = [], y0
    for v in x.tolist():
        y = c * y + a * v
        out.append(y)
    return np.array(out)


@pytest.mark.parametrize("period", [2, 3, 14, 26, 200, 1000])
def test_the_block_scan_equals_the_recursion_over_long_histories(period: int) -> None:
    rng = np.random.default_rng(period)
    x = 60_000 + np.cumsum(rng.normal(0, 30, 200_003))
    for alpha in (2.0 / (period + 1.0), 1.0 / period):
        c = 1.0 - alpha
        ours = kernels.linear_scan(x, x[0], c, alpha)
        assert np.max(np.abs(ours / sequential(x, x[0], c, alpha) - 1)) < 1e-12
    # Signs that cancel (a MACD line crossing zero): exact relative to the inputs' size.
    z = rng.normal(0, 1, 10_000)
    ours = kernels.linear_scan(z, 0.0, 1 - 2 / (period + 1), 2 / (period + 1))
    reference = sequential(z, 0.0, 1 - 2 / (period + 1), 2 / (period + 1))
    assert np.max(np.abs(ours - reference)) < 1e-13


def test_block_lengths_keep_the_powers_finite() -> None:
    for period in (2, 3, 10, 1000):
        for c in (1 - 2 / (period + 1), 1 - 1 / period):
            size = kernels.block_length(c)
            assert 1 <= size <= 1024
            assert math.isfinite(c**-size) and c**-size < 1e251 and c**size > 1e-251


@pytest.mark.parametrize("period", [2, 5, 20, 333])
def test_moving_windows_equal_a_two_pass_mean_and_std(period: int) -> None:
    rng = np.random.default_rng(period)
    x = 100 + np.cumsum(rng.normal(0, 1, 5000))
    windows = np.lib.stride_tricks.sliding_window_view(x, period)
    mean, std = kernels.moving_mean_std(x, period)
    assert np.allclose(mean, windows.mean(axis=1), rtol=1e-13, atol=0)
    assert np.allclose(std, windows.std(axis=1), rtol=1e-9, atol=1e-12)
    assert np.allclose(kernels.moving_mean(x, period), mean, rtol=1e-15, atol=0)
    assert len(kernels.moving_mean(x[: period - 1], period)) == 0


def test_a_window_of_equal_values_has_a_deviation_of_exactly_zero() -> None:
    x = np.array([3.3] * 7 + [1.1] * 25 + [7.7] * 30)
    mean, std = kernels.moving_mean_std(x, 20)
    flat = [i - 19 for i in range(19, len(x)) if len(set(x[i - 19 : i + 1])) == 1]
    assert flat and np.all(std[flat] == 0.0) and np.all(mean[flat] == x[np.array(flat) + 19])


def test_day_sums_restart_at_each_day_and_carry_into_a_continued_one() -> None:
    day = np.array([5, 5, 5, 6, 6, 8])
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    (sums,) = kernels.day_cumsum(day, (v,), None)
    assert sums.tolist() == [1, 3, 6, 4, 9, 6]
    (sums,) = kernels.day_cumsum(day, (v,), (10.0,))
    assert sums.tolist() == [11, 13, 16, 4, 9, 6]


def test_day_sums_are_sequential_sums_of_each_day_whatever_came_before() -> None:
    """Each day summed from its first value, as one adds them one by one: exactly, after a
    day of huge values too (no difference of running totals over every day)."""
    rng = np.random.default_rng(4)
    lengths = rng.choice([1, 2, 3, 17, 200, 1440], size=300)
    day = np.repeat(np.arange(len(lengths)) * 3, lengths)
    v = rng.random(len(day)) * 10.0 ** rng.integers(-3, 9, len(day))
    for carry in (None, (1e7,)):
        (sums,) = kernels.day_cumsum(day, (v,), carry)
        expected, total = [], carry[0] if carry else 0.0
        for i, x in enumerate(v.tolist()):
            if i and day[i] != day[i - 1]:
                total = 0.0
            total += x
            expected.append(total)
        assert sums.tolist() == expected
    assert [len(s) for s in kernels.day_cumsum(day[:0], (v[:0], v[:0]), None)] == [0, 0]


def test_a_million_candles_of_sma_ema_and_vwap_match_talipp() -> None:
    """The kernels over a million candles (a positive walk, about two years of minutes, 695
    days for VWAP) against talipp fed value by value: 1e-9 relative, rounding does not grow
    with the length."""
    from talipp.indicators import EMA, SMA, VWAP
    from talipp.ohlcv import OHLCV

    from kucandle_gui.feed import CandleColumns
    from kucandle_gui.model.indicators import IndicatorSet

    n = 1_000_000
    rng = np.random.default_rng(11)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 1e-3, n)))
    high, low = close * (1 + rng.random(n) * 1e-3), close * (1 - rng.random(n) * 1e-3)
    volume = rng.random(n) * 10 + 0.01
    time = 1_700_006_400 + 60 * np.arange(n)
    columns = CandleColumns(max_candles=None)
    columns.set_arrays(time, close, high, low, close, volume)
    specs = ["sma:200", "ema:50", "vwap"]
    ours = IndicatorSet(columns, specs)

    def check(spec: str, expected: list) -> None:
        b = np.array([math.nan if x is None else x for x in expected])
        (a,) = ours.values(spec)
        assert np.array_equal(np.isnan(a), np.isnan(b)), spec
        defined = ~np.isnan(b)
        assert np.max(np.abs(a[defined] / b[defined] - 1)) < 1e-9, spec

    values = close.tolist()
    check("sma:200", list(SMA(200, input_values=values)))
    check("ema:50", list(EMA(50, input_values=values)))
    vwap: list = []
    days = time // 86_400
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1], True])
    rows = zip(values, high.tolist(), low.tolist(), volume.tolist(), strict=True)
    bars = [OHLCV(c, h, lo, c, v) for c, h, lo, v in rows]
    for a, b in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
        vwap.extend(VWAP(input_values=bars[a:b]))
    check("vwap", vwap)
