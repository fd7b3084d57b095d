"""Alerts across restarts: the saved form, damaged data, and the catch-up after a restart."""

from __future__ import annotations

import json

from kucandle_gui.model import AlertBook, AlertSpec, AlertState, Arming, parse_alert_spec

from .test_alert_rules import PAIR, START, T0, Clock, Record, bar, live_book, series_of


def saved_and_loaded(book: AlertBook, clock: Clock | None = None) -> tuple[AlertBook, list[str]]:
    """``book``'s alerts through JSON into a new book (a restart)."""
    data = json.loads(json.dumps(book.to_dict()))
    restarted = AlertBook(clock or Clock())
    return restarted, restarted.load(data)


def test_alerts_their_state_and_the_log_survive_a_restart() -> None:
    book, triggered, _record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    armed = book.add(parse_alert_spec("BTC-USDT below 90"))
    repeating = book.add(AlertSpec.of(PAIR, "above", 99, note="again", repeat=True, cooldown=60))
    pending = book.add(AlertSpec.of("ETH-USDT", "below", 5.5, expires_at=T0 + 9999))
    book.candles(PAIR, [bar(1, 100, 98, 99)])
    assert triggered.state is AlertState.TRIGGERED and repeating.arming is Arming.WAITING
    restarted, problems = saved_and_loaded(book)
    assert problems == []
    by_id = {a.id: a for a in restarted.alerts()}
    for before in (triggered, armed, repeating, pending):
        after = by_id[before.id]
        assert (after.spec, after.state, after.arming, after.since, after.base) == (
            before.spec,
            before.state,
            before.arming,
            before.since,
            before.base,
        )
        assert (after.cooling_until, after.fire_count, after.last_fired_candle) == (
            before.cooling_until,
            before.fire_count,
            before.last_fired_candle,
        )
    assert restarted.log == book.log
    assert restarted.to_dict()["watermarks"] == {PAIR: T0 + 60}
    assert set(restarted.symbols()) == {PAIR, "ETH-USDT"}
    assert restarted.add(parse_alert_spec("KCS-USDT above 9")).id == pending.id + 1


def test_a_restart_catches_up_what_happened_while_the_app_was_closed() -> None:
    book, alert, _record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    book.candles(PAIR, [bar(1, 99, 97, 98)])
    later = Clock(T0 + 3600)
    restarted, _ = saved_and_loaded(book, later)
    assert restarted.session_start == T0 + 3600
    record = Record(restarted)
    restarted.candles(PAIR, [bar(59, 120, 110, 115)])  # before the history: not evaluated
    assert record.fired == []
    history = [bar(m, 99.5, 97, 98) for m in range(0, 59)]
    history[30] = bar(30, 100.2, 98, 99)
    history[40] = bar(40, 101, 98, 99)
    restarted.filled(PAIR, series_of(*history, bar(59, 120, 110, 115)))
    assert [(f.alert_id, f.candle_time, f.late, f.while_closed) for f in record.fired] == [
        (alert.id, T0 + 1800, True, True)
    ]
    assert restarted.get(alert.id).state is AlertState.TRIGGERED


def test_only_the_first_catch_up_after_a_restart_fires_while_closed() -> None:
    # The exchange's candles are a day behind the machine's clock (a simulated one): what
    # says "while closed" is where the catch-up started, not a candle time against the clock.
    book, alert, _record = live_book("BTC-USDT above 100 every 1m", bar(0, 99, 97, 98))
    restarted, _ = saved_and_loaded(book, Clock(T0 + 86_400 + 3600))
    record = Record(restarted)
    closed = series_of(bar(0, 99, 97, 98), bar(1, 101, 97, 98), bar(2, 99, 97, 98))
    restarted.filled(PAIR, closed)
    restarted.gap(PAIR)  # a disconnection while running
    restarted.filled(PAIR, series_of(*closed.candles(), bar(3, 99, 97, 98), bar(4, 101, 97, 99)))
    restarted.candles(PAIR, [bar(5, 99, 97, 98)])
    restarted.candles(PAIR, [bar(6, 101, 97, 99)])
    assert [(f.candle_time, f.late, f.while_closed) for f in record.fired] == [
        (T0 + 60, True, True),
        (T0 + 240, True, False),
        (T0 + 360, False, False),
    ]
    assert restarted.get(alert.id).fire_count == 3


