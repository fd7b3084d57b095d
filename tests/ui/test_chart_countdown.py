"""The last-price tag's countdown, offscreen: ticks on a timer, with a fake clock, no redraw.

It counts down to the close of the period containing now (``countdown_to_close``), whatever
candle the chart holds last, and only while the chart is on screen.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QTabWidget, QWidget

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart
from tests.helpers import TF, numpy_walk
from tests.ui.chart_kit import WAIT_MS, open_chart


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.asked = 0

    def __call__(self) -> float:
        self.asked += 1
        return self.now


@pytest.fixture
def chart(qtbot) -> CandleChart:
    return open_chart(qtbot, 800, 500)


def newest(chart: CandleChart) -> Candle:
    return chart.candles()[-1]


def test_the_tag_counts_down_on_the_timer(chart: CandleChart, qtbot) -> None:
    chart.set_history(numpy_walk(100))
    start = newest(chart).time
    clock = FakeClock(start + 15.25)
    chart.countdown.clock = clock
    chart.flush()
    assert chart.countdown_label() == "00:45"  # shown as soon as there are candles
    clock.now = start + 16.25
    qtbot.waitUntil(lambda: chart.countdown_label() == "00:44", timeout=WAIT_MS)
    clock.now = start + 59.5
    qtbot.waitUntil(lambda: chart.countdown_label() == "00:01", timeout=WAIT_MS)
    # The next minute, before any candle of it: its own close is counted down to.
    clock.now = start + 75
    qtbot.waitUntil(lambda: chart.countdown_label() == "00:45", timeout=WAIT_MS)


def test_a_tick_repaints_the_tag_alone(chart: CandleChart, monkeypatch) -> None:
    chart.set_history(numpy_walk(100))
    clock = FakeClock(newest(chart).time + 1.5)
    chart.countdown.clock = clock
    chart.flush()
    redraws = []
    monkeypatch.setattr(chart.candle_item, "refresh_bounds", lambda: redraws.append(1))
    for k in range(5):
        clock.now += 1
        chart.countdown.tick()  # what the timer calls
        assert chart.countdown_label() == f"00:{58 - k:02d}"  # rounded up
    assert redraws == []
    assert not chart._timer.isActive()  # no coalesced redraw asked either


def test_a_quiet_pair_counts_down_the_current_minute(chart: CandleChart) -> None:
    # No trade for minutes: KuCoin sends no candle for them, the newest one is minutes old.
    chart.set_history(numpy_walk(100))
    last = newest(chart)
    clock = FakeClock(last.time + 5 * TF + 2)
    chart.countdown.clock = clock
    chart.flush()
    assert chart.countdown_label() == "00:58"  # not "00:00": this minute closes in 58 s
    chart.apply(Candle(last.time + 5 * TF, 100, 101, 99, 100, 1, 1))  # a trade at last
    chart.flush()
    assert chart.countdown_label() == "00:58"
    clock.now += 1
    chart.countdown.tick()
    assert chart.countdown_label() == "00:57"


def test_long_timeframes_show_hours_and_minutes(chart: CandleChart) -> None:
    four_hours = 4 * 3600
    chart.set_series("BTC-USDT", "4hour", four_hours)
    t0 = 1_700_000_040 // four_hours * four_hours  # a 4-hour boundary (UTC)
    chart.set_history(numpy_walk(50, t0=t0, tf=four_hours))
    chart.countdown.clock = FakeClock(newest(chart).time + 3600 + 61)
    chart.flush()
    assert chart.countdown_label() == "02:59"  # 2 h 58 min 59 s left: minutes rounded up


def test_a_month_lasts_as_long_as_the_calendar_says(chart: CandleChart) -> None:
    chart.set_series("BTC-USDT", "1month", 31 * 86400)
    february = int(datetime(2024, 2, 1, tzinfo=UTC).timestamp())  # 29 days (leap year)
    chart.apply(Candle(february, 100, 101, 99, 100, 1, 1))
    chart.countdown.clock = FakeClock(february + 3600)
    chart.flush()
    assert chart.countdown_label() == "695:00"  # 29 * 24 - 1 hours, not a nominal 31 days


def test_another_timeframe_is_counted_at_once(chart: CandleChart) -> None:
    chart.set_history(numpy_walk(10))
    clock = FakeClock(newest(chart).time + 30)
    chart.countdown.clock = clock
    chart.flush()
    assert chart.countdown_label() == "00:30"
    assert clock.now % 300 == 210
    chart.set_series("BTC-USDT", "5min", 300, store=chart.store)  # same candles, 5-min periods
    chart.flush()
    assert chart.countdown.running()
    assert chart.countdown_label() == "01:30"  # at once, not at the next second


def test_the_timer_runs_only_with_candles_and_on_screen(chart: CandleChart) -> None:
    clock = FakeClock(0.0)
    chart.countdown.clock = clock
    chart.flush()
    assert not chart.countdown.running() and chart.countdown_label() is None
    chart.set_history(numpy_walk(10))
    chart.flush()
    assert chart.countdown.running()
    chart.hide()
    assert not chart.countdown.running()
    chart.apply(Candle(newest(chart).time + TF, 100, 101, 99, 100, 1, 1))
    chart.flush()
    assert not chart.countdown.running()  # a redraw while hidden does not start it
    chart.show()
    assert chart.countdown.running()
    chart.clear()
    chart.flush()
    assert not chart.countdown.running()


def test_a_minimized_window_stops_the_timer(qtbot) -> None:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    chart, other = CandleChart(), QWidget()
    tabs.addTab(chart, "chart")
    tabs.addTab(other, "other")
    tabs.resize(800, 500)
    tabs.show()
    qtbot.waitExposed(tabs)
    chart.set_series("BTC-USDT", "1min", TF)
    chart.set_history(numpy_walk(10))
    chart.flush()
    assert chart.countdown.running()
    tabs.setCurrentIndex(1)  # another tab: hidden
    assert not chart.countdown.running()
    tabs.setCurrentIndex(0)
    assert chart.countdown.running()
    tabs.showMinimized()
    qtbot.waitUntil(lambda: not chart.countdown.running(), timeout=WAIT_MS)
    assert chart.isVisible()  # minimized is still "visible" to Qt
    chart.apply(Candle(newest(chart).time + TF, 100, 101, 99, 100, 1, 1))
    chart.flush()
    assert not chart.countdown.running()  # nor does a redraw start it
    tabs.showNormal()
    qtbot.waitUntil(chart.countdown.running, timeout=WAIT_MS)
