"""MonitorModel and its AlertBook: the 1min series alerts hold, and what the feed tells them."""

from __future__ import annotations

from kucandle_gui.model import (
    AlertBook,
    AlertState,
    Arming,
    MonitorModel,
    SeriesKey,
    SeriesState,
    parse_alert_spec,
)

from .test_alert_rules import PAIR, START, T0, Clock, Record, bar

KEY = SeriesKey(PAIR, "1min")


class Subscriptions:
    def __init__(self, monitor: MonitorModel) -> None:
        self.calls: list[tuple] = []
        monitor.subscriptions_changed.connect(
            lambda added, removed: self.calls.append((added, removed))
        )


def connected(monitor: MonitorModel, *history: object) -> None:
    """The feed subscribed the pair's 1min series and loaded its history."""
    monitor.subscribed(PAIR, "1min", True)
    monitor.apply(PAIR, "1min", list(history))
    monitor.history_loaded(PAIR, "1min", True)


def test_a_pair_with_an_alert_is_held_and_let_go_with_its_last_active_alert() -> None:
    monitor = MonitorModel(alerts=AlertBook(Clock(), session_start=START))
    subscriptions = Subscriptions(monitor)
    first = monitor.alerts.add(parse_alert_spec("btc-usdt above 100"))
    second = monitor.alerts.add(parse_alert_spec("BTC-USDT above 200"))
    assert subscriptions.calls == [((KEY,), ())]
    assert monitor.wanted() == (KEY,)
    connected(monitor, bar(0, 99, 97, 98))
    assert first.arming is Arming.ARMED and second.arming is Arming.ARMED
    monitor.alerts.remove(second.id)
    assert monitor.wanted() == (KEY,)
    monitor.apply(PAIR, "1min", [bar(1, 100, 98, 99)])  # the last active one triggers
    assert first.state is AlertState.TRIGGERED
    assert subscriptions.calls == [((KEY,), ()), ((), (KEY,))]
    assert monitor.wanted() == ()


def test_a_series_a_chart_holds_stays_held_and_a_new_alert_on_it_arms_at_once() -> None:
    monitor = MonitorModel(alerts=AlertBook(Clock()))
    chart = monitor.add_chart(PAIR, "1min")
    connected(monitor, bar(0, 99, 97, 98))
    alert = monitor.alerts.add(parse_alert_spec("BTC-USDT above 100"))
    assert (alert.arming, alert.since) == (Arming.ARMED, T0)
    monitor.alerts.remove(alert.id)
    assert monitor.wanted() == (KEY,) and chart.series.state is SeriesState.READY


def test_a_gap_is_filled_only_by_a_complete_history_while_subscribed() -> None:
    clock = Clock()
    monitor = MonitorModel(alerts=AlertBook(clock, session_start=START))
    record = Record(monitor.alerts)
    alert = monitor.alerts.add(parse_alert_spec("BTC-USDT above 100"))
    connected(monitor, bar(0, 99, 97, 98))
    monitor.subscribed(PAIR, "1min", False)  # the connection is lost
    clock.now = T0 + 400
    monitor.history_loaded(PAIR, "1min", True)  # an old load landing while unsubscribed
    monitor.subscribed(PAIR, "1min", True)
    monitor.apply(PAIR, "1min", [bar(5, 103, 100, 102)])  # first push after the reconnect
    monitor.history_loaded(PAIR, "1min", False)  # another load still out
    assert record.fired == [] and alert.active
    monitor.apply(PAIR, "1min", [bar(1, 99, 98, 98), bar(2, 100.5, 98, 99), bar(3, 101, 99, 100)])
    monitor.history_loaded(PAIR, "1min", True)
    assert [(f.candle_time, f.late, f.reached_at) for f in record.fired] == [
        (T0 + 120, True, T0 + 120)
    ]
    assert alert.state is AlertState.TRIGGERED


def test_live_candles_fire_at_the_clock_and_other_timeframes_are_not_evaluated() -> None:
    clock = Clock()
    monitor = MonitorModel(alerts=AlertBook(clock))
    record = Record(monitor.alerts)
    monitor.add_chart(PAIR, "5min")
    monitor.alerts.add(parse_alert_spec("BTC-USDT above 100"))
    connected(monitor, bar(0, 99, 97, 98))
    monitor.subscribed(PAIR, "5min", True)
    monitor.apply(PAIR, "5min", [bar(0, 150, 97, 98)])
    assert record.fired == []
    clock.now = T0 + 61
    monitor.apply(PAIR, "1min", [bar(1, 100, 97, 98)])
    assert [(f.late, f.reached_at) for f in record.fired] == [(False, T0 + 61)]


def test_a_refused_pair_marks_its_alerts() -> None:
    monitor = MonitorModel(alerts=AlertBook(Clock()))
    alert = monitor.alerts.add(parse_alert_spec("NOPE-USDT above 1"))
    monitor.refused("NOPE-USDT", "1min")
    assert alert.unserved and alert.active


def test_demo_mode_sets_the_real_alerts_aside_and_back() -> None:
    monitor = MonitorModel(alerts=AlertBook(Clock()))
    subscriptions = Subscriptions(monitor)
    real = monitor.alerts.add(parse_alert_spec("BTC-USDT above 100"))
    connected(monitor, bar(0, 99, 97, 98))
    monitor.set_source(True)
    assert monitor.alerts.simulated and monitor.wanted() == ()
    monitor.alerts.add(parse_alert_spec("ETH-USDT above 10"))
    monitor.set_source(False)
    assert monitor.alerts.alerts() == [real]
    eth = SeriesKey("ETH-USDT", "1min")
    # Held before released, as a chart switching series.
    assert subscriptions.calls == [
        ((KEY,), ()),
        ((), (KEY,)),
        ((eth,), ()),
        ((KEY,), ()),
        ((), (eth,)),
    ]


def test_a_book_with_alerts_already_is_held_from_the_start() -> None:
    book = AlertBook(Clock())
    book.add(parse_alert_spec("BTC-USDT above 100"))
    monitor = MonitorModel(alerts=book)
    assert monitor.wanted() == (KEY,)


def test_a_pair_no_series_holds_any_more_arms_at_its_next_candles_not_at_an_old_one() -> None:
    # A chart showed the pair, then another: what the book saw of it is an hour old. An alert
    # added on it then must wait for its candles (arming at the exchange's minute, the whole
    # open candle counting, would fire at once on a wick from before the alert).
    clock = Clock(T0 + 5)
    monitor = MonitorModel(alerts=AlertBook(clock, session_start=START))
    chart = monitor.add_chart(PAIR, "1min")
    connected(monitor, bar(0, 99, 97, 98))
    monitor.show(chart, "ETH-USDT", "1min")  # the pair's series let go
    clock.now = T0 + 3600 + 5
    monitor.subscribed("ETH-USDT", "1min", True)
    monitor.apply("ETH-USDT", "1min", [bar(60, 99, 97, 98)])  # the exchange's minute: 60
    alert = monitor.alerts.add(parse_alert_spec(f"{PAIR} above 100"), last_price=98.0)
    assert (alert.arming, alert.since) == (Arming.PENDING, None)
    record = Record(monitor.alerts)
    connected(monitor, bar(59, 99, 97, 98), bar(60, 101, 97, 98))  # a wick before the alert
    assert record.fired == []
    assert (alert.arming, alert.since, alert.base) == (Arming.ARMED, T0 + 3600, 101)
