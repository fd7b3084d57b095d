"""AlertBook: gaps and their catch-up, repeats, expiry, edits, limits, demo mode."""

from __future__ import annotations

import pytest

from kucandle_gui.model import (
    MAX_ALERT_PAIRS,
    MAX_ALERTS,
    AlertBook,
    AlertError,
    AlertSpec,
    AlertState,
    AlreadyCrossed,
    Arming,
    Condition,
    parse_alert_spec,
)

from .test_alert_rules import PAIR, START, T0, Clock, Record, bar, live_book, series_of


def test_a_crossing_during_a_gap_fires_once_after_the_catch_up_naming_the_first_candle() -> None:
    clock = Clock()
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98), clock)
    book.gap(PAIR)
    clock.now = T0 + 400
    # Pushed after the reconnect, before the backfill: not evaluated (it would name minute 5).
    book.candles(PAIR, [bar(5, 102, 99, 101)])
    assert record.fired == [] and alert.state is AlertState.ACTIVE
    backfill = [
        bar(0, 99.5, 97, 98),
        bar(1, 99, 98, 98),
        bar(2, 100.5, 98, 99),
        bar(3, 101, 99, 100),
    ]
    book.filled(PAIR, series_of(*backfill, bar(4, 99, 98, 99), bar(5, 102, 99, 101)))
    assert len(record.fired) == 1
    firing = record.fired[0]
    assert (firing.candle_time, firing.reached_at, firing.late) == (T0 + 120, T0 + 120.0, True)
    assert not firing.while_closed
    assert alert.state is AlertState.TRIGGERED
    book.filled(PAIR, series_of(bar(6, 105, 99, 101)))  # already live: nothing more
    book.candles(PAIR, [bar(6, 105, 99, 101)])
    assert len(record.fired) == 1


def test_a_price_not_reached_during_the_gap_does_not_fire() -> None:
    book, alert, record = live_book("BTC-USDT below 90", bar(0, 95, 91, 93))
    book.gap(PAIR)
    book.filled(PAIR, series_of(bar(0, 95, 91, 93), bar(1, 94, 90.5, 91), bar(2, 96, 92, 95)))
    assert record.fired == [] and alert.arming is Arming.ARMED
    book.candles(PAIR, [bar(2, 96, 89, 90, volume=2)])  # live again
    assert [f.late for f in record.fired] == [False]


def test_a_repeating_alert_rearms_only_after_its_cooldown_and_the_price_going_back() -> None:
    clock = Clock()
    book, alert, record = live_book("BTC-USDT above 100 every 2m", bar(0, 99, 97, 98), clock)
    clock.now = T0 + 70
    book.candles(PAIR, [bar(1, 100, 98, 100)])
    assert (alert.state, alert.arming, alert.cooling_until) == (
        AlertState.ACTIVE,
        Arming.WAITING,
        T0 + 190,
    )
    clock.now = T0 + 130
    book.candles(PAIR, [bar(2, 101, 98, 99)])  # back below, but cooling down
    assert alert.arming is Arming.WAITING and len(record.fired) == 1
    clock.now = T0 + 200
    book.candles(PAIR, [bar(3, 102, 100, 101)])  # cooled down, still above: nothing
    assert alert.arming is Arming.WAITING and len(record.fired) == 1
    book.candles(PAIR, [bar(3, 102, 99, 99.5, volume=2)])  # back below: armed
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 180, 102)
    book.candles(PAIR, [bar(4, 100, 99, 99.5)])
    assert [f.candle_time for f in record.fired] == [T0 + 60, T0 + 240]
    assert alert.fire_count == 2 and alert.active


@pytest.mark.parametrize(
    ("every", "expected"),
    [("1m", [1, 3, 5]), ("150s", [1, 5])],
)
def test_several_crossings_in_one_catch_up_fire_in_order(every: str, expected: list[int]) -> None:
    book, alert, record = live_book(f"BTC-USDT above 100 every {every}", bar(0, 99, 97, 98))
    book.gap(PAIR)
    book.filled(
        PAIR,
        series_of(
            bar(0, 99, 97, 98),
            bar(1, 101, 98, 100),
            bar(2, 100, 97, 98),
            bar(3, 100.5, 98, 100),
            bar(4, 100, 96, 97),
            bar(5, 102, 97, 101),
        ),
    )
    assert [f.candle_time for f in record.fired] == [T0 + 60 * m for m in expected]
    assert all(f.late for f in record.fired)
    assert alert.fire_count == len(expected)


