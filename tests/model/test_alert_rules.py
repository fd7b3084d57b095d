"""When one live alert fires: the wick, the exact price, the candle open at arming, BELOW.

Also the helpers the other alert tests share: a fake clock, candles, a live book.
"""

from __future__ import annotations

import numpy as np
import pytest

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model import AlertBook, AlertSpec, AlertState, Arming, Firing, parse_alert_spec
from kucandle_gui.model.alerts import Alert, rules
from kucandle_gui.protocol import Candle

PAIR = "BTC-USDT"
#: A minute boundary; the tests' candles start at T0 + k * 60.
T0 = 1_700_000_040
START = T0 - 3600.0


class Clock:
    """Wall time the test moves by hand."""

    def __init__(self, now: float = T0 + 5.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def bar(minute: int, high: float, low: float, close: float, volume: float = 1.0) -> Candle:
    """The candle starting ``minute`` minutes after T0 (open = close: only extremes matter)."""
    return Candle(T0 + 60 * minute, close, high, low, close, volume, volume)


def series_of(*candles: Candle) -> CandleSeries:
    series = CandleSeries(PAIR, "1min")
    series.merge(candles)
    return series


class Record:
    """A book's firings, changes and pair changes."""

    def __init__(self, book: AlertBook) -> None:
        self.fired: list[Firing] = []
        self.changed: list[int | None] = []
        self.symbols: list[tuple] = []
        book.fired.connect(self.fired.append)
        book.changed.connect(self.changed.append)
        book.symbols_changed.connect(lambda added, removed: self.symbols.append((added, removed)))


def live_book(
    text: str, first: Candle, clock: Clock | None = None
) -> tuple[AlertBook, Alert, Record]:
    """A book with one alert, its pair's gap filled with ``first`` (armed there)."""
    book = AlertBook(clock or Clock(), session_start=START)
    alert = book.add(parse_alert_spec(text))
    assert alert.arming is Arming.PENDING
    book.filled(PAIR, series_of(first))
    return book, alert, Record(book)


def test_a_wick_reaching_the_price_fires_though_the_close_does_not() -> None:
    clock = Clock()
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98), clock)
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0, 99)
    clock.now = T0 + 75.5
    book.candles(PAIR, [bar(1, 100.5, 98, 98.5)])
    assert record.fired == [
        Firing(alert.id, PAIR, alert.condition, 100.0, T0 + 60, T0 + 75.5, late=False)
    ]
    assert alert.state is AlertState.TRIGGERED
    assert (alert.fire_count, alert.last_fired_candle, alert.last_fired_at) == (
        1,
        T0 + 60,
        T0 + 75.5,
    )


def test_exactly_at_the_price_counts() -> None:
    book, _alert, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    book.candles(PAIR, [bar(0, 100, 97, 99, volume=2)])
    assert [f.candle_time for f in record.fired] == [T0]


def test_a_price_not_reached_never_fires() -> None:
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    book.candles(PAIR, [bar(0, 99.99, 97, 99.5, volume=2), bar(1, 99.9, 98, 99)])
    book.candles(PAIR, [bar(2, 99.999, 90, 91)])
    assert record.fired == []
    assert (alert.state, alert.arming) == (AlertState.ACTIVE, Arming.ARMED)


def test_on_the_armed_candle_only_a_high_moving_past_it_counts() -> None:
    # Armed while the candle's high was already past 100 but its close below: that high was
    # before the alert existed.
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 101, 97, 98))
    assert (alert.arming, alert.base) == (Arming.ARMED, 101)
    book.candles(PAIR, [bar(0, 101, 97, 99, volume=2)])
    assert record.fired == []
    book.candles(PAIR, [bar(0, 101.5, 97, 99, volume=3)])
    assert [f.candle_time for f in record.fired] == [T0]


def test_the_next_candle_fires_on_reaching_whatever_the_armed_candle_did() -> None:
    book, _alert, record = live_book("BTC-USDT above 100", bar(0, 101, 97, 98))
    book.candles(PAIR, [bar(1, 100, 98, 99)])
    assert [f.candle_time for f in record.fired] == [T0 + 60]


def test_below_mirrors_above() -> None:
    book, alert, record = live_book("BTC-USDT below 90", bar(0, 95, 91, 93))
    assert (alert.arming, alert.base) == (Arming.ARMED, 91)
    book.candles(PAIR, [bar(1, 94, 90.01, 93)])
    assert record.fired == []
    book.candles(PAIR, [bar(1, 94, 90, 93, volume=2)])  # exactly at the price
    assert [f.candle_time for f in record.fired] == [T0 + 60]


def test_below_on_the_armed_candle_needs_a_new_low() -> None:
    book, _alert, record = live_book("BTC-USDT below 90", bar(0, 95, 89, 93))
    book.candles(PAIR, [bar(0, 95, 89, 92, volume=2)])
    assert record.fired == []
    book.candles(PAIR, [bar(0, 95, 88.5, 92, volume=3)])
    assert [f.candle_time for f in record.fired] == [T0]


def test_a_once_alert_never_fires_twice() -> None:
    book, _alert, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    book.candles(PAIR, [bar(1, 101, 98, 99)])
    book.candles(PAIR, [bar(1, 102, 98, 99, volume=2), bar(2, 103, 98, 102)])
    assert len(record.fired) == 1


