"""MonitorModel, ChartModel and SeriesModel without a QApplication."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kucandle_gui.model import MonitorModel, SeriesKey, SeriesState, WatchlistModel
from kucandle_gui.protocol import Candle
from kucandle_gui.protocol.snapshot import Ticker

BTC = SeriesKey("BTC-USDT", "1min")
ETH = SeriesKey("ETH-USDT", "5min")


def candle(start: int, close: float = 100.0, volume: float = 1.0) -> Candle:
    return Candle(start, 100.0, max(100.0, close), min(100.0, close), close, volume, volume)


class Log:
    """Records every emission of the events it is connected to."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, *args: object) -> None:
        self.calls.append(args)


def test_the_model_imports_no_qt() -> None:
    code = "import sys, kucandle_gui.model; print(sorted(m for m in sys.modules if 'Qt' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_chart_holds_its_series_validated_and_normalised_once() -> None:
    monitor = MonitorModel()
    subscriptions = Log()
    monitor.subscriptions_changed.connect(subscriptions)
    chart = monitor.add_chart(" btc-usdt", "1min")
    assert chart.key == BTC
    assert monitor.wanted() == (BTC,)
    assert subscriptions.calls == [((BTC,), ())]


def test_a_lowercase_switch_reaches_the_normalised_series() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    assert monitor.show(chart, "eth-usdt", "5min")
    monitor.apply("ETH-USDT", "5min", [candle(300)])
    monitor.history_loaded("ETH-USDT", "5min")
    assert chart.series.candles.candles() == [candle(300)]
    assert chart.series.state is SeriesState.READY


def test_a_malformed_switch_is_refused_with_what_is_valid_and_changes_nothing() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    with pytest.raises(ValueError, match="valid timeframes: 1min"):
        monitor.show(chart, "ETH-USDT", "2min")
    with pytest.raises(ValueError, match="expected BASE-QUOTE"):
        monitor.show(chart, "ETH/USDT", "1min")
    assert chart.key == BTC
    assert chart.previous is None
    assert monitor.wanted() == (BTC,)


def test_after_a_switch_no_candle_of_the_old_series_reaches_the_chart() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    switched = Log()
    chart.series_switched.connect(switched)
    monitor.show(chart, "ETH-USDT", "5min")
    changed = Log()
    chart.series.changed.connect(changed)
    monitor.apply("BTC-USDT", "1min", [candle(60)])  # still in flight from before the switch
    assert changed.calls == []
    assert len(chart.series.candles) == 0
    assert switched.calls == [(chart.series,)]
    assert chart.previous == BTC


def test_switching_subscribes_the_new_series_before_releasing_the_old() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    subscriptions = Log()
    monitor.subscriptions_changed.connect(subscriptions)
    assert not monitor.show(chart, "btc-usdt", "1min")  # the same series: nothing to do
    monitor.show(chart, "ETH-USDT", "5min")
    assert subscriptions.calls == [((ETH,), ()), ((), (BTC,))]
    assert monitor.wanted() == (ETH,)


def test_a_series_shown_twice_is_held_once_and_released_with_its_last_view() -> None:
    monitor = MonitorModel()
    first = monitor.add_chart("BTC-USDT", "1min")
    second = monitor.add_chart("BTC-USDT", "1min")
    assert first.series is second.series
    subscriptions = Log()
    monitor.subscriptions_changed.connect(subscriptions)
    monitor.show(first, "ETH-USDT", "5min")
    assert monitor.wanted() == (BTC, ETH)
    monitor.show(second, "ETH-USDT", "5min")
    assert subscriptions.calls == [((ETH,), ()), ((), (BTC,))]
    assert monitor.series(BTC) is None


def test_deliveries_merge_by_the_series_rule() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    monitor.apply("BTC-USDT", "1min", [candle(60, volume=5), candle(120)])
    monitor.apply("BTC-USDT", "1min", [candle(60, close=90, volume=3)])  # an older state
    page = [candle(t, volume=2) for t in range(-60 * 40, 60, 60)]  # a bulk REST page
    monitor.apply("BTC-USDT", "1min", page)
    series = chart.series.candles
    assert series.get(60) == candle(60, volume=5)
    assert len(series) == 43
    assert series.last() == candle(120)


def test_older_history_is_asked_once_per_edge() -> None:
    monitor = MonitorModel(older_page=200)
    chart = monitor.add_chart("BTC-USDT", "1min")
    asked = Log()
    monitor.older_requested.connect(asked)
    chart.series.want_older(6000)
    chart.series.want_older(6000)  # the next repaint: the same edge
    assert asked.calls == [(BTC, 6000, 200)]
    monitor.older_failed("BTC-USDT", "1min")
    chart.series.want_older(6000)  # a failed request may be made again
    assert len(asked.calls) == 2
    monitor.older_loaded("BTC-USDT", "1min", [candle(5940)])
    chart.series.want_older(5940)  # a new edge
    assert asked.calls[-1] == (BTC, 5940, 200)


