"""Arming fresh (``arming``): from the later of the pair's newest candle known and a floor of
the exchange's current minute measured by elapsed time since the newest candle received, of
any pair; never from the clock's absolute value."""

from __future__ import annotations

import pytest

from kucandle_gui.model import AlertBook, AlertState, Arming, parse_alert_spec
from kucandle_gui.protocol import Candle

from .test_alert_rules import PAIR, START, T0, Clock, Record, bar, series_of

ETH = "ETH-USDT"
YEAR = 365 * 86_400


def eth(minute: int, high: float, low: float, close: float) -> Candle:
    return bar(minute, high, low, close)


def keeper(clock: Clock) -> AlertBook:
    """A book whose pair's first candle, minute 0, came at ``clock.now``; then a gap."""
    book = AlertBook(clock, session_start=START)
    book.add(parse_alert_spec(f"{PAIR} below 1"))
    book.filled(PAIR, series_of(bar(0, 99, 97, 98)))
    book.gap(PAIR)
    return book


def test_an_alert_on_a_pair_without_candles_arms_at_its_first_candles() -> None:
    # Offline at minute 1, an alert on a pair no candle of which is known: it arms at the
    # newest candle of the history that comes (minute 9), its high there the base: a wick of
    # that minute from before the alert does not fire it (a chart's or a watchlist's pair is
    # loaded within a second of the click); the documented price is what happened before:
    # minute 4's spike, while nothing of the pair was known, is not counted.
    clock = Clock(T0 + 5)
    book = keeper(clock)
    clock.now = T0 + 65
    alert = book.add(parse_alert_spec(f"{ETH} above 3100"), last_price=3000.0)
    assert (alert.arming, alert.since, alert.base) == (Arming.PENDING, None, None)
    record = Record(book)
    clock.now = T0 + 600
    history = [eth(m, 3150 if m in (4, 9) else 3000, 2990, 3000) for m in range(10)]
    book.filled(ETH, series_of(*history))
    assert record.fired == []
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 9 * 60, 3150)
    book.candles(ETH, [eth(10, 3120, 2990, 3100)])  # a new candle reaching it: live
    assert [(f.candle_time, f.late) for f in record.fired] == [(T0 + 600, False)]


@pytest.mark.parametrize("behind", [0, YEAR])
def test_an_alert_added_long_into_an_outage_is_not_fired_by_a_spike_from_before_it(
    behind: int,
) -> None:
    # Review case B: the link lost at minute 0, the alert added 120 minutes later, a spike at
    # minute 30. Also with the exchange a year behind our clock (a simulated one): elapsed
    # time, never the clock's value, says where the exchange is.
    clock = Clock(T0 + behind + 5)
    book = keeper(clock)
    clock.now = T0 + behind + 120 * 60 + 5
    alert = book.add(parse_alert_spec(f"{PAIR} above 100"))  # the last price known: 98
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 120 * 60, None)
    record = Record(book)
    clock.now += 300
    gap = [bar(m, 105 if m == 30 else 99, 97, 98) for m in range(126)]
    book.filled(PAIR, series_of(*gap))
    assert record.fired == []
    book.gap(PAIR)
    book.filled(PAIR, series_of(*gap, bar(126, 99, 97, 98), bar(127, 100, 97, 98)))
    assert [(f.candle_time, f.late) for f in record.fired] == [(T0 + 127 * 60, True)]


def test_the_floor_counts_from_the_first_time_the_newest_candle_came_of_any_pair() -> None:
    clock = Clock(T0 + 5)
    book = keeper(clock)
    book.add(parse_alert_spec(f"{ETH} below 1"), last_price=3000.0)
    clock.now = T0 + 5 * 60 + 10
    book.candles(ETH, [eth(5, 3000, 2990, 3000)])  # ETH's minute 5 comes (its gap: unfilled)
    clock.now = T0 + 6 * 60 + 50
    book.candles(ETH, [eth(5, 3001, 2990, 3001)])  # an update of it later changes nothing
    book.candles(ETH, [eth(4, 3001, 2990, 3001)])  # nor does a late update of an older one
    alert = book.add(parse_alert_spec(f"{PAIR} above 100"))
    # Minute 5 first came 100 s ago: the exchange is in minute 6 at least (measured from the
    # later arrivals, it would still say minute 5).
    assert book.exchange_minute() == T0 + 6 * 60
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 6 * 60, None)


def test_the_newest_candle_of_the_pair_is_kept_while_the_floor_is_not_past_it() -> None:
    clock = Clock(T0 + 50)
    book = keeper(clock)
    clock.now = T0 + 59  # the floor is minute 0: the newest candle's trades before do not count
    alert = book.add(parse_alert_spec(f"{PAIR} above 98.5"))
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0, 99)
    crossed = book.add(parse_alert_spec(f"{PAIR} below 98.5"), force=True)
    assert (crossed.arming, crossed.since) == (Arming.WAITING, T0)


def test_without_a_candle_of_the_pair_an_alert_stays_pending() -> None:
    clock = Clock(T0 + 5)
    book = keeper(clock)
    clock.now = T0 + 125
    unknown = book.add(parse_alert_spec(f"{ETH} above 3100"))
    assert (unknown.arming, unknown.since) == (Arming.PENDING, None)
    # A price of the pair given, a floor known: still pending (the floor would count the open
    # candle's trades from before the alert); forced past the price: pending too.
    forced = book.add(parse_alert_spec(f"{ETH} above 3100"), force=True, last_price=3200)
    assert (forced.arming, forced.since, forced.base) == (Arming.PENDING, None, None)
    book.update(unknown.id, parse_alert_spec(f"{ETH} below 2900"), last_price=3000)
    assert (unknown.arming, unknown.since) == (Arming.PENDING, None)
    # Its first candles arm both: the forced one waits, its close being past the price.
    book.filled(ETH, series_of(eth(2, 3200, 3150, 3200)))
    assert (forced.arming, forced.since) == (Arming.WAITING, T0 + 120)
    assert (unknown.arming, unknown.since, unknown.base) == (Arming.ARMED, T0 + 120, 3150)


def test_moving_in_a_gap_arms_at_the_floor_rearming_a_pair_let_go_waits_for_candles() -> None:
    clock = Clock(T0 + 5)
    book = keeper(clock)
    alert = book.add(parse_alert_spec(f"{ETH} above 3100"), last_price=3000)
    book.filled(ETH, series_of(eth(0, 3000, 2990, 3000)))  # armed at minute 0
    book.gap(ETH)
    clock.now = T0 + 185
    book.move(alert.id, 2900, last_price=3000)  # below the caller's last price: falls to
    assert (alert.condition, alert.arming, alert.since) == ("below", Arming.ARMED, T0 + 180)
    book.filled(ETH, series_of(eth(0, 3000, 2990, 3000), eth(3, 3000, 2890, 3000)))
    assert alert.state is AlertState.TRIGGERED
    book.gap(ETH)
    clock.now = T0 + 300
    # Re-armed once the pair was let go (no candle of it known): it waits for its candles.
    book.rearm(alert.id, last_price=3000)
    assert (alert.state, alert.arming, alert.since) == (AlertState.ACTIVE, Arming.PENDING, None)


def test_another_source_starts_without_a_floor() -> None:
    clock = Clock(T0 + 5)
    book = keeper(clock)
    clock.now = T0 + 185
    assert book.exchange_minute() == T0 + 180
    book.set_simulated(True)  # the demo exchange's minutes are its own
    assert book.exchange_minute() is None
    demo = book.add(parse_alert_spec(f"{ETH} above 3100"), last_price=3000)
    assert demo.arming is Arming.PENDING
