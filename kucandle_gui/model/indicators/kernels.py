"""Vectorised numpy kernels: moving windows, exponential smoothing, daily cumulative sums.

Written for exactness as much as speed: no kernel may let rounding grow with the length of
the history. The tests hold every indicator to talipp (a sequential pure Python reference)
within 1e-9 relative over thousands of candles, and the SMA, EMA and VWAP kernels over a
million (``tests/model/indicators/test_kernels.py``).

- Moving windows (SMA, Bollinger): short ones are summed from N shifted slices. For longer
  ones a cumulative sum over the whole history would subtract
  numbers as large as the sum of everything so far. Here the history is cut in blocks of the
  window's length N; each window ending in block k is summed from a cumulative sum over blocks
  k-1 and k only, taken relative to the block's first value, which lies inside every such
  window: the rounding stays that of 2N values near the window, and a window of equal prices
  gives a variance of exactly 0.
- Exponential smoothing (EMA, Wilder): ``y[i] = c*y[i-1] + a*x[i]`` is a scan. Per block of L
  values, ``y[k] = c**(k+1)*y0 + c**k * cumsum(a*x[j]*c**-j)[k]``: numpy does the cumulative
  sum, a Python loop carries ``y0`` from block to block (n / L steps). L keeps ``c**-L`` below
  1e250, so nothing overflows, and each value carries a few ulps of rounding.
- Daily sums (VWAP): each day is summed on its own from its first candle (see
  :func:`day_cumsum`), never as a difference of running totals over the whole history.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: Windows shorter than these are summed from shifted slices (N vectorised passes; a plain
#: two-pass deviation): measured cheaper than the blocks up to there.
_SHORT_MEAN = 64
_SHORT_STD = 16
#: Longest block of the smoothing scan (fewer Python carries; longer cumulative sums).
_MAX_BLOCK = 1024
#: Largest power ``c**-L`` a block may reach: far from overflow, and exact enough.
_MAX_LOG10_POWER = 250.0

Inputs = Callable[[int, int], np.ndarray]


def window_sums(
    x: np.ndarray, period: int, squares: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Per window of ``period`` values ending at ``x[period-1:]``: ``(ref, s1, s2)`` such that
    the window's sum is ``period*ref + s1`` and ``s1``/``s2`` are sums of ``x - ref`` and of
    its squares (``s2`` only with ``squares``), ``ref`` being a value inside the window."""
    m = len(x)
    if m < period:
        empty = np.empty(0)
        return empty, empty, empty if squares else None
    blocks = (m + period - 1) // period
    padded = np.empty((blocks + 1) * period)
    padded[:period] = x[0]
    padded[period : period + m] = x
    padded[period + m :] = x[-1]
    # Row r holds blocks r and r+1; windows ending in block r+1 lie inside it.
    segments = sliding_window_view(padded, 2 * period)[: blocks * period : period]
    ref = segments[:, period].copy()
    deltas = segments - ref[:, None]
    keep = slice(period - 1, m)
    refs = np.repeat(ref, period)[keep]
    s1 = _windowed(deltas, period)[keep]
    s2 = _windowed(deltas * deltas, period)[keep] if squares else None
    return refs, s1, s2


def _windowed(rows: np.ndarray, period: int) -> np.ndarray:
    prefix = np.zeros((rows.shape[0], rows.shape[1] + 1))
    np.cumsum(rows, axis=1, out=prefix[:, 1:])
    return (prefix[:, period + 1 :] - prefix[:, 1 : period + 1]).ravel()


def moving_mean(x: np.ndarray, period: int) -> np.ndarray:
    """Mean of each window of ``period`` values, for windows ending at ``x[period-1:]``."""
    if period < _SHORT_MEAN:
        return _short_sums(x, period) / period
    ref, s1, _ = window_sums(x, period)
    return ref + s1 / period


def _short_sums(x: np.ndarray, period: int) -> np.ndarray:
    m = max(len(x) - period + 1, 0)
    total = x[:m].copy()
    for j in range(1, period):
        total += x[j : j + m]
    return total