def test_expiry_by_the_clock_while_live_but_not_during_a_gap() -> None:
    clock = Clock()
    book = AlertBook(clock, session_start=START)
    record = Record(book)
    spec = AlertSpec.of(PAIR, "above", 100, expires_at=T0 + 100)
    live = book.add(spec)
    gapped = book.add(spec.replace(symbol="ETH-USDT"))
    book.filled(PAIR, series_of(bar(0, 99, 97, 98)))
    book.tick()
    assert live.active
    clock.now = T0 + 100
    book.tick()
    assert live.state is AlertState.EXPIRED
    assert gapped.active  # its catch-up may still fire
    assert record.symbols[-1] == ((), (PAIR,))
    with pytest.raises(AlertError) as info:
        book.add(spec)
    assert info.value.field == "expires"


def test_in_a_catch_up_a_candle_before_the_expiry_still_fires() -> None:
    clock = Clock()
    book = AlertBook(clock, session_start=START)
    record = Record(book)
    early = book.add(AlertSpec.of(PAIR, "above", 100, expires_at=T0 + 150))
    late = book.add(AlertSpec.of(PAIR, "above", 103, expires_at=T0 + 150))
    book.filled(PAIR, series_of(bar(0, 99, 97, 98)))
    book.gap(PAIR)
    clock.now = T0 + 500
    book.filled(
        PAIR,
        series_of(
            bar(0, 99, 97, 98), bar(1, 99, 97, 98), bar(2, 101, 98, 99), bar(3, 104, 99, 100)
        ),
    )
    assert [(f.alert_id, f.candle_time) for f in record.fired] == [(early.id, T0 + 120)]
    assert early.state is AlertState.TRIGGERED
    assert late.state is AlertState.EXPIRED


def test_an_already_crossed_price_is_refused_unless_forced() -> None:
    book, _alert, _record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    with pytest.raises(AlreadyCrossed) as info:
        book.add(parse_alert_spec("BTC-USDT above 98"))
    assert (info.value.field, info.value.last_price) == ("price", 98.0)
    assert info.value.spec.price == 98.0
    assert len(book.alerts()) == 1
    forced = book.add(parse_alert_spec("BTC-USDT above 98"), force=True)
    assert forced.arming is Arming.WAITING
    # A pair the book has no candle of: the caller's price decides whether it is crossed; the
    # alert is PENDING (no candle to arm at) and arms at the newest candle of its first history.
    other = AlertBook(Clock())
    with pytest.raises(AlreadyCrossed):
        other.add(parse_alert_spec("ETH-USDT below 3000"), last_price=2999.0)
    near = other.add(parse_alert_spec("ETH-USDT below 3000"), last_price=3001)
    forced = other.add(parse_alert_spec("ETH-USDT below 3000"), force=True, last_price=2990)
    other.candles("KCS-USDT", [bar(0, 9, 9, 9)])  # another pair's candle arms nothing
    unknown = other.add(parse_alert_spec("ETH-USDT below 3000"))
    alerts = (near, forced, unknown)
    assert [(a.arming, a.since) for a in alerts] == [(Arming.PENDING, None)] * 3
    other.filled("ETH-USDT", series_of(bar(0, 3010, 3001, 3005)))
    assert [(a.arming, a.since, a.base) for a in alerts] == [(Arming.ARMED, T0, 3001)] * 3


def test_a_live_pair_arms_a_new_alert_at_once() -> None:
    book, _alert, _record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    alert = book.add(parse_alert_spec("BTC-USDT below 90"))
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0, 97)
    assert book.last_price(PAIR) == 98


def test_move_follows_the_side_of_the_last_price_and_rearms() -> None:
    book, alert, _record = live_book("BTC-USDT above 110", bar(0, 99, 97, 100))
    moved = book.move(alert.id, 90)
    assert (moved.id, moved.condition, moved.price, moved.arming) == (
        alert.id,
        Condition.BELOW,
        90.0,
        Arming.ARMED,
    )
    assert book.move(alert.id, 120).condition is Condition.ABOVE
    assert book.move(alert.id, 100).arming is Arming.WAITING  # at the last price: no raise
    with pytest.raises(AlertError):
        book.move(alert.id, -5)