def test_an_edge_with_nothing_older_is_not_asked_again() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    asked, nothing = Log(), Log()
    monitor.older_requested.connect(asked)
    chart.series.no_older.connect(nothing)
    chart.series.want_older(6000)
    monitor.older_loaded("BTC-USDT", "1min", [])
    chart.series.want_older(6000)
    assert len(asked.calls) == 1
    assert nothing.calls == [(BTC,)]


def test_a_refused_series_says_so_and_asks_for_nothing() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("NOPE-USDT", "1min")
    states, asked = Log(), Log()
    chart.series.state_changed.connect(states)
    monitor.older_requested.connect(asked)
    monitor.refused("NOPE-USDT", "1min")
    monitor.history_loaded("NOPE-USDT", "1min")  # a late answer does not undo the refusal
    chart.series.want_older(6000)
    assert states.calls == [(SeriesState.REFUSED,)]
    assert asked.calls == []
    assert chart.series.state is SeriesState.REFUSED


def test_a_new_source_starts_every_series_over_and_says_whether_it_is_simulated() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    monitor.apply("BTC-USDT", "1min", [candle(60)])
    monitor.history_loaded("BTC-USDT", "1min")
    sources = Log()
    monitor.source_changed.connect(sources)
    monitor.set_source(True)
    assert sources.calls == [(True,)]
    assert monitor.simulated
    assert len(chart.series.candles) == 0
    assert chart.series.state is SeriesState.LOADING


def test_a_replay_is_simulated_its_alerts_too_and_says_it_is_a_replay() -> None:
    monitor = MonitorModel()
    sources = Log()
    monitor.source_changed.connect(sources)
    monitor.set_source(False, replay=True)
    assert (monitor.simulated, monitor.replay, monitor.alerts.simulated) == (True, True, True)
    assert sources.calls == [(True,)]
    monitor.set_source(True)  # the demo exchange after it: simulated, no replay any more
    assert (monitor.simulated, monitor.replay) == (True, False)


def test_a_series_is_subscribed_as_the_feed_says_and_a_held_again_one_starts_unsubscribed() -> None:
    monitor = MonitorModel()
    chart = monitor.add_chart("BTC-USDT", "1min")
    changes = Log()
    chart.series.subscription_changed.connect(changes)
    monitor.subscribed("BTC-USDT", "1min", True)
    monitor.subscribed("BTC-USDT", "1min", True)  # said again: no news
    monitor.subscribed("ETH-USDT", "5min", True)  # not held: nowhere to go
    assert chart.series.subscribed and changes.calls == [(True,)]
    monitor.show(chart, "ETH-USDT", "5min")
    monitor.subscribed("BTC-USDT", "1min", False)  # the dropped series' news, late
    assert changes.calls == [(True,)] and not chart.series.subscribed
    monitor.show(chart, "BTC-USDT", "1min")  # held again: not subscribed until the feed says
    assert not chart.series.subscribed


def ticker(symbol: str, last: float, time: int) -> Ticker:
    return Ticker(symbol, last, (last - 80.0) / 80.0, last - 80.0, 110.0, 75.0, 1.0, last, time)


def test_the_watched_pairs_last_price_is_the_newest_candles_close_of_its_chart() -> None:
    monitor = MonitorModel(watchlist=WatchlistModel(clock=lambda: 0.0))
    watchlist = monitor.watchlist
    monitor.add_chart("BTC-USDT", "1min")
    monitor.subscribed("BTC-USDT", "1min", True)
    watchlist.add("BTC-USDT")
    watchlist.apply_tickers([ticker("BTC-USDT", 100.0, 1)])
    row = watchlist.row("BTC-USDT")
    monitor.apply("BTC-USDT", "1min", [candle(60, close=101), candle(120, close=102)])
    assert row.last == 102.0
    monitor.apply("BTC-USDT", "1min", [candle(60, close=99, volume=9)])  # late, the previous one
    assert row.last == 102.0
    watchlist.apply_tickers([ticker("BTC-USDT", 100.5, 2)])  # a snapshot behind the chart
    assert row.last == 102.0
    assert row.change_rate == pytest.approx((102.0 - 80.0) / 80.0)
    monitor.apply("BTC-USDT", "1min", [candle(180, close=103)])  # a new candle
    assert row.last == 103.0
    monitor.apply("BTC-USDT", "1min", [candle(180, close=104, volume=2)])  # a trade in it
    assert row.last == 104.0
    monitor.apply("ETH-USDT", "1min", [candle(180, close=7)])  # not held: nobody's price
    assert "ETH-USDT" not in watchlist


