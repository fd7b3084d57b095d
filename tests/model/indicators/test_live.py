"""The indicators kept up to date as the candles change: the forming candle, new candles,
older history, a backfill, the cap; every time equal to talipp over the candles held."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from kucandle_gui.model.indicators import STEP_LIMIT, IndicatorSet
from kucandle_gui.protocol import Candle
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.symbols import CATALOG
from tests.helpers import TF, numpy_walk

from .oracle import SPECS, Reference, assert_matches, check_set, grown, series_of

NOW = 1_750_000_020.5


def test_every_push_of_the_forming_candle_and_every_new_candle_match_talipp() -> None:
    rng = random.Random(7)
    history = numpy_walk(1200, seed=3)
    series = series_of(history[:1000])
    indicators = IndicatorSet(series, SPECS)
    references = [Reference(spec) for spec in indicators.specs]
    for ref in references:
        for candle in history[:1000]:
            ref.add(candle)
    indicators.sync()
    for candle in history[1000:1040]:
        series.upsert(candle)
        for ref in references:
            ref.add(candle)
        assert indicators.sync() == len(series) - 1  # the previous newest did not change
        for _ in range(4):
            candle = grown(candle, rng)
            series.upsert(candle)
            for ref in references:
                ref.update(candle)
            before = indicators.history_version
            assert indicators.sync() == len(series) - 1
            assert indicators.history_version == before
            closes = series.close
            for ref in references:
                assert_matches(ref.spec, indicators.values(ref.spec), ref.arrays(), closes)


def test_the_forming_candle_of_the_local_exchange_second_by_second(market: Market) -> None:
    """The market's own states of its open candles, pushed as the feed would."""
    symbol, start = "SOL-USDT", int(NOW) // 60 * 60
    history = market.candles(symbol, "1min", start - 2 * 86400, start - 60, NOW)
    series = series_of(history)
    indicators = IndicatorSet(series, SPECS)
    for minute in range(3):
        t0 = start + 60 * minute
        for second in range(1, 60, 4):
            candle = market.candle(symbol, "1min", t0, t0 + second)
            if candle is not None:
                series.upsert(candle)
                indicators.sync()
    check_set(indicators, series.candles())


def test_older_history_prepended_recomputes_from_the_start() -> None:
    candles = numpy_walk(3000, seed=4)
    series = series_of(candles[1500:])
    indicators = IndicatorSet(series, SPECS)
    series.merge(candles[1480:1500])  # a few older candles: inserted one by one
    assert indicators.sync() == 0
    check_set(indicators, candles[1480:])
    series.merge(candles[:1480])  # a page of older history: one bulk load
    assert indicators.sync() == 0
    check_set(indicators, candles)


@pytest.mark.parametrize("changed", [2500, 2990, 2997])
def test_a_backfill_of_past_candles_recomputes_from_the_oldest_changed_one(
    changed: int,
) -> None:
    rng = random.Random(changed)
    candles = numpy_walk(3000, seed=6)
    series = series_of(candles)
    indicators = IndicatorSet(series, SPECS)
    indicators.sync()
    before = {spec: [a.copy() for a in indicators.values(spec)] for spec in indicators.specs}
    fixed = [grown(c, rng) for c in candles[changed : changed + 3]]
    assert series.merge(fixed) == fixed
    assert indicators.sync() == changed
    candles[changed : changed + 3] = fixed
    check_set(indicators, candles)
    for spec, arrays in before.items():  # values before the change are the same numbers
        for old, new in zip(arrays, indicators.values(spec), strict=True):
            assert np.array_equal(old[:changed], new[:changed], equal_nan=True)


def test_under_the_cap_the_oldest_values_are_dropped_and_kept_as_computed() -> None:
    """What talipp computes over the whole stream, of which the series keeps the newest (an
    indicator needs its period's candles held once to be defined: ema:1000 is left out)."""
    rng = random.Random(11)
    stream = numpy_walk(1500, seed=8)
    series = series_of(stream[:400], max_candles=400)
    indicators = IndicatorSet(series, [s for s in SPECS if s != "ema:1000"])
    indicators.sync()
    for i in range(400, 1500):
        series.upsert(stream[i])
        if i % 3 == 0:
            stream[i] = grown(stream[i], rng)
            series.upsert(stream[i])
        if i % 5 == 0:
            indicators.sync()
    # A late update of a candle old enough for every window to be held.
    stream[1300] = grown(stream[1300], rng)
    series.upsert(stream[1300])
    assert indicators.sync() == 1300 - 1100
    assert series.dropped == 1100
    closes = series.close
    for spec in indicators.specs:
        ref = Reference(spec)
        for candle in stream:
            ref.add(candle)
        tail = tuple(a[-400:] for a in ref.arrays())
        assert_matches(spec, indicators.values(spec), tail, closes)


WINDOWED = ("sma:", "bb:", "volsma:")


def test_under_the_cap_a_change_among_the_first_candles_continues_from_the_values_before() -> None:
    """The recursive kinds go on from the values kept before the changed candle (those of the
    whole stream); the windowed ones whose windows would reach into dropped candles start
    over the candles held."""
    stream = numpy_walk(600, seed=12)
    series = series_of(stream[:300], max_candles=300)
    recursive = [s for s in SPECS if not s.startswith(WINDOWED)]
    every, continued = IndicatorSet(series, SPECS), IndicatorSet(series, recursive)
    for candle in stream[300:]:
        series.upsert(candle)
        every.sync()
        continued.sync()
    stream[305] = replace(stream[305], close=stream[305].close + 2, volume=50.0)
    series.upsert(stream[305])
    assert continued.sync() == 5
    assert every.sync() == 0
    closes = series.close
    for spec in every.specs:
        restarted = spec not in continued and spec.params[0] - 1 > 5  # sma:2 reads 4 and 5
        truth = series.candles() if restarted else stream
        expected = tuple(a[-300:] for a in Reference.over(spec, truth))
        assert_matches(spec, every.values(spec), expected, closes)
        if spec in continued:
            assert_matches(spec, continued.values(spec), expected, closes)