def test_update_and_rearm_make_a_finished_alert_active_again_keeping_its_history() -> None:
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    book.candles(PAIR, [bar(1, 100, 98, 99)])
    assert alert.state is AlertState.TRIGGERED and PAIR not in book.symbols()
    book.rearm(alert.id)
    assert (alert.state, alert.fire_count) == (AlertState.ACTIVE, 1)
    assert PAIR in book.symbols()
    book.update(alert.id, parse_alert_spec("ETH-USDT below 5"))
    assert book.symbols() == ("ETH-USDT",)
    assert (alert.id, alert.arming, alert.fire_count) == (1, Arming.PENDING, 1)
    assert record.symbols[-1] == (("ETH-USDT",), (PAIR,))
    book.remove(alert.id)
    assert book.alerts() == [] and book.symbols() == ()
    assert len(book.log) == 1
    book.clear_log()
    assert book.log == []


def test_a_refused_pair_marks_its_alerts_unserved() -> None:
    book = AlertBook(Clock())
    alert = book.add(parse_alert_spec("NOPE-USDT above 1"))
    book.refused("NOPE-USDT")
    assert alert.unserved and alert.active
    assert book.add(parse_alert_spec("NOPE-USDT below 1")).unserved


def test_the_limits_say_why() -> None:
    book = AlertBook(Clock())
    pairs = [f"P{n:03d}-USDT" for n in range(MAX_ALERT_PAIRS)]
    for n in range(MAX_ALERTS):
        book.add(AlertSpec.of(pairs[n % len(pairs)], "above", 1 + n))
    with pytest.raises(AlertError, match="at most 500 alerts") as info:
        book.add(AlertSpec.of(pairs[0], "above", 1))
    assert info.value.field == "limit"
    book.remove(1)
    with pytest.raises(AlertError, match="at most 100 pairs") as info:
        book.add(AlertSpec.of("NEW-USDT", "above", 1))
    assert info.value.field == "limit"
    book.add(AlertSpec.of(pairs[0], "above", 1))  # a pair already watched costs nothing


def test_demo_mode_keeps_the_real_alerts_aside_and_restores_them() -> None:
    clock = Clock()
    book, real, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98), clock)
    book.set_simulated(True)
    assert book.simulated and book.alerts() == [] and book.symbols() == ()
    assert record.symbols[-1] == ((), (PAIR,)) and record.changed[-1] is None
    demo = book.add(parse_alert_spec("ETH-USDT above 10"))
    book.filled("ETH-USDT", series_of(bar(0, 9, 8, 9)))
    book.candles("ETH-USDT", [bar(1, 10, 9, 9)])
    assert [(f.alert_id, f.simulated) for f in record.fired] == [(demo.id, True)]
    assert [a["id"] for a in book.to_dict()["alerts"]] == [real.id]
    book.set_simulated(False)
    assert book.alerts() == [real] and book.symbols() == (PAIR,)
    assert record.symbols[-1] == ((PAIR,), ())
    assert book.log == [] and real.arming is Arming.ARMED
    # The real set catches up from its watermark once its series reloads.
    book.candles(PAIR, [bar(3, 101, 99, 100)])  # in a gap until then
    assert len(record.fired) == 1
    book.filled(PAIR, series_of(bar(1, 99, 97, 98), bar(2, 100, 97, 98), bar(3, 101, 99, 100)))
    assert [(f.candle_time, f.late, f.simulated) for f in record.fired[1:]] == [
        (T0 + 120, True, False)
    ]


def test_editing_only_the_note_during_a_gap_keeps_the_arming_and_the_gap() -> None:
    clock = Clock()
    book, alert, record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98), clock)
    book.gap(PAIR)
    clock.now = T0 + 300
    book.update(alert.id, alert.spec.replace(note="remember the stop", cooldown=60))
    assert (alert.note, alert.arming, alert.since, alert.base) == (
        "remember the stop",
        Arming.ARMED,
        T0,
        99,
    )
    book.filled(
        PAIR,
        series_of(bar(0, 99, 97, 98), bar(1, 104, 98, 103), bar(2, 104, 98, 101)),
    )
    assert [(f.candle_time, f.late, f.note) for f in record.fired] == [
        (T0 + 60, True, "remember the stop")
    ]


