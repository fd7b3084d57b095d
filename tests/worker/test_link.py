"""FeedLink: the model fed by a controller, wired from one table, against the local exchange."""

from __future__ import annotations

import random

from PySide6.QtCore import QThread

from kucandle_gui.app import assemble
from kucandle_gui.model import SeriesKey, SeriesState
from kucandle_gui.protocol import Candle, candle_start
from tests.feed.checks import burst
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


def test_the_series_subscribed_state_follows_the_feed(qtbot, exchange) -> None:
    parts = assemble("BTC-USDT", "1min", fast_feed_config())
    series = parts.chart.series
    changes: list[bool] = []
    series.subscription_changed.connect(changes.append)
    parts.link.start(exchange.base_url)
    try:
        qtbot.waitUntil(lambda: series.subscribed, timeout=WAIT_MS)
        exchange.faults.drop_connections()
        qtbot.waitUntil(lambda: changes[-1:] == [False], timeout=WAIT_MS)
        qtbot.waitUntil(lambda: series.subscribed, timeout=WAIT_MS)
        assert changes == [True, False, True]
    finally:
        parts.link.close()
    assert not series.subscribed  # no feed, no subscription
    assert changes == [True, False, True, False]


def test_a_burst_of_200_switches_through_the_model_ends_on_the_exchanges_truth(
    qtbot, exchange
) -> None:
    shown = burst(seed=4)
    rng = random.Random(4)
    parts = assemble(*shown[0], fast_feed_config())
    monitor, chart = parts.monitor, parts.chart
    parts.link.start(exchange.base_url)
    try:
        qtbot.waitUntil(lambda: chart.series.subscribed, timeout=WAIT_MS)
        for symbol, timeframe in shown[1:]:
            monitor.show(chart, symbol, timeframe)
            if rng.random() < 0.3:  # now and then the UI thread gets to run between keys
                qtbot.wait(rng.randint(0, 30))
        final = SeriesKey(*shown[-1])
        assert chart.key == final and monitor.wanted() == (final,)
        series = chart.series
        # News of the pair's earlier subscriptions in the burst may still be on its way; once
        # its last subscription's history and pushes are in, the series is the exchange's.
        # Live pushes too: two candles past the one open now by the exchange's clock.
        live_until = candle_start("1min", exchange.now()) + 2 * 60
        compared: list[int] = []

        def equals_truth_and_live() -> bool:
            candles = series.candles.candles()
            if not series.subscribed or not candles or candles[-1].time < live_until:
                return False
            closed = candle_start("1min", exchange.now()) - 60
            truth = exchange.truth(final.symbol, final.timeframe, candles[0].time, closed)
            compared[:] = [len(truth)]
            return [c for c in candles if c.time <= closed] == truth

        qtbot.waitUntil(equals_truth_and_live, timeout=WAIT_MS)
        assert series.state is SeriesState.READY
        assert compared[0] >= 50
    finally:
        parts.link.close()