def moving_mean_std(x: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population standard deviation of each window (talipp's StdDev)."""
    if period < _SHORT_STD:
        mean = _short_sums(x, period) / period
        m = len(mean)
        deviation = np.zeros(m)
        for j in range(period):
            d = x[j : j + m] - mean
            deviation += d * d
        return mean, np.sqrt(deviation / period)
    ref, s1, s2 = window_sums(x, period, squares=True)
    assert s2 is not None
    shift = s1 / period
    variance = np.maximum(s2 / period - shift * shift, 0.0)
    return ref + shift, np.sqrt(variance)


def tail_sums(x: np.ndarray, ref: float) -> tuple[float, float]:
    """Sums of ``x - ref`` and of its squares (the live step's window state)."""
    d = x - ref
    return float(np.sum(d)), float(np.dot(d, d))


def block_length(c: float) -> int:
    """Values per block of the scan for decay ``c`` (0 < c < 1)."""
    return max(1, min(_MAX_BLOCK, int(_MAX_LOG10_POWER / -math.log10(c))))


def linear_scan(x: np.ndarray, y0: float, c: float, a: float) -> np.ndarray:
    """``y[i] = c*y[i-1] + a*x[i]`` with ``y[-1] = y0``, vectorised per block."""
    m = len(x)
    if m == 0:
        return np.empty(0)
    size = block_length(c)
    blocks = (m + size - 1) // size
    xb = np.zeros(blocks * size)
    xb[:m] = x
    xb = xb.reshape(blocks, size)
    j = np.arange(size, dtype=np.float64)
    down = c**j  # c**k
    up = a * c**-j  # a * c**-j
    z = np.cumsum(xb * up, axis=1)
    z *= down
    carry_power = c * down  # c**(k+1)
    last = z[:, -1].tolist()
    cb = c**size
    carries = np.empty(blocks)
    y = y0
    for b in range(blocks):
        carries[b] = y
        y = last[b] + cb * y
    z += carries[:, None] * carry_power
    return z.ravel()[:m]


def smooth(
    inputs: Inputs,
    out: np.ndarray,
    start: int,
    period: int,
    first: int,
    alpha: float,
) -> None:
    """Exponential smoothing into ``out[start:]``, ``out[:start]`` kept as its state.

    ``inputs(lo, hi)`` gives the inputs at ``[lo, hi)``, defined from ``first`` on; the first
    value, at ``first + period - 1``, is the mean of the first ``period`` inputs (talipp's EMA
    and SMMA seed), then ``y = alpha*x + (1-alpha)*y_prev``; NaN before the seed. A defined
    ``out[start-1]`` before the seed's index (values kept from candles the cap dropped since)
    is continued, not seeded again.
    """
    n = len(out)
    seed = first + period - 1
    if start <= seed and (start == 0 or math.isnan(out[start - 1])):
        out[start : min(seed, n)] = np.nan
        if n <= seed:
            return
        out[seed] = float(np.sum(inputs(first, seed + 1))) / period
        start = seed + 1
    if start < n:
        out[start:] = linear_scan(inputs(start, n), float(out[start - 1]), 1.0 - alpha, alpha)


def smooth_step(
    inputs: Inputs,
    out: np.ndarray,
    i: int,
    period: int,
    first: int,
    alpha: float,
    value: float | None = None,
) -> None:
    """:func:`smooth` of the one value ``out[i]`` from ``out[i-1]``: O(1) past the seed.
    ``value``: the input at ``i`` when the caller has it (else read through ``inputs``)."""
    seed = first + period - 1
    if i <= seed and (i == 0 or math.isnan(out[i - 1])):
        out[i] = float(np.sum(inputs(first, seed + 1))) / period if i == seed else math.nan
    else:
        x = float(inputs(i, i + 1)[0]) if value is None else value
        out[i] = (1.0 - alpha) * float(out[i - 1]) + alpha * x


def day_cumsum(
    day: np.ndarray, values: tuple[np.ndarray, ...], carry: tuple[float, ...] | None
) -> list[np.ndarray]:
    """Cumulative sums of each of ``values`` restarting where ``day`` changes; ``carry``:
    the sums before the first value when it continues a day already summed.

    Each day is summed on its own, in order (``carry + v0 + v1 + ...``, the additions of the
    sequential path): a running total over every day minus the one at the day's start would
    subtract numbers as large as the whole history's sum. Days are padded to the longest
    day in groups of similar lengths (within a factor of 2): one 2-D cumulative sum per group,
    at most twice the values, a dozen groups for any timeframe.
    """
    m = len(day)
    out = [np.empty(m) for _ in values]
    if m == 0:
        return out
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    lengths = np.diff(np.r_[starts, m])
    groups = np.frexp(lengths)[1]  # lengths in [2**(g-1), 2**g)
    padded = [np.append(v, 0.0) for v in values]  # index m reads a 0
    for group in np.unique(groups):
        chosen = groups == group
        first, length = starts[chosen], lengths[chosen]
        width = np.arange(int(length.max()))
        inside = width < length[:, None]
        index = np.where(inside, first[:, None] + width, m)
        for k, v in enumerate(padded):
            block = v[index]
            if carry is not None and first[0] == 0:
                block[0, 0] += carry[k]  # carry + v0, as the sequential path adds
            np.cumsum(block, axis=1, out=block)
            out[k][index[inside]] = block[inside]
    return out
