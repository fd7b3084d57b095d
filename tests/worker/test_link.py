"""FeedLink: the model fed by a controller, wired from one table, against the local exchange."""

from __future__ import annotations

from PySide6.QtCore import QThread

from kucandle_gui.app import assemble
from kucandle_gui.model import SeriesKey, SeriesState
from kucandle_gui.protocol import Candle
from tests.helpers import fast_feed_config

WAIT_MS = 10_000


def test_the_model_holds_only_the_series_shown_after_a_switch(qtbot, exchange) -> None:
    parts = assemble("BTC-USDT", "1min", fast_feed_config())
    controller = parts.link.start(exchange.base_url)
    try:
        chart = parts.chart
        qtbot.waitUntil(lambda: len(chart.series.candles) > 0, timeout=WAIT_MS)
        parts.monitor.show(chart, "eth-usdt", "5min")
        applied: list[tuple[str, str]] = []
        parts.monitor.candles_applied.connect(applied.append)
        qtbot.waitUntil(lambda: chart.series.state is SeriesState.READY, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: applied.count(("ETH-USDT", "5min")) >= 3, timeout=WAIT_MS)
        # Whatever was still in flight for BTC-USDT went nowhere: only ETH-USDT is held.
        assert set(applied) == {("ETH-USDT", "5min")}
        assert parts.monitor.wanted() == (SeriesKey("ETH-USDT", "5min"),)
        candles = chart.series.candles.candles()
        assert all(c.time % 300 == 0 for c in candles)
        closed = candles[-3]
        assert exchange.truth("ETH-USDT", "5min", closed.time, closed.time) == [closed]
        assert controller is parts.link.controller
    finally:
        parts.link.close()


def test_a_stopped_controller_is_disconnected_and_deleted(qtbot, exchange) -> None:
    parts = assemble("BTC-USDT", "1min", fast_feed_config())
    old = parts.link.start(exchange.base_url)
    assert old is not None
    qtbot.waitUntil(lambda: len(parts.chart.series.candles) > 0, timeout=WAIT_MS)
    with qtbot.waitSignal(old.destroyed, timeout=WAIT_MS):
        new = parts.link.start(exchange.base_url)
        # Nothing the old controller might still say reaches the model.
        held = len(parts.chart.series.candles)
        old.candlesChanged.emit("BTC-USDT", "1min", [Candle(60, 1, 1, 1, 1, 1e9, 1)])
        assert len(parts.chart.series.candles) == held
    assert parts.link.controller is new
    parts.link.close()
    assert parts.link.controller is None
    assert parts.link.start(exchange.base_url) is None  # closed for good


def test_older_history_a_view_asks_for_lands_in_the_model_on_the_ui_thread(qtbot, exchange):
    parts = assemble("BTC-USDT", "1min", fast_feed_config())
    parts.link.start(exchange.base_url)
    try:
        series = parts.chart.series
        qtbot.waitUntil(lambda: series.state is SeriesState.READY, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: len(series.candles) > 0, timeout=WAIT_MS)
        oldest = series.candles.first_time()
        threads: list[object] = []
        series.changed.connect(lambda: threads.append(QThread.currentThread()))
        series.want_older(oldest)
        qtbot.waitUntil(lambda: series.candles.first_time() < oldest, timeout=WAIT_MS)
        assert threads and all(t is QThread.currentThread() for t in threads)
        first = series.candles.first_time()
        truth = exchange.truth("BTC-USDT", "1min", first, oldest - 60)
        assert series.candles.candles()[: len(truth)] == truth
    finally:
        parts.link.close()
