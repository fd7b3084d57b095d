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
