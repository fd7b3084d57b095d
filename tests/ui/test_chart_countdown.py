"""The last-price tag's countdown, offscreen: ticks on a timer, with a fake clock, no redraw."""

from __future__ import annotations

import pytest

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart
from tests.helpers import TF, numpy_walk

WAIT_MS = 3000


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.asked = 0

    def __call__(self) -> float:
        self.asked += 1
        return self.now


@pytest.fixture
def chart(qtbot) -> CandleChart:
    widget = CandleChart()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_series("BTC-USDT", "1min", TF)
    return widget


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
    clock.now = start + 75
    qtbot.waitUntil(lambda: chart.countdown_label() == "00:00", timeout=WAIT_MS)  # closed


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


def test_a_new_candle_restarts_the_count_at_once(chart: CandleChart) -> None:
    chart.set_history(numpy_walk(100))
    last = newest(chart)
    clock = FakeClock(last.time + TF + 2)
    chart.countdown.clock = clock
    chart.flush()
    assert chart.countdown_label() == "00:00"
    chart.apply(Candle(last.time + TF, 100, 101, 99, 100, 1, 1))
    chart.flush()
    assert chart.countdown_label() == "00:58"


def test_long_timeframes_show_hours_and_minutes(chart: CandleChart) -> None:
    chart.set_series("BTC-USDT", "4hour", 4 * 3600)
    chart.set_history(numpy_walk(50, tf=4 * 3600))
    chart.countdown.clock = FakeClock(newest(chart).time + 3600 + 61)
    chart.flush()
    assert chart.countdown_label() == "02:58"


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
    chart.show()
    assert chart.countdown.running()
    chart.clear()
    chart.flush()
    assert not chart.countdown.running()
