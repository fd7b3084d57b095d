"""FeedController + FeedWorker on a real QThread against the local exchange (pytest-qt), and
the worker's hand-over pace on a thread of the test's."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QThread

from kucandle_gui.feed import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedMetrics,
    NetworkFailure,
    StatusEvent,
)
from kucandle_gui.protocol import Ticker, candle_start
from kucandle_gui.sim import LocalExchange
from kucandle_gui.worker import FeedController, FeedWorker
from tests.helpers import fast_feed_config, fast_sim_config


@pytest.fixture
def controller(qtbot, exchange: LocalExchange) -> Iterator[FeedController]:
    started = FeedController(exchange.base_url, [("BTC-USDT", "1min")], fast_feed_config())
    started.start()
    yield started
    started.stop()


def test_candles_arrive_on_the_ui_thread_in_batches(qtbot, controller: FeedController) -> None:
    seen: list[tuple[str, str, int, bool]] = []

    def record(symbol: str, timeframe: str, candles: list) -> None:
        seen.append((symbol, timeframe, len(candles), QThread.currentThread() is qtbot_thread))

    qtbot_thread = QThread.currentThread()
    controller.candlesChanged.connect(record)
    with qtbot.waitSignal(controller.historyLoaded, timeout=10_000) as history:
        pass
    assert history.args[:2] == ["BTC-USDT", "1min"] and history.args[2] >= 50
    qtbot.waitUntil(lambda: sum(n for *_, n, _ in seen) >= 60, timeout=10_000)
    assert {(s, tf) for s, tf, _, _ in seen} == {("BTC-USDT", "1min")}
    assert all(on_ui for *_, on_ui in seen)


def test_status_and_metrics_reach_the_ui(qtbot, controller: FeedController) -> None:
    with qtbot.waitSignal(
        controller.statusChanged,
        check_params_cb=lambda e: isinstance(e, StatusEvent) and e.state is ConnectionState.LIVE,
        timeout=10_000,
    ):
        pass
    with qtbot.waitSignal(
        controller.metricsUpdated,
        check_params_cb=lambda m: isinstance(m, FeedMetrics) and m.messages > 0,
        timeout=10_000,
    ) as metrics:
        pass
    assert metrics.args[0].token_age is not None
    assert controller.candles_held() > 0


def test_every_subscribed_series_is_carried_each_in_its_own_signal(
    qtbot, controller: FeedController
) -> None:
    seen: list[tuple[str, str]] = []
    controller.candlesChanged.connect(lambda symbol, timeframe, _: seen.append((symbol, timeframe)))
    controller.subscribe("ETH-USDT", "5min")
    qtbot.waitUntil(lambda: ("ETH-USDT", "5min") in seen, timeout=10_000)
    controller.unsubscribe("BTC-USDT", "1min")
    seen.clear()
    qtbot.waitUntil(lambda: seen.count(("ETH-USDT", "5min")) >= 3, timeout=10_000)
    assert set(seen) == {("ETH-USDT", "5min")}


def test_a_malformed_subscription_is_refused_with_what_is_valid(
    controller: FeedController,
) -> None:
    with pytest.raises(ValueError, match="valid timeframes: 1min"):
        controller.subscribe("ETH-USDT", "2min")


def test_unknown_pair_is_reported_and_the_app_keeps_running(
    qtbot, controller: FeedController
) -> None:
    controller.subscribe("NOPE-USDT", "1min")
    with qtbot.waitSignal(
        controller.errorOccurred,
        check_params_cb=lambda e: isinstance(e, ErrorEvent) and e.subscription_dropped,
        timeout=10_000,
    ) as error:
        pass
    assert "NOPE-USDT" in error.args[0].message
    controller.subscribe("SOL-USDT", "1min")
    with qtbot.waitSignal(
        controller.candlesChanged, check_params_cb=lambda s, *_: s == "SOL-USDT", timeout=10_000
    ):
        pass


def test_older_history_and_symbols_come_from_the_rest_thread(
    qtbot, controller: FeedController, exchange: LocalExchange
) -> None:
    before = candle_start("1min", exchange.now()) - 3600
    with qtbot.waitSignal(controller.olderCandlesLoaded, timeout=10_000) as older:
        controller.load_older("BTC-USDT", "1min", before, 100)
    symbol, timeframe, candles = older.args
    assert (symbol, timeframe) == ("BTC-USDT", "1min")
    assert candles == exchange.truth("BTC-USDT", "1min", before - 100 * 60, before - 1)
    with qtbot.waitSignal(controller.symbolsLoaded, timeout=10_000) as symbols:
        controller.request_symbols()
    assert "BTC-USDT" in {s.symbol for s in symbols.args[0]}


def test_a_series_subscribed_state_comes_as_a_signal(qtbot, controller: FeedController) -> None:
    with qtbot.waitSignal(controller.subscriptionChanged, timeout=10_000) as subscribed:
        pass
    assert subscribed.args == ["BTC-USDT", "1min", True]
    with qtbot.waitSignal(controller.subscriptionChanged, timeout=10_000) as unsubscribed:
        controller.unsubscribe("BTC-USDT", "1min")
    assert unsubscribed.args == ["BTC-USDT", "1min", False]


def test_bad_rows_of_older_history_are_reported_and_the_good_ones_kept(
    qtbot, controller: FeedController, exchange: LocalExchange
) -> None:
    qtbot.waitSignal(controller.historyLoaded, timeout=10_000).wait()
    before = candle_start("1min", exchange.now()) - 3600
    truth = exchange.truth("BTC-USDT", "1min", before - 100 * 60, before - 1)
    rows = [c.to_kucoin() for c in reversed(truth)]
    rows.insert(3, [str(truth[-4].time + 17), *rows[3][1:]])  # not a 1min candle start
    body = json.dumps({"code": "200000", "data": rows})
    exchange.faults.rest_fail("/api/v1/market/candles", count=1, status=200, body=body)
    errors: list[ErrorEvent] = []
    controller.errorOccurred.connect(errors.append)
    with qtbot.waitSignal(controller.olderCandlesLoaded, timeout=10_000) as older:
        controller.load_older("BTC-USDT", "1min", before, 100)
    assert older.args[2] == truth
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    [bad] = errors
    assert (bad.kind, bad.symbol, bad.timeframe) == (ErrorKind.BAD_ROWS, "BTC-USDT", "1min")
    assert "1min" in bad.reason


def test_an_older_history_request_that_fails_says_why_and_where(
    qtbot, controller: FeedController, exchange: LocalExchange
) -> None:
    qtbot.waitSignal(controller.historyLoaded, timeout=10_000).wait()
    exchange.faults.outage(True)  # the connection is cut before any answer
    with qtbot.waitSignal(
        controller.errorOccurred,
        check_params_cb=lambda e: e.kind is ErrorKind.REQUEST,
        timeout=10_000,
    ) as failed:
        controller.load_older("BTC-USDT", "1min", candle_start("1min", exchange.now()), 100)
    event = failed.args[0]
    assert (event.symbol, event.timeframe) == ("BTC-USDT", "1min")
    assert event.failure is NetworkFailure.SERVER
    assert event.host == exchange.base_url.removeprefix("http://")


def test_tickers_of_watched_pairs_arrive_on_the_ui_thread(qtbot, exchange: LocalExchange) -> None:
    controller = FeedController(exchange.base_url, config=fast_feed_config(), watched=["ETH-USDT"])
    ui_thread = QThread.currentThread()
    seen: list[tuple[list[Ticker], bool]] = []
    controller.tickersChanged.connect(
        lambda tickers: seen.append((tickers, QThread.currentThread() is ui_thread))
    )

    def symbols() -> set[str]:
        return {t.symbol for tickers, _ in seen for t in tickers}

    controller.start()
    try:
        qtbot.waitUntil(lambda: "ETH-USDT" in symbols(), timeout=10_000)
        controller.watch(["sol-usdt"])
        qtbot.waitUntil(lambda: "SOL-USDT" in symbols(), timeout=10_000)
    finally:
        controller.stop()
    assert symbols() == {"ETH-USDT", "SOL-USDT"}
    assert all(on_ui for _, on_ui in seen)
    for tickers, _ in seen:
        assert tickers and len({t.symbol for t in tickers}) == len(tickers)  # coalesced
        assert all(t == exchange.ticker(t.symbol, at=t.time / 1000) for t in tickers)


def test_tickers_wait_until_the_ui_took_the_last_signal(qtbot) -> None:
    """Like batches: no tickers go out while the UI has not taken the last signal, the feed
    keeping the latest of each pair meanwhile; they go once it has. The worker runs on a
    thread of the test's and its signals are received there (direct connections), so that
    the test plays a UI that does not take them."""
    pairs = ("ETH-USDT", "SOL-USDT")
    signals: list[list[Ticker]] = []
    with LocalExchange(fast_sim_config(snapshot_interval=0.2)) as exchange:
        worker = FeedWorker(exchange.base_url, (), fast_feed_config(), watched=pairs)
        direct = Qt.ConnectionType.DirectConnection
        worker.tickersReady.connect(signals.append, direct)
        worker.batchReady.connect(signals.append, direct)  # none: no series
        runner = threading.Thread(target=worker.run, name="test-worker")
        runner.start()
        try:
            qtbot.waitUntil(lambda: len(signals) == 1, timeout=10_000)
            # Three rounds of pushes of each pair reach the feed, each longer than a turn of
            # the worker's loop: not one more signal while the first is not taken.
            seen = worker.feed.metrics().messages
            qtbot.waitUntil(
                lambda: worker.feed.metrics().messages >= seen + 3 * len(pairs), timeout=10_000
            )
            assert len(signals) == 1
            worker.batch_taken()
            qtbot.waitUntil(lambda: len(signals) == 2, timeout=10_000)
        finally:
            worker.stop()
            runner.join(5.0)
        assert not runner.is_alive()
        first, then = signals
        assert {t.symbol for t in then} == set(pairs) and len(then) == len(pairs)  # coalesced
        assert all(t == exchange.ticker(t.symbol, at=t.time / 1000) for t in first + then)
        earlier = {t.symbol: t.time for t in first}
        assert all(t.time > earlier.get(t.symbol, 0) for t in then)


def test_a_malformed_pair_to_watch_is_refused_with_what_is_valid(
    controller: FeedController,
) -> None:
    with pytest.raises(ValueError, match=r"invalid pair 'BTCUSDT'"):
        controller.watch(["ETH-USDT", "BTCUSDT"])


def test_stop_leaves_no_thread(qtbot, exchange: LocalExchange) -> None:
    controller = FeedController(exchange.base_url, [("BTC-USDT", "1min")], fast_feed_config())
    controller.start()
    qtbot.waitSignal(controller.candlesChanged, timeout=10_000).wait()
    controller.request_symbols()
    controller.stop()
    assert not controller.running
    qtbot.waitUntil(
        lambda: not [t for t in threading.enumerate() if t.name.startswith("kucandle-")],
        timeout=5_000,
    )