def test_damaged_data_is_described_and_the_good_entries_kept() -> None:
    book, _alert, _record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    data = book.to_dict()
    good = data["alerts"][0]
    data["alerts"] += [
        {**good, "id": 2, "price": "abc"},
        {**good, "id": 3, "state": "bogus"},
        {**good, "id": 4, "arming": "armed", "since": None},
        {**good, "id": 1},
        {**good, "id": 5, "symbol": "ETH/USDT"},
        {**good, "id": 6, "created_at": "yesterday"},
        {**good, "id": True},
        7,
        {**good, "id": 8, "condition": "below", "price": 50},
    ]
    data["log"] = [{"alert_id": 1}, "x"]
    data["watermarks"] = {"BTC-USDT": "soon", "bad pair": 5, "ETH-USDT": T0}
    restarted = AlertBook(Clock())
    problems = restarted.load(data)
    assert [a.id for a in restarted.alerts()] == [1, 8]
    assert "alert 2: the price 'abc' is not a number" in problems
    assert any(p.startswith("alert 3: state 'bogus'") for p in problems)
    assert any(p.startswith("alert 4: armed without") for p in problems)
    assert "alert 1: the id is used twice: skipped" in problems
    assert any(p.startswith("alert 5: invalid pair") for p in problems)
    assert any(p.startswith("alert 6: created_at") for p in problems)
    assert any(p.startswith("alert True: id") for p in problems)
    assert "alert #9: not an object" in problems
    assert sum(p.startswith("log entry") for p in problems) == 2
    assert sum(p.startswith("watermark of") for p in problems) == 2
    assert restarted.to_dict()["watermarks"] == {"ETH-USDT": T0}


def test_data_that_is_not_alerts_loads_nothing_and_raises_nothing() -> None:
    for data in (None, "garbage", [], {"version": 2, "alerts": []}, {"version": 1, "alerts": {}}):
        book = AlertBook(Clock())
        problems = book.load(data)
        assert problems and book.alerts() == []


def test_loading_in_demo_mode_replaces_the_real_set_aside() -> None:
    book = AlertBook(Clock(), session_start=START)
    saved = AlertBook(Clock())
    saved.add(parse_alert_spec("BTC-USDT above 100"))
    book.set_simulated(True)
    record = Record(book)
    assert book.load(saved.to_dict()) == []
    assert book.alerts() == [] and record.symbols == []
    book.set_simulated(False)
    assert [a.symbol for a in book.alerts()] == [PAIR]
    assert record.symbols == [((PAIR,), ())]


HUGE = 10**400


def test_huge_whole_numbers_are_problems_not_crashes() -> None:
    book, _alert, _record = live_book("BTC-USDT above 100", bar(0, 99, 97, 98))
    good = book.to_dict()["alerts"][0]
    data = {
        "version": 1,
        "alerts": [
            {**good, "id": HUGE},
            {**good, "id": 2, "price": HUGE},
            {**good, "id": 3, "since": HUGE},
            {**good, "id": 4, "created_at": HUGE},
            {**good, "id": 5},
        ],
        "log": [],
        "watermarks": {PAIR: HUGE},
    }
    restarted = AlertBook(Clock())
    problems = restarted.load(json.loads(json.dumps(data)))
    assert [a.id for a in restarted.alerts()] == [5]
    assert len(problems) == 5
    assert all(len(p) < 200 for p in problems), problems  # quoted bounded, not 401 digits
    assert any("at most 1e15" in p for p in problems)


ODD = [
    HUGE,
    -HUGE,
    10**5000,
    1e308,
    -0.0,
    float("nan"),
    float("inf"),
    "NaN",
    "x" * 100_000,
    "",
    True,
    False,
    None,
    [],
    [[[[1]]]],
    {},
    {"a": [None]},
    0,
    -1,
    1.5,
]