def test_armed_on_a_crossed_price_it_waits_for_the_price_to_go_back() -> None:
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 103, 101, 102))
    assert alert.arming is Arming.WAITING
    book.candles(PAIR, [bar(1, 104, 101, 103)])
    assert record.fired == []
    book.candles(PAIR, [bar(2, 102, 99, 99.5)])  # back below: armed at this candle
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 120, 102)
    book.candles(PAIR, [bar(3, 100.2, 99, 100.1)])
    assert [f.candle_time for f in record.fired] == [T0 + 180]


def test_a_late_update_of_an_older_candle_fires_but_never_arms() -> None:
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    book.candles(PAIR, [bar(1, 99, 97, 98)])
    book.candles(PAIR, [bar(0, 100, 97, 98, volume=2)])  # KuCoin's late final update
    assert [f.candle_time for f in record.fired] == [T0]
    assert alert.state is AlertState.TRIGGERED


def test_a_close_past_the_price_on_the_armed_candle_fires_though_its_wick_was_past_before() -> None:
    # Armed while minute 0 had spiked to 102 and come back to 99: the wick was before the
    # alert, but a close at 101 is a trade after arming (at arming the close was below 100).
    clock = Clock()
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 102, 97, 99), clock)
    assert (alert.arming, alert.base) == (Arming.ARMED, 102)
    clock.now = T0 + 30
    book.candles(PAIR, [bar(0, 102, 97, 101, volume=2)])
    assert [(f.candle_time, f.reached_at) for f in record.fired] == [(T0, T0 + 30)]


def test_a_repeating_alert_rearmed_on_the_candle_it_came_back_fires_on_its_next_cross() -> None:
    clock = Clock()
    book, alert, record = live_book("BTC-USDT above 100 every 60s", bar(0, 99, 97, 98), clock)
    clock.now = T0 + 65
    book.candles(PAIR, [bar(1, 101, 98, 100.5)])
    clock.now = T0 + 185
    book.candles(PAIR, [bar(3, 101.5, 99, 99.2)])  # came back below: re-armed, base 101.5
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 180, 101.5)
    clock.now = T0 + 200
    book.candles(PAIR, [bar(3, 101.5, 99, 100.8, volume=2)])  # crossed again, same candle
    assert [f.candle_time for f in record.fired] == [T0 + 60, T0 + 180]


def test_the_catch_up_fires_on_the_armed_candle_whose_close_went_past() -> None:
    # The same candle, seen only in its final state by a catch-up after a gap.
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 102, 97, 99))
    book.gap(PAIR)
    book.filled(PAIR, series_of(bar(0, 102, 97, 100.5), bar(1, 99.5, 98, 99)))
    assert [(f.candle_time, f.late) for f in record.fired] == [(T0, True)]
    assert alert.state is AlertState.TRIGGERED


def test_the_catch_up_does_not_fire_on_the_armed_candle_for_a_wick_from_before_arming() -> None:
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 102, 97, 99))
    book.gap(PAIR)
    book.filled(PAIR, series_of(bar(0, 102, 97, 99.5), bar(1, 99.5, 98, 99)))
    assert record.fired == [] and alert.arming is Arming.ARMED


def reference_scan(alert: Alert, candles: list[Candle]) -> list[int]:
    """The catch-up rules candle by candle, as written in the contract (the slow way)."""
    fired = []
    for c in candles:
        if not alert.active:
            break
        if alert.arming is Arming.ARMED:
            value = rules.extreme(alert.condition, c.high, c.low)
            if c.time < alert.since or not rules.reaches(alert.condition, alert.price, value):
                continue
            if (
                c.time == alert.since
                and alert.base is not None
                and not rules.reaches(alert.condition, alert.price, c.close)
                and not rules.beyond(alert.condition, value, alert.base)
            ):
                continue
            rules.fire(alert, c.time, float(c.time))
            fired.append(c.time)
        elif (
            c.time >= (alert.since or 0)
            and c.time >= (alert.cooling_until or 0)
            and rules.near_side(alert.condition, alert.price, c.close)
        ):
            rules.arm_at(alert, c.time, c.high, c.low, c.close)
    return fired


@pytest.mark.parametrize("seed", range(8))
def test_the_vectorised_catch_up_agrees_with_the_candle_by_candle_rules(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) + rng.exponential(0.1, n)
    low = np.minimum(open_, close) - rng.exponential(0.1, n)
    series = CandleSeries(PAIR, "1min", None)
    series.set_arrays(T0 + 60 * np.arange(n), open_, high, low, close, np.ones(n))
    candles = series.candles()
    cols = rules.Columns(series)
    for k in range(12):
        spec = AlertSpec.of(
            PAIR,
            "above" if k % 2 else "below",
            float(rng.uniform(low.min(), high.max())),
            repeat=k % 3 != 0,
            cooldown=float(rng.choice([60, 300, 3600])),
        )
        start = int(rng.integers(0, n // 2))
        fast, slow = (Alert(k, spec, 0.0) for _ in range(2))
        c = candles[start]
        for alert in (fast, slow):
            if k % 4 == 0:  # saved by an older version: every candle from ``since`` counts
                alert.arming, alert.since, alert.base = Arming.ARMED, c.time, None
            else:  # armed early in the candle's life: its open the price then, part of its range
                rules.arm_at(alert, c.time, (c.open + c.high) / 2, (c.open + c.low) / 2, c.open)
        lo = int(rng.integers(0, start + 1))
        got = [T0 + 60 * j for j in rules.scan(fast, cols, lo, n)]
        assert got == reference_scan(slow, candles[lo:])
        assert (fast.state, fast.arming, fast.since, fast.cooling_until) == (
            slow.state,
            slow.arming,
            slow.since,
            slow.cooling_until,
        )
