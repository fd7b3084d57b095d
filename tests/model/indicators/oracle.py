"""talipp as the reference: the values each spec should have, fed candle by candle.

talipp (incremental technical analysis) is the oracle. Where our convention differs from its
indicator of the same name the reference is built from its parts:
- RSI: Wilder's original seeds the averages with the first N changes; talipp's RSI seeds with
  N-1. The reference is talipp's SMMA (Wilder's smoothing, seeded with the mean of N) fed the
  gains and the losses, then ``100 - 100 / (1 + gain / loss)``, 100 when the loss is 0; an
  average below ``NEGLIGIBLE`` times the close counts as 0 (ours: after a long flat stretch
  the averages decay into subnormal numbers, whose ratio is rounding noise).
- VWAP: talipp's never resets; ours starts at each UTC day: one talipp VWAP per day.

Tolerance: 1e-9 relative to the reference value, except for MACD's three lines: they are
differences of EMAs of prices, so every implementation (talipp's too) rounds them to a few
ulps of the *price*; near a zero crossing no implementation has relative precision. They are
compared relative to the price level (the candle's close).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
from talipp.indicators import BB, EMA, MACD, SMA, SMMA, VWAP
from talipp.ohlcv import OHLCV

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.indicators import IndicatorSet, IndicatorSpec, Kind, parse_indicator_spec
from kucandle_gui.model.indicators.calculators import NEGLIGIBLE
from kucandle_gui.protocol import Candle

RTOL = 1e-9
DAY = 86_400

#: One spec of every kind, with the usual parameters and a few unusual ones.
SPECS = [
    "sma:20",
    "sma:2",
    "sma:200",
    "ema:20",
    "ema:2",
    "ema:1000",
    "bb:20:2",
    "bb:5:2.5",
    "vwap",
    "rsi:14",
    "rsi:2",
    "macd:12:26:9",
    "macd:3:50:20",
    "volsma:20",
]


class _Rsi:
    def __init__(self, period: int) -> None:
        self.gains, self.losses = SMMA(period), SMMA(period)
        self.closes: list[float] = []

    def add(self, close: float) -> None:
        self.closes.append(close)
        if len(self.closes) > 1:
            change = close - self.closes[-2]
            self.gains.add(max(change, 0.0))
            self.losses.add(max(-change, 0.0))

    def update(self, close: float) -> None:
        self.closes[-1] = close
        if len(self.closes) > 1:
            change = close - self.closes[-2]
            self.gains.update(max(change, 0.0))
            self.losses.update(max(-change, 0.0))

    def values(self) -> list[float | None]:
        out: list[float | None] = [None]
        for gain, loss, close in zip(self.gains, self.losses, self.closes[1:], strict=True):
            if gain is None:
                out.append(None)
                continue
            floor = NEGLIGIBLE * abs(close)
            gain, loss = (0.0 if x < floor else x for x in (gain, loss))
            out.append(100.0 if loss == 0 else 100.0 - 100.0 / (1.0 + gain / loss))
        return out[: len(self.closes)]


class _Vwap:
    def __init__(self) -> None:
        self.days: list[tuple[int, VWAP]] = []

    def add(self, candle: Candle) -> None:
        day = candle.time // DAY
        if not self.days or self.days[-1][0] != day:
            self.days.append((day, VWAP()))
        self.days[-1][1].add(_ohlcv(candle))

    def update(self, candle: Candle) -> None:
        self.days[-1][1].update(_ohlcv(candle))

    def values(self) -> list[float | None]:
        return [v for _, vwap in self.days for v in vwap]


def _ohlcv(c: Candle) -> OHLCV:
    return OHLCV(c.open, c.high, c.low, c.close, c.volume)


class Reference:
    """talipp indicators of ``spec``, fed with :meth:`add` / :meth:`update` like the feed."""

    def __init__(self, spec: IndicatorSpec | str) -> None:
        spec = parse_indicator_spec(spec) if isinstance(spec, str) else spec
        self.spec = spec
        p = [int(x) for x in spec.params[:1]]
        kind = spec.kind
        self.closes: list[float] = []
        if kind in (Kind.SMA, Kind.VOLSMA):
            self._ind: object = SMA(p[0])
        elif kind is Kind.EMA:
            self._ind = EMA(p[0])
        elif kind is Kind.BB:
            self._ind = BB(p[0], spec.params[1])
        elif kind is Kind.MACD:
            self._ind = MACD(*(int(x) for x in spec.params))
        elif kind is Kind.RSI:
            self._ind = _Rsi(p[0])
        else:
            self._ind = _Vwap()

    def _input(self, candle: Candle) -> object:
        if self.spec.kind is Kind.VWAP:
            return candle
        return candle.volume if self.spec.kind is Kind.VOLSMA else candle.close

    def add(self, candle: Candle) -> None:
        self.closes.append(candle.close)
        self._ind.add(self._input(candle))  # type: ignore[attr-defined]

    def update(self, candle: Candle) -> None:
        self.closes[-1] = candle.close
        self._ind.update(self._input(candle))  # type: ignore[attr-defined]

    @classmethod
    def over(cls, spec: IndicatorSpec | str, candles: Iterable[Candle]) -> tuple[np.ndarray, ...]:
        """talipp's values of ``spec`` over ``candles`` from scratch."""
        ref = cls(spec)
        for candle in candles:
            ref.add(candle)
        return ref.arrays()

    def arrays(self) -> tuple[np.ndarray, ...]:
        """One array per output, NaN where talipp gives None."""
        kind = self.spec.kind
        if kind in (Kind.RSI, Kind.VWAP):
            raw: list = self._ind.values()  # type: ignore[attr-defined]
        else:
            raw = list(self._ind)  # type: ignore[call-overload]
        if kind is Kind.BB:
            names = ("lb", "cb", "ub")
        elif kind is Kind.MACD:
            names = ("macd", "signal", "histogram")
        else:
            return (_array(raw),)
        return tuple(_array([None if v is None else getattr(v, n) for v in raw]) for n in names)


