"""IndicatorSet's API: specs held, what sync() returns, the version counters, reading values."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.indicators import IndicatorSet, IndicatorSpecError, parse_indicator_spec
from kucandle_gui.protocol import Candle
from tests.helpers import TF, numpy_walk

from .oracle import check_set


def series_of(candles: list[Candle], max_candles: int | None = None) -> CandleSeries:
    series = CandleSeries("TEST-USDT", "1min", max_candles)
    series.set_history(candles)
    return series


def test_specs_keep_their_order_once_each_and_accept_text() -> None:
    indicators = IndicatorSet(None, ["ema:20", parse_indicator_spec("sma:5"), "EMA:20"])
    assert [s.text for s in indicators.specs] == ["ema:20", "sma:5"]
    assert indicators.add("rsi:14") == parse_indicator_spec("rsi:14")
    indicators.add("sma:5")
    indicators.remove("ema:20")
    indicators.remove("vwap")  # not held: nothing happens
    assert [s.text for s in indicators.specs] == ["sma:5", "rsi:14"]
    assert "rsi:14" in indicators and "ema:20" not in indicators and "junk" not in indicators
    indicators.set_specs(["vwap", "vwap", "macd:12:26:9"])
    assert [s.text for s in indicators.specs] == ["vwap", "macd:12:26:9"]
    with pytest.raises(IndicatorSpecError):
        indicators.add("ema:1")


def test_sync_returns_none_when_nothing_changed_and_the_oldest_changed_index_else() -> None:
    candles = numpy_walk(300)
    series = series_of(candles)
    indicators = IndicatorSet(series, ["ema:10", "bb:20:2"])
    assert indicators.sync() is None  # computed when made
    last = replace(candles[-1], close=candles[-1].close + 1, volume=candles[-1].volume + 1)
    series.upsert(last)
    assert indicators.sync() == 299
    assert indicators.sync() is None
    series.upsert(replace(candles[100], volume=candles[100].volume + 1))
    series.upsert(replace(candles[200], volume=candles[200].volume + 1))
    assert indicators.sync() == 100
    series.upsert(Candle(last.time + TF, 1, 2, 0.5, 1.5, 3, 3))
    assert indicators.sync() == 300  # the previous newest did not change since the last sync
    series.upsert(Candle(last.time + 2 * TF, 1, 2, 0.5, 1.5, 4, 4))  # it changed, then a new one
    series.upsert(Candle(last.time + 3 * TF, 1, 2, 0.5, 1.5, 3, 3))
    assert indicators.sync() == 301
    series.upsert(Candle(last.time + 3 * TF, 1, 2, 0.5, 1.7, 4, 4))  # changed in place
    series.upsert(Candle(last.time + 4 * TF, 1, 2, 0.5, 1.5, 3, 3))
    assert indicators.sync() == 302
    series.upsert(Candle(last.time + 60 * TF, 1, 2, 0.5, 1.5, 3, 3))  # after a gap
    assert indicators.sync() == 304
    series.upsert(Candle(last.time + 30 * TF, 1, 2, 0.5, 1.5, 3, 3))  # the gap's missing one
    assert indicators.sync() == 304


def test_version_moves_on_every_change_history_version_not_for_the_newest_alone() -> None:
    candles = numpy_walk(100)
    series = series_of(candles)
    indicators = IndicatorSet(series, ["sma:10"])
    v, h = indicators.version, indicators.history_version
    indicators.sync()
    assert (indicators.version, indicators.history_version) == (v, h)  # nothing new
    series.upsert(replace(candles[-1], close=1.0, volume=99.0))
    indicators.sync()
    assert (indicators.version, indicators.history_version) == (v + 1, h)
    series.upsert(Candle(candles[-1].time + TF, 1, 1, 1, 1, 1, 1))
    indicators.sync()
    assert indicators.version == v + 2 and indicators.history_version == h + 1
    indicators.add("ema:5")
    assert indicators.version == v + 3 and indicators.history_version == h + 2
    assert indicators.sync() == 0  # the new indicator: every candle has a new value
    indicators.remove("sma:10")
    assert indicators.version == v + 4 and indicators.history_version == h + 3


def test_values_are_read_only_aligned_and_nan_where_undefined() -> None:
    candles = numpy_walk(50)
    indicators = IndicatorSet(series_of(candles), ["sma:10", "bb:5:2", "macd:3:6:4"])
    (sma,) = indicators.values("sma:10")
    assert len(sma) == 50 and np.isnan(sma[:9]).all() and not np.isnan(sma[9:]).any()
    assert sma.dtype == np.float64 and not sma.flags.writeable
    lower, middle, upper = indicators.values(parse_indicator_spec("bb:5:2"))
    assert np.all(lower[4:] <= middle[4:]) and np.all(middle[4:] <= upper[4:])
    macd, signal, _ = indicators.values("macd:3:6:4")
    assert np.isnan(macd[:5]).all() and not np.isnan(macd[5]).any()
    assert np.isnan(signal[:8]).all() and not np.isnan(signal[8])
    with pytest.raises(KeyError):
        indicators.values("ema:20")


def test_values_at_keys_by_spec_text_with_none_and_lists() -> None:
    candles = numpy_walk(50)
    indicators = IndicatorSet(series_of(candles), ["sma:10", "bb:5:2", "vwap"])
    early = indicators.values_at(2)
    assert early == {"sma:10": None, "bb:5:2": [None, None, None], "vwap": early["vwap"]}
    assert isinstance(early["vwap"], float)
    newest = indicators.values_at(-1)
    assert newest == indicators.values_at(49)
    assert newest["sma:10"] == pytest.approx(np.mean([c.close for c in candles[40:]]), 1e-12)
    lower, middle, upper = newest["bb:5:2"]
    assert lower < middle < upper and all(isinstance(x, float) for x in (lower, middle, upper))
    for index in (50, -51):
        with pytest.raises(IndexError):
            indicators.values_at(index)


def test_an_empty_series_then_its_history_then_a_restart() -> None:
    series = CandleSeries("TEST-USDT", "1min", None)
    indicators = IndicatorSet(series, ["ema:5", "vwap"])
    assert indicators.sync() is None
    assert len(indicators.values("ema:5")[0]) == 0
    candles = numpy_walk(40)
    series.set_history(candles)
    assert indicators.sync() == 0
    check_set(indicators, candles)
    series.clear()
    version = indicators.version
    assert indicators.sync() == 0  # every value went
    assert indicators.version > version and len(indicators.values("vwap")[0]) == 0
    assert indicators.sync() is None
    series.clear()  # nothing held, nothing went
    assert indicators.sync() is None
    series.upsert(candles[0])
    assert indicators.sync() == 0
    check_set(indicators, candles[:1])


def test_bind_recomputes_over_another_series_and_none_unbinds() -> None:
    a, b = numpy_walk(80, seed=1), numpy_walk(120, seed=2)
    first, second = series_of(a), series_of(b)
    indicators = IndicatorSet(first, ["rsi:14", "volsma:20"])
    indicators.sync()
    indicators.bind(second)
    assert indicators.columns is second
    assert indicators.sync() == 0
    check_set(indicators, b)
    first.upsert(replace(a[-1], volume=a[-1].volume + 5))  # the old series: not watched
    assert indicators.sync() is None
    indicators.bind(None)
    assert indicators.sync() == 0  # every value went
    assert indicators.sync() is None and len(indicators.values("rsi:14")[0]) == 0
    indicators.bind(None)
    assert indicators.sync() is None


def test_a_missing_candle_in_a_day_and_the_day_boundary_for_vwap() -> None:
    """VWAP restarts at 00:00 UTC: its first candle of a day is that candle's typical price."""
    day = 1_700_006_400  # a UTC midnight
    candles = [Candle(day - 120 + 60 * i, 10, 12 + i, 8, 10 + i, 1 + i, 0) for i in range(6)]
    indicators = IndicatorSet(series_of(candles), ["vwap"])
    (vwap,) = indicators.values("vwap")
    c = candles[2]
    assert c.time == day
    assert vwap[2] == pytest.approx((c.high + c.low + c.close) / 3, 1e-15)
    zero = replace(candles[3], volume=0.0)
    only_zero = [replace(candles[2], volume=0.0), zero]
    indicators.bind(series_of(only_zero))
    assert all(math.isnan(x) for x in indicators.values("vwap")[0])  # no volume yet today
    check_set(indicators, only_zero)


def test_the_buffers_follow_the_series_down_on_bind_and_clear() -> None:
    big, small = series_of(numpy_walk(50_000, seed=1)), series_of(numpy_walk(500, seed=2))
    indicators = IndicatorSet(big, ["ema:20", "macd:12:26:9", "bb:20:2"])
    assert indicators.capacity >= 50_000
    indicators.bind(small)
    assert 500 <= indicators.capacity <= 500 + 2 * 64
    check_set(indicators, small.candles())
    indicators.bind(big)
    small.clear()
    indicators.bind(small)
    assert indicators.sync() == 0 and indicators.capacity <= 64 + 2 * 64
    big.clear()  # not watched any more
    indicators.bind(big)
    big.set_history(numpy_walk(30_000, seed=3))
    assert indicators.sync() == 0 and indicators.capacity >= 30_000
    big.clear()
    assert indicators.sync() == 0 and indicators.capacity <= 3 * 64
