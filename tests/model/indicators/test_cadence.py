"""The values do not depend on how often sync() runs, nor on how the candles arrived: many
changes between two syncs, a backfilled gap, long flat stretches, a busy day before a quiet
one."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.indicators import IndicatorSet
from kucandle_gui.protocol import Candle
from tests.helpers import TF, numpy_walk

from .oracle import DAY, SPECS, Reference, assert_matches, check_set, grown, series_of


def assert_same(a: IndicatorSet, b: IndicatorSet, closes: np.ndarray) -> None:
    """The same values: NaN at the same candles, numbers equal but for the rounding of the
    vectorised kernels against the O(1) steps (MACD's lines relative to the price)."""
    for spec in a.specs:
        for x, y in zip(a.values(spec), b.values(spec), strict=True):
            assert np.array_equal(np.isnan(x), np.isnan(y)), spec.text
            scale = np.maximum(np.abs(y), np.abs(closes))
            assert np.all(np.abs(x - y)[~np.isnan(y)] <= 1e-12 * scale[~np.isnan(y)]), spec.text


def twin_sets(
    history: list[Candle], max_candles: int | None
) -> tuple[CandleSeries, IndicatorSet, CandleSeries, IndicatorSet]:
    often, rarely = series_of(history, max_candles), series_of(history, max_candles)
    return often, IndicatorSet(often, SPECS), rarely, IndicatorSet(rarely, SPECS)


def test_under_a_cap_syncing_every_append_or_once_after_300_gives_the_same_values() -> None:
    """The cap of 1000 drops 300 candles: those seen before keep their values either way
    (before: the late sync restarted every indicator over the candles held)."""
    rng = random.Random(1)
    stream = numpy_walk(1300, seed=3)
    often, every, rarely, once = twin_sets(stream[:1000], 1000)
    oldest_changed = 1000
    for i in range(1000, 1300):
        ops = [stream[i], grown(stream[i], rng)]  # appended, then updated in place
        stream[i] = ops[-1]
        if i % 7 == 0:  # a late update of a new candle (every indicator defined before it)
            j = rng.randrange(1000, i)
            stream[j] = grown(stream[j], rng)
            ops.append(stream[j])
            oldest_changed = min(oldest_changed, j)
        for candle in ops:
            often.upsert(candle)
            rarely.upsert(candle)
            every.sync()
    assert len(rarely) == 1000 and rarely.dropped == 300
    assert once.sync() == oldest_changed - 300
    assert_same(every, once, rarely.close)
    # Both are the values of the whole stream, of which the series keeps the newest 1000.
    stream_values = IndicatorSet(series_of(stream[:1300]), SPECS)
    for spec in once.specs:
        tail = tuple(a[-1000:] for a in stream_values.values(spec))
        assert_matches(spec, once.values(spec), tail, rarely.close)


def test_without_a_cap_1000_changes_between_two_syncs_give_the_same_values() -> None:
    """Hundreds of history changes between two syncs: the set still recomputes from the
    oldest changed candle only, to the values of a set synced after each change and to
    talipp's."""
    rng = random.Random(2)
    truth = numpy_walk(2000, seed=4)
    held = [c for i, c in enumerate(truth[:1000]) if i % 50 != 25]
    often, every, rarely, once = twin_sets(held, None)
    newest, oldest_changed = 999, 1000
    seen, watch = rarely.history_version, rarely.watch()
    for _ in range(1000):
        op = rng.random()
        if op < 0.3:
            truth[newest] = grown(truth[newest], rng)
            candle = truth[newest]
        elif op < 0.7:
            newest += 1
            candle = truth[newest]
        else:
            i = rng.randrange(500, newest)
            truth[i] = grown(truth[i], rng)
            candle = truth[i]
            oldest_changed = min(oldest_changed, i)
        often.upsert(candle)
        rarely.upsert(candle)
        every.sync()
    assert rarely.history_version - seen > 300
    assert watch.take() == truth[oldest_changed].time  # exact, however many changes
    start = once.sync()
    assert start is not None and 0 < start <= rarely.first_at_or_after(truth[oldest_changed].time)
    assert_same(every, once, rarely.close)
    check_set(once, rarely.candles())


@pytest.mark.parametrize("gap", [80, 1500])
def test_a_backfilled_gap_among_recent_candles_recomputes_from_the_gap(gap: int) -> None:
    """More missing candles than are inserted one by one (one sort): only the gap and what
    follows it is recomputed, not the whole history."""
    candles = numpy_walk(6000, seed=7)
    first = 6000 - gap - 30
    series = series_of(candles[:first] + candles[first + gap :])
    indicators = IndicatorSet(series, SPECS)
    before = {spec: [a[:first].copy() for a in indicators.values(spec)] for spec in SPECS}
    series.merge(candles[first : first + gap])
    assert indicators.sync() == first
    check_set(indicators, candles)
    for spec, arrays in before.items():
        for old, new in zip(arrays, indicators.values(spec), strict=True):
            assert np.array_equal(old, new[:first], equal_nan=True)


def test_a_backfilled_gap_under_a_full_cap_drops_the_oldest_and_keeps_the_rest() -> None:
    candles = numpy_walk(3000, seed=8)
    first, gap = 2900, 80
    held = candles[:first] + candles[first + gap :]
    series = series_of(held, max_candles=len(held))
    indicators = IndicatorSet(series, SPECS)
    before = {spec: [a.copy() for a in indicators.values(spec)] for spec in SPECS}
    series.merge(candles[first : first + gap])
    assert series.dropped == gap and series.first_time() == candles[gap].time
    assert indicators.sync() == first - gap
    for spec in SPECS:  # the values of the stream as it came, the oldest 80 gone
        tail = tuple(a[-len(held) :] for a in Reference.over(spec, candles))
        assert_matches(spec, indicators.values(spec), tail, series.close)
        for old, new in zip(before[spec], indicators.values(spec), strict=True):
            assert np.array_equal(old[gap:first], new[: first - gap], equal_nan=True)


def test_rsi_after_a_long_flat_stretch_is_the_same_live_and_recomputed() -> None:
    """1200 equal closes: the averages decay into subnormal numbers; below a negligible
    fraction of the price they count as 0 on both paths (RSI 100, as when flat from the
    start), where the recomputation gave 0 and the steps 100."""
    closes = [100, 101, 100.5, 102, 101] + [101.0] * 1200
    candles = [Candle(60 * i, c, c, c, c, 1, c) for i, c in enumerate(closes)]
    series = series_of(candles[:3])
    live = IndicatorSet(series, ["rsi:2", "rsi:14"])
    for candle in candles[3:]:
        series.upsert(candle)
        live.sync()
    recomputed = IndicatorSet(series, ["rsi:2", "rsi:14"])
    assert_same(live, recomputed, series.close)
    assert np.all(live.values("rsi:2")[0][400:] == 100.0)
    check_set(recomputed, candles)
    check_set(live, candles)


def test_vwap_after_a_busy_day_is_exact_on_a_quiet_one() -> None:
    """A day's sums start from its own first candle: not the difference of running totals
    over every day (relative error 6e-5 after a day of 1e6 volume then one of 1e-3)."""
    t0 = 19_700 * DAY
    candles = [Candle(t0 + 60 * i, 100, 101, 99, 100.3, 1e6, 0) for i in range(1440)]
    candles += [Candle(t0 + DAY + 60 * i, 100, 101, 99, 100.7, 1e-3, 0) for i in range(10)]
    series = series_of(candles)
    indicators = IndicatorSet(series, ["vwap"])
    (expected,) = Reference.over("vwap", candles)
    assert np.array_equal(indicators.values("vwap")[0], expected)
    # Recomputed from a candle of the busy day (its sums carried from the candle before).
    candles[700] = replace(candles[700], close=100.9, volume=2e6)
    series.upsert(candles[700])
    assert indicators.sync() == 700
    (expected,) = Reference.over("vwap", candles)
    assert np.array_equal(indicators.values("vwap")[0], expected)


def test_appends_after_a_gap_and_many_days_keep_vwap_exact() -> None:
    """Every day summed apart, whatever the days' lengths (a day of one candle, long ones)."""
    rng = np.random.default_rng(3)
    times = np.cumsum(rng.choice([TF, 7 * TF, DAY, 3 * DAY], size=4000, p=[0.9, 0.07, 0.02, 0.01]))
    base = numpy_walk(4000, seed=9)
    candles = [replace(c, time=int(1_700_006_400 + t)) for c, t in zip(base, times, strict=True)]
    check_set(IndicatorSet(series_of(candles), ["vwap"]), candles)