def test_when_no_view_holds_the_pair_any_more_the_watchlist_shows_the_tickers_price() -> None:
    monitor = MonitorModel()
    first = monitor.add_chart("BTC-USDT", "1min")
    second = monitor.add_chart("BTC-USDT", "1hour")
    monitor.subscribed("BTC-USDT", "1min", True)
    monitor.subscribed("BTC-USDT", "1hour", True)
    monitor.watchlist.add("BTC-USDT")
    monitor.watchlist.apply_tickers([ticker("BTC-USDT", 100.0, 1)])
    monitor.apply("BTC-USDT", "1hour", [candle(3600, close=101)])
    row = monitor.watchlist.row("BTC-USDT")
    monitor.show(second, "ETH-USDT", "1hour")  # BTC-USDT 1min still held by the first chart
    assert row.last == 101.0
    monitor.show(first, "ETH-USDT", "1hour")
    assert row.last == 100.0


def test_a_new_source_starts_the_watchlist_over_too() -> None:
    monitor = MonitorModel()
    monitor.add_chart("BTC-USDT", "1min")
    monitor.subscribed("BTC-USDT", "1min", True)
    monitor.watchlist.add("BTC-USDT")
    monitor.watchlist.apply_tickers([ticker("BTC-USDT", 100.0, 1)])
    monitor.apply("BTC-USDT", "1min", [candle(60, close=101)])
    monitor.subscribed("BTC-USDT", "1min", False)  # the old feed stops
    monitor.set_source(True)
    monitor.subscribed("BTC-USDT", "1min", True)  # the new exchange serves it
    row = monitor.watchlist.row("BTC-USDT")
    assert (row.ticker, row.last) == (None, None)
    monitor.watchlist.apply_tickers([ticker("BTC-USDT", 50.0, 1)])
    assert row.last == 50.0  # the old exchange's close is forgotten
    monitor.apply("BTC-USDT", "1min", [candle(60, close=51)])  # the new exchange's history
    assert row.last == 51.0


def watching_btc(*timeframes: str) -> MonitorModel:
    """A monitor with a chart per timeframe of BTC-USDT, every series subscribed, and
    BTC-USDT watched with a ticker at 100."""
    monitor = MonitorModel(watchlist=WatchlistModel(clock=lambda: 0.0))
    for timeframe in timeframes:
        monitor.add_chart("BTC-USDT", timeframe)
        monitor.subscribed("BTC-USDT", timeframe, True)
    monitor.watchlist.add("BTC-USDT")
    monitor.watchlist.apply_tickers([ticker("BTC-USDT", 100.0, 1)])
    return monitor


def test_a_refused_series_gives_the_row_back_to_the_tickers_price() -> None:
    monitor = watching_btc("1min")
    watchlist = monitor.watchlist
    row = watchlist.row("BTC-USDT")
    monitor.apply("BTC-USDT", "1min", [candle(60, close=101)])
    assert row.last == 101.0
    monitor.refused("BTC-USDT", "1min")  # still held by the chart, its close frozen
    assert row.last == 100.0
    watchlist.apply_tickers([ticker("BTC-USDT", 99.0, 2)])
    assert row.last == 99.0  # the ticker moves the row again
    monitor.apply("BTC-USDT", "1min", [candle(60, close=105, volume=5)])  # late, refused
    assert row.last == 99.0


def test_a_refused_series_gives_the_price_to_another_series_of_the_pair_still_pushed() -> None:
    monitor = watching_btc("1min", "1hour")
    row = monitor.watchlist.row("BTC-USDT")
    monitor.apply("BTC-USDT", "1hour", [candle(0, close=99)])
    monitor.apply("BTC-USDT", "1min", [candle(60, close=101)])
    assert row.last == 101.0
    monitor.refused("BTC-USDT", "1min")
    assert row.last == 99.0  # the 1hour series' newest close, not the refused one's
    monitor.apply("BTC-USDT", "1hour", [candle(0, close=102)])
    assert row.last == 102.0
    monitor.subscribed("BTC-USDT", "1hour", False)
    assert row.last == 100.0  # neither is pushed now


def test_the_close_is_the_price_only_while_the_series_is_subscribed() -> None:
    monitor = watching_btc("1min")
    watchlist = monitor.watchlist
    row = watchlist.row("BTC-USDT")
    monitor.apply("BTC-USDT", "1min", [candle(60, close=101)])
    assert row.last == 101.0
    monitor.subscribed("BTC-USDT", "1min", False)  # the connection is lost
    assert row.last == 100.0
    monitor.apply("BTC-USDT", "1min", [candle(60, close=103, volume=3)])  # late, not pushed
    watchlist.apply_tickers([ticker("BTC-USDT", 98.0, 2)])
    assert row.last == 98.0
    monitor.subscribed("BTC-USDT", "1min", True)  # subscribed again: the next delivery
    assert row.last == 98.0
    monitor.apply("BTC-USDT", "1min", [candle(60, close=103, volume=3)])  # the same candle
    assert row.last == 103.0
    monitor.subscribed("ETH-USDT", "1min", False)  # not held: nothing changes
    assert row.last == 103.0