def test_a_set_that_fell_behind_the_cap_starts_over_the_candles_held() -> None:
    """More candles than the cap appended between two syncs: the values at the oldest
    candle held cannot be known, every indicator starts over the candles held."""
    stream = numpy_walk(600, seed=12)
    series = series_of(stream[:300], max_candles=300)
    indicators = IndicatorSet(series, SPECS)
    for candle in stream[300:]:
        series.upsert(candle)
    assert indicators.sync() == 0
    check_set(indicators, series.candles())
    series.upsert(replace(stream[305], close=stream[305].close + 2, volume=50.0))
    assert indicators.sync() == 5  # held candle 0 is now where the values start
    check_set(indicators, series.candles())


def test_random_edits_in_any_order_always_match_talipp() -> None:
    """Appends, pushes of the newest, late updates, missing candles inserted, older ones
    prepended, in random batches between syncs."""
    rng = random.Random(5)
    truth = numpy_walk(700, seed=9)
    held = set(range(200, 400)) - {250, 251, 330}
    series = series_of([truth[i] for i in sorted(held)])
    indicators = IndicatorSet(series, SPECS)
    indicators.sync()
    newest = 399
    for _ in range(120):
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            if op < 0.35:
                truth[newest] = grown(truth[newest], rng)
                series.upsert(truth[newest])
            elif op < 0.6 and newest < len(truth) - 1:
                newest += 1
                series.upsert(truth[newest])
                held.add(newest)
            elif op < 0.85:
                i = rng.choice(sorted(held))
                truth[i] = grown(truth[i], rng)
                series.upsert(truth[i])
            else:
                i = min(held) - rng.randint(1, 3)
                if i >= 0:
                    series.upsert(truth[i])
                    held.add(i)
        indicators.sync()
        check_set(indicators, [truth[i] for i in sorted(held)])


@pytest.fixture(scope="module")
def market() -> Market:
    return Market(1, list(CATALOG.values()), NOW - 3 * 86400)


class Spy:
    """Records the vectorised recomputations and the O(1) steps of every calculator."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from kucandle_gui.model.indicators import calculators, kernels

        self.computes: list[tuple[str, int]] = []
        self.steps: list[tuple[str, int]] = []
        self.kernel_inputs: list[int] = []
        classes = {c for s in _specs() for c in type(calculators.calculator(s)).__mro__}
        for cls in classes:  # each method wrapped once, where it is defined
            for name, log in (("compute", self.computes), ("step", self.steps)):
                if name in cls.__dict__:
                    monkeypatch.setattr(cls, name, self._wrap(cls.__dict__[name], log))
        for name in ("linear_scan", "moving_mean", "moving_mean_std", "day_cumsum"):
            original = getattr(kernels, name)
            monkeypatch.setattr(kernels, name, self._kernel(original))

    def _wrap(self, method, log):  # type: ignore[no-untyped-def]
        def spy(calc, columns, index):  # type: ignore[no-untyped-def]
            log.append((calc.spec.text, index))
            return method(calc, columns, index)

        return spy

    def _kernel(self, original):  # type: ignore[no-untyped-def]
        def spy(x, *args):  # type: ignore[no-untyped-def]
            self.kernel_inputs.append(len(x))
            return original(x, *args)

        return spy

    def clear(self) -> None:
        self.computes.clear()
        self.steps.clear()
        self.kernel_inputs.clear()


def _specs() -> list:
    from kucandle_gui.model.indicators import parse_indicator_spec

    return [parse_indicator_spec(s) for s in SPECS]


def test_a_push_of_the_newest_candle_steps_each_indicator_once_without_the_kernels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    candles = numpy_walk(20_000, seed=2)
    series = series_of(candles)
    indicators = IndicatorSet(series, SPECS)
    spy = Spy(monkeypatch)
    n = len(series)
    last = candles[-1]
    for _ in range(5):
        last = replace(last, close=last.close + 0.1, volume=last.volume + 1)
        series.upsert(last)
        indicators.sync()
    assert spy.computes == [] and spy.kernel_inputs == []
    assert sorted(spy.steps) == sorted((s, n - 1) for s in SPECS for _ in range(5))
    spy.clear()
    series.upsert(Candle(last.time + TF, 1, 2, 0.5, 1.5, 1, 1))  # a new candle
    indicators.sync()
    assert spy.computes == [] and spy.kernel_inputs == []
    assert sorted(spy.steps) == sorted((s, n) for s in SPECS)


def test_a_late_update_recomputes_from_that_candle_only(monkeypatch: pytest.MonkeyPatch) -> None:
    candles = numpy_walk(20_000, seed=2)
    series = series_of(candles)
    indicators = IndicatorSet(series, SPECS)
    indicators.sync()
    spy = Spy(monkeypatch)
    changed = 19_000
    series.upsert(replace(candles[changed], close=candles[changed].close + 1, volume=99.0))
    assert indicators.sync() == changed
    assert sorted(spy.computes) == sorted((s, changed) for s in SPECS)
    # No kernel reads more than the changed candles plus the longest window (and seeds).
    assert max(spy.kernel_inputs) <= 20_000 - changed + 1000
    spy.clear()
    near = len(series) - STEP_LIMIT
    series.upsert(replace(candles[near], volume=100.0))
    assert indicators.sync() == near
    assert spy.computes == [] and len(spy.steps) == len(SPECS) * STEP_LIMIT