def test_load_never_raises_on_odd_values_anywhere() -> None:
    book, _alert, _record = live_book("BTC-USDT above 100 every 1m", bar(0, 99, 97, 98))
    book.candles(PAIR, [bar(1, 101, 98, 100)])
    data = book.to_dict()
    entries = [("alerts", data["alerts"][0]), ("log", data["log"][0])]
    for odd in ODD:
        for part, entry in entries:
            for key in entry:
                changed = {**data, part: [{**entry, key: odd}]}
                assert isinstance(AlertBook(Clock()).load(changed), list)
        for key in ("version", "alerts", "log", "watermarks"):
            problems = AlertBook(Clock()).load({**data, key: odd})
            assert all(len(p) < 400 for p in problems)
        AlertBook(Clock()).load({**data, "watermarks": {PAIR: odd}})
        AlertBook(Clock()).load({**data, "alerts": [odd], "log": [odd]})
        AlertBook(Clock()).load(odd)


def test_an_alert_saved_armed_without_a_candle_counts_every_candle_from_its_since() -> None:
    # An older version armed an alert in a gap at a minute without a candle (base None).
    saved = {"id": 1, "symbol": PAIR, "condition": "above", "price": 100, "created_at": T0}
    saved |= {"state": "active", "arming": "armed", "since": T0, "base": None}
    book = AlertBook(Clock(T0 + 600))
    assert book.load({"version": 1, "alerts": [saved], "log": [], "watermarks": {}}) == []
    record = Record(book)
    book.filled(PAIR, series_of(bar(0, 100.5, 97, 98), bar(1, 99, 97, 98)))
    assert [(f.candle_time, f.late, f.while_closed) for f in record.fired] == [(T0, True, True)]


def test_an_alert_without_a_candle_stays_pending_across_a_restart() -> None:
    book = AlertBook(Clock())
    alert = book.add(parse_alert_spec("BTC-USDT above 100"), last_price=98)
    restarted, problems = saved_and_loaded(book)
    assert problems == []
    assert (restarted.get(alert.id).arming, restarted.get(alert.id).since) == (
        Arming.PENDING,
        None,
    )


def test_a_firing_after_the_session_started_is_not_while_closed_in_the_first_catch_up() -> None:
    # Review case C: restarted at minute 10, the network down for the first 50 minutes; the
    # first catch-up finds minute 5 (closed) and minute 40 (running, though offline).
    book, alert, _record = live_book("BTC-USDT above 100 every 1m", bar(0, 99, 97, 98))
    restarted, _ = saved_and_loaded(book, Clock(T0 + 600))
    record = Record(restarted)
    restarted.candles(PAIR, [bar(60, 99, 97, 98)])
    candles = [bar(m, 101 if m in (5, 40) else 99, 97, 98) for m in range(61)]
    restarted.filled(PAIR, series_of(*candles))
    assert [(f.candle_time, f.late, f.while_closed) for f in record.fired] == [
        (T0 + 300, True, True),
        (T0 + 2400, True, False),
    ]
    assert restarted.get(alert.id).fire_count == 2


def test_a_load_while_running_leaves_a_pair_in_a_reconnect_gap_out_of_while_closed() -> None:
    # The saved book (another session's) has alerts on BTC, held here and in a reconnect gap,
    # and ETH, not held here. The session "started" after the candles, so only ``closed``
    # decides.
    saved = AlertBook(Clock())
    saved.add(parse_alert_spec("BTC-USDT above 100"))
    saved.add(parse_alert_spec("ETH-USDT above 100"))
    saved.filled(PAIR, series_of(bar(0, 99, 97, 98)))
    saved.filled("ETH-USDT", series_of(bar(0, 99, 97, 98)))
    clock = Clock()
    book = AlertBook(clock, session_start=T0 + 600)
    book.add(parse_alert_spec("BTC-USDT above 100"))
    book.filled(PAIR, series_of(bar(0, 99, 97, 98)))
    book.gap(PAIR)  # a reconnect under way
    assert book.load(saved.to_dict()) == []
    record = Record(book)
    clock.now = T0 + 300
    crossing = series_of(bar(0, 99, 97, 98), bar(1, 99, 97, 98), bar(2, 101, 97, 98))
    book.filled(PAIR, crossing)
    book.filled("ETH-USDT", crossing)
    assert [(f.symbol, f.candle_time, f.while_closed) for f in record.fired] == [
        (PAIR, T0 + 120, False),
        ("ETH-USDT", T0 + 120, True),
    ]