def test_a_repeating_alert_keeps_its_cool_down_through_a_note_edit() -> None:
    clock = Clock()
    book, alert, _record = live_book("BTC-USDT above 100 every 2m", bar(0, 99, 97, 98), clock)
    clock.now = T0 + 70
    book.candles(PAIR, [bar(1, 100, 98, 100)])
    state = (alert.arming, alert.since, alert.cooling_until)
    book.update(alert.id, alert.spec.replace(note="again"))
    assert (alert.arming, alert.since, alert.cooling_until) == state


def test_an_alert_added_during_a_gap_is_judged_by_the_rest_of_the_gap() -> None:
    clock = Clock()
    book, _other, record = live_book("BTC-USDT below 50", bar(0, 99, 97, 98), clock)
    book.gap(PAIR)  # connection lost at minute 0
    clock.now = T0 + 65
    # 60 s after minute 0 came, the exchange is at minute 1 at least: armed there, whole.
    alert = book.add(parse_alert_spec("BTC-USDT above 100"))
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 60, None)
    clock.now = T0 + 400
    book.filled(
        PAIR,
        series_of(
            bar(0, 99, 97, 98),
            bar(1, 99, 97, 98),
            bar(2, 101, 98, 100.5),
            bar(3, 100, 98, 99),
            bar(5, 99.5, 98, 99),
        ),
    )
    assert [(f.alert_id, f.candle_time, f.late) for f in record.fired] == [
        (alert.id, T0 + 120, True)
    ]


def test_moving_an_alert_during_a_gap_arms_it_at_the_exchange_minute_by_elapsed_time() -> None:
    clock = Clock()  # minute 0 comes at T0 + 5
    book, alert, record = live_book("BTC-USDT above 110", bar(0, 99, 97, 98), clock)
    book.gap(PAIR)
    clock.now = T0 + 130  # 125 s later: the exchange is in minute 2 at least
    book.move(alert.id, 100)
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 120, None)
    book.filled(PAIR, series_of(bar(0, 99, 97, 98), bar(1, 100.5, 97, 98), bar(2, 100, 97, 98)))
    # Minute 1, before the move, does not count; minute 2 counts whole, though it may hold
    # trades made up to 10 s before the move (the documented trade-off: never a miss).
    assert [f.candle_time for f in record.fired] == [T0 + 120]


def test_armed_at_a_previous_minute_s_candle_its_late_final_update_may_fire() -> None:
    clock = Clock(T0 + 80)  # minute 1 by the wall clock; no candle of it seen yet
    book, _other, record = live_book("BTC-USDT below 50", bar(0, 99, 97, 98), clock)
    alert = book.add(parse_alert_spec("BTC-USDT above 100"))
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0, 99)
    # Minute 0's final update, with a trade at 100.2 made just before the alert was added: the
    # accepted trade-off of arming without the clock (a price really reached; never a miss).
    book.candles(PAIR, [bar(0, 100.2, 97, 99, volume=2)])
    assert [f.candle_time for f in record.fired] == [T0]


def test_rearming_an_expired_alert_clears_its_expiry() -> None:
    clock = Clock()
    book = AlertBook(clock, session_start=START)
    alert = book.add(AlertSpec.of(PAIR, "above", 100, expires_at=T0 + 60))
    book.filled(PAIR, series_of(bar(0, 99, 97, 98)))
    clock.now = T0 + 61
    book.tick()
    assert alert.state is AlertState.EXPIRED
    book.rearm(alert.id)
    assert (alert.state, alert.expires_at) == (AlertState.ACTIVE, None)
    assert PAIR in book.symbols()


def test_an_exchange_a_year_behind_our_clock_arms_and_fires_as_any_other() -> None:
    # A simulated exchange a year behind our clock: an alert armed in a gap sees its candles,
    # and a firing of this session is not "while closed" however old its candle.
    year = 365 * 86_400
    clock = Clock(T0 + year + 5)
    book, _other, record = live_book("BTC-USDT below 50", bar(0, 99, 97, 98), clock)
    book.gap(PAIR)
    clock.now = T0 + year + 65
    alert = book.add(parse_alert_spec("BTC-USDT above 100"))
    assert (alert.since, alert.base) == (T0 + 60, None)  # 60 s after minute 0 came
    book.filled(PAIR, series_of(bar(0, 99, 97, 98), bar(1, 99, 97, 98), bar(2, 101, 98, 99)))
    assert [(f.candle_time, f.while_closed) for f in record.fired] == [(T0 + 120, False)]
