"""Arming never reads the machine's clock's absolute value: a clock ahead of the exchange, a
clock stepped by NTP, a quiet pair whose newest candle is old, an alert added in a gap after a
wick.

Each case arms at the pair's newest candle known (the floor from elapsed time is not past it);
none depends on the clock agreeing with the exchange's candle starts.
"""

from __future__ import annotations

import pytest

from kucandle_gui.model import AlertBook, Arming, parse_alert_spec

from .test_alert_rules import PAIR, START, T0, Clock, Record, bar, series_of


def keeper(clock: Clock, first_high: float = 99) -> tuple[AlertBook, Record]:
    """A book whose pair is live (an alert far away holds it), its first candle minute 0."""
    book = AlertBook(clock, session_start=START)
    book.add(parse_alert_spec(f"{PAIR} below 1"))
    book.filled(PAIR, series_of(bar(0, first_high, 97, 98)))
    return book, Record(book)


@pytest.mark.parametrize("ahead", [61, 3])
def test_a_clock_ahead_of_the_exchange_still_sees_the_trades_of_the_current_candle(
    ahead: int,
) -> None:
    # The exchange is at minute 0 + 58 s; our clock is ``ahead`` seconds further (into minute
    # 1 for both): minute 0 is still the exchange's current candle.
    clock = Clock(T0 + 58 + ahead)
    book, record = keeper(clock)
    alert = book.add(parse_alert_spec(f"{PAIR} above 100"))
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0, 99)
    clock.now += 1
    book.candles(PAIR, [bar(0, 101, 97, 99, volume=2)])  # a trade at 101 after the alert
    clock.now += 10
    book.candles(PAIR, [bar(1, 99.5, 98, 99)])
    assert [(f.candle_time, f.late) for f in record.fired] == [(T0, False)]


def test_a_clock_stepped_by_ntp_changes_nothing() -> None:
    # Five minutes behind at the first candle, then corrected: nothing kept of the old offset.
    clock = Clock(T0 + 10 - 300)
    book, record = keeper(clock)
    clock.now = T0 + 3600 + 10
    book.candles(PAIR, [bar(60, 99, 97, 98)])
    alert = book.add(parse_alert_spec(f"{PAIR} above 100"))
    assert (alert.since, alert.base) == (T0 + 3600, 99)
    for m in range(61, 65):
        clock.now = T0 + 60 * m + 10
        book.candles(PAIR, [bar(m, 101, 97, 98)])
    assert [f.candle_time for f in record.fired] == [T0 + 61 * 60]
    # Stepped back an hour: a live candle still evaluates and arms by its own start.
    clock.now = T0
    again = book.add(parse_alert_spec(f"{PAIR} below 96"))
    assert (again.since, again.base) == (T0 + 64 * 60, 97)
    book.candles(PAIR, [bar(65, 99, 95, 98)])
    assert [f.candle_time for f in record.fired] == [T0 + 61 * 60, T0 + 65 * 60]


def test_a_quiet_pair_arms_at_its_old_newest_candle_and_its_old_wick_does_not_fire() -> None:
    # The pair's last trade was 20 minutes ago, a wick to 101 in that candle.
    clock = Clock(T0 + 20 * 60 + 5)
    book, record = keeper(clock, first_high=101)
    book.gap(PAIR)
    alert = book.add(parse_alert_spec(f"{PAIR} above 100"))
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0, 101)
    book.filled(PAIR, series_of(bar(0, 101, 97, 98)))
    assert record.fired == []
    book.candles(PAIR, [bar(21, 100, 97, 99)])  # the next trade reaches the price
    assert [(f.candle_time, f.late) for f in record.fired] == [(T0 + 21 * 60, False)]


def test_an_alert_added_in_a_gap_after_a_wick_is_not_fired_by_that_wick() -> None:
    clock = Clock(T0 + 5)
    book, record = keeper(clock)
    clock.now = T0 + 12
    book.candles(PAIR, [bar(0, 101, 97, 98)])  # a wick to 101, back to 98
    book.gap(PAIR)  # connection lost at T0 + 20
    clock.now = T0 + 30
    alert = book.add(parse_alert_spec(f"{PAIR} above 100"))
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0, 101)
    clock.now = T0 + 70
    book.filled(PAIR, series_of(bar(0, 101, 97, 98), bar(1, 99, 97, 98)))
    assert record.fired == []
    # A high past the wick in the same candle, or any later candle reaching 100, fires.
    book.gap(PAIR)
    book.filled(PAIR, series_of(bar(0, 101, 97, 98), bar(1, 99, 97, 98), bar(2, 100, 97, 98)))
    assert [(f.candle_time, f.late, f.while_closed) for f in record.fired] == [
        (T0 + 120, True, False)
    ]


def test_a_repeating_alert_fires_at_most_once_per_candle_live_as_in_a_catch_up() -> None:
    # Our clock is 55 s behind the exchange's: a minute's cool-down ends within the candle.
    clock = Clock(T0 - 55)
    book, record = keeper(clock)
    alert = book.add(parse_alert_spec(f"{PAIR} above 100 every 1m"))
    assert (alert.since, alert.base) == (T0, 99)
    clock.now = T0 - 50
    book.candles(PAIR, [bar(0, 100, 97, 99)])  # fires
    assert (alert.since, alert.cooling_until) == (T0 + 60, T0 + 10)
    clock.now = T0 + 15  # cooled down, back below, up again: the same candle does not re-arm
    book.candles(PAIR, [bar(0, 100, 97, 98, volume=2)])
    book.candles(PAIR, [bar(0, 100.5, 97, 100.2, volume=3)])
    assert [f.candle_time for f in record.fired] == [T0]
    clock.now = T0 + 20
    book.candles(PAIR, [bar(1, 100, 97, 99)])  # the next candle back below re-arms
    book.candles(PAIR, [bar(1, 100.1, 97, 100.1, volume=2)])
    assert [f.candle_time for f in record.fired] == [T0, T0 + 60]