def _array(values: Iterable[float | None]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


def reference(spec: IndicatorSpec | str, candles: Iterable[Candle]) -> tuple[np.ndarray, ...]:
    """talipp's values of ``spec`` over ``candles`` computed from scratch."""
    return Reference.over(spec, candles)


def assert_matches(
    spec: IndicatorSpec | str,
    ours: tuple[np.ndarray, ...],
    expected: tuple[np.ndarray, ...],
    closes: np.ndarray,
) -> None:
    """NaN exactly where talipp has None, and every value within the tolerance."""
    spec = parse_indicator_spec(spec) if isinstance(spec, str) else spec
    assert len(ours) == len(expected) == len(spec.outputs)
    for name, a, b in zip(spec.outputs, ours, expected, strict=True):
        assert a.shape == b.shape, f"{spec.text} {name}: {a.shape} != {b.shape}"
        undefined = np.isnan(b)
        wrong = np.flatnonzero(np.isnan(a) != undefined)
        assert not len(wrong), f"{spec.text} {name}: NaN differs at {wrong[:10]}"
        scale = np.abs(closes) if spec.kind is Kind.MACD else np.abs(b)
        error = np.abs(a - b)[~undefined]
        bound = (RTOL * scale)[~undefined]
        bad = np.flatnonzero(error > bound)
        assert not len(bad), (
            f"{spec.text} {name}: {len(bad)} values off, worst relative "
            f"{np.max(error / np.maximum(bound / RTOL, 1e-300)):.3g}"
        )


def check_set(indicators: IndicatorSet, candles: list[Candle]) -> None:
    """Every indicator of the set equals talipp's from scratch over ``candles``."""
    closes = np.array([c.close for c in candles])
    for spec in indicators.specs:
        assert_matches(spec, indicators.values(spec), reference(spec, candles), closes)


# -- candles for the tests that keep a set up to date -------------------------------------------


def series_of(candles: list[Candle], max_candles: int | None = None) -> CandleSeries:
    series = CandleSeries("TEST-USDT", "1min", max_candles)
    series.set_history(candles)
    return series


def grown(candle: Candle, rng: random.Random) -> Candle:
    """A later state of the same candle: a trade moved the close and added volume."""
    close = candle.close + rng.uniform(-0.5, 0.5)
    volume = candle.volume + rng.uniform(0.01, 1.0)
    return replace(
        candle,
        high=max(candle.high, close),
        low=min(candle.low, close),
        close=close,
        volume=volume,
        turnover=candle.turnover + volume * close,
    )
