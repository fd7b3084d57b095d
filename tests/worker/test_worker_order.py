"""The worker's series signals come exactly between the candles before and after them (local
exchange): the UI hears of a backfill once its candles are applied, and that a series is no
longer subscribed after the pushes its session made and before those of the next session."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt

from kucandle_gui.feed import CandleUpdate, ConnectionState, StatusEvent
from kucandle_gui.protocol import TIMEFRAME_SECONDS, Candle, candle_start
from kucandle_gui.sim import LocalExchange
from kucandle_gui.worker import FeedController, FeedWorker
from tests.helpers import fast_feed_config

BTC = ("BTC-USDT", "1min")
MINUTE = TIMEFRAME_SECONDS["1min"]
WAIT_MS = 10_000


def is_reconnecting(event: StatusEvent) -> bool:
    return event.state is ConnectionState.RECONNECTING


def test_history_comes_after_the_batch_holding_its_candles(qtbot, exchange: LocalExchange) -> None:
    controller = FeedController(exchange.base_url, [BTC], fast_feed_config())
    held: dict[int, Candle] = {}
    #: Each historyLoaded's arguments, and the candles the UI held when it came.
    said: list[tuple[list[object], dict[int, Candle]]] = []
    controller.candlesChanged.connect(
        lambda _s, _tf, candles: held.update({c.time: c for c in candles})
    )
    controller.historyLoaded.connect(lambda *args: said.append((list(args), dict(held))))
    controller.start()
    try:
        qtbot.waitUntil(lambda: len(said) == 1, timeout=WAIT_MS)
        live_from = candle_start("1min", exchange.now()) + 2 * MINUTE
        qtbot.waitUntil(lambda: max(held, default=0) >= live_from, timeout=WAIT_MS)
        with qtbot.waitSignal(
            controller.statusChanged, check_params_cb=is_reconnecting, timeout=WAIT_MS
        ):
            exchange.faults.outage(True)
        cut = candle_start("1min", exchange.now())
        # Until three candles lie wholly inside the outage (a minute may have no trade).
        qtbot.waitUntil(
            lambda: (
                len(
                    exchange.truth(
                        *BTC, cut + MINUTE, candle_start("1min", exchange.now()) - MINUTE
                    )
                )
                >= 3
            ),
            timeout=WAIT_MS,
        )
        exchange.faults.outage(False)
        after = candle_start("1min", exchange.now())
        qtbot.waitUntil(lambda: len(said) == 2, timeout=WAIT_MS)
    finally:
        controller.stop()
    (startup, at_startup), (backfill, at_backfill) = said
    assert startup[:2] == list(BTC) and startup[3:] == [False, True]
    assert len(at_startup) >= startup[2]  # every row of the start-up history was applied
    assert backfill[:2] == list(BTC) and backfill[3:] == [True, True]
    # Candles that began after the link was cut came only with the backfill.
    gap = exchange.truth(*BTC, cut + MINUTE, after - MINUTE)
    assert len(gap) >= 3
    assert [at_backfill.get(c.time) for c in gap] == gap


def test_no_longer_subscribed_comes_after_the_pushes_of_the_session(
    qtbot, exchange: LocalExchange
) -> None:
    """The worker runs on a thread of the test's and its signals are received there (direct
    connections), so that the test can play a UI that stops taking batches: pushes wait in
    the buffer when the connection drops, and the subscription's end waits behind them."""
    worker = FeedWorker(exchange.base_url, [BTC], fast_feed_config())
    said: list[tuple[str, object]] = []
    taking = threading.Event()
    taking.set()

    def batch(updates: list) -> None:
        said.append(("batch", taking.is_set()))
        if taking.is_set():
            worker.batch_taken()

    direct = Qt.ConnectionType.DirectConnection
    worker.batchReady.connect(batch, direct)
    worker.subscriptionChanged.connect(lambda _s, _tf, on: said.append(("subscribed", on)), direct)
    worker.historyLoaded.connect(lambda *_: said.append(("history", True)), direct)
    worker.statusChanged.connect(lambda e: said.append(("status", e.state)), direct)
    runner = threading.Thread(target=worker.run, name="test-worker")
    runner.start()
    try:
        qtbot.waitUntil(lambda: ("history", True) in said, timeout=WAIT_MS)
        taking.clear()  # the UI stops taking batches
        qtbot.waitUntil(lambda: ("batch", False) in said, timeout=WAIT_MS)
        seen = worker.feed.metrics().messages
        qtbot.waitUntil(lambda: worker.feed.metrics().messages >= seen + 3, timeout=WAIT_MS)
        assert exchange.faults.drop_connections() == 1
        qtbot.waitUntil(lambda: ("status", ConnectionState.RECONNECTING) in said, timeout=WAIT_MS)
        assert ("subscribed", False) not in said  # held behind the pushes still buffered
        taking.set()
        worker.batch_taken()
        qtbot.waitUntil(lambda: ("subscribed", False) in said, timeout=WAIT_MS)
    finally:
        worker.stop()
        runner.join(5.0)
    assert not runner.is_alive()
    stuck = said.index(("batch", False))
    ended = said.index(("subscribed", False))
    # The pushes buffered before the drop came in a batch before the subscription's end ...
    assert ("batch", True) in said[stuck:ended]
    # ... and none after it until the series was subscribed again.
    after_end = said[ended:]
    again = after_end.index(("subscribed", True)) if ("subscribed", True) in after_end else None
    assert all(kind != "batch" for kind, _ in after_end[:again])


def test_a_slow_ui_hears_of_the_end_before_the_next_sessions_pushes(
    qtbot, exchange: LocalExchange
) -> None:
    """The UI takes no batch from before a dropped connection until the next session has
    pushed (the worker on a thread of the test's, signals received there, as above). Then
    "no longer subscribed" must come after every push sent before the feed said it and
    before every push sent after (``pushed_ns``: the exchange's wall time at sending; the
    feed says "reconnecting" on its thread, with a direct connection, right after the end,
    before it connects again), and no candle may be lost."""
    worker = FeedWorker(exchange.base_url, [BTC], fast_feed_config())
    said: list[tuple[str, object]] = []
    held: dict[int, Candle] = {}
    lock = threading.Lock()
    taking = threading.Event()
    taking.set()
    untaken: list[int] = []
    #: Wall time (ns) when the feed said it reconnects, and when it was live again.
    reconnecting: list[int] = []
    live_again = threading.Event()

    def batch(updates: list[CandleUpdate]) -> None:
        with lock:
            said.append(("batch", updates))
            held.update({u.candle.time: u.candle for u in updates})
        if taking.is_set():
            worker.batch_taken()
        else:
            untaken.append(len(updates))

    def status(event: StatusEvent) -> None:
        if event.state is ConnectionState.RECONNECTING and not reconnecting:
            reconnecting.append(time.time_ns())
        elif event.state is ConnectionState.LIVE and reconnecting:
            live_again.set()

    direct = Qt.ConnectionType.DirectConnection
    worker.batchReady.connect(batch, direct)
    worker.subscriptionChanged.connect(lambda _s, _tf, on: said.append(("subscribed", on)), direct)
    worker.historyLoaded.connect(lambda *args: said.append(("history", args[3])), direct)
    worker.statusChanged.connect(status, direct)
    runner = threading.Thread(target=worker.run, name="test-worker")
    runner.start()
    try:
        qtbot.waitUntil(lambda: ("history", False) in said, timeout=WAIT_MS)
        taking.clear()  # the UI stops taking batches
        qtbot.waitUntil(lambda: bool(untaken), timeout=WAIT_MS)
        seen = worker.feed.metrics().messages
        qtbot.waitUntil(lambda: worker.feed.metrics().messages >= seen + 5, timeout=WAIT_MS)
        assert exchange.faults.drop_connections() == 1
        qtbot.waitUntil(live_again.is_set, timeout=WAIT_MS)
        seen = worker.feed.metrics().messages
        qtbot.waitUntil(lambda: worker.feed.metrics().messages >= seen + 5, timeout=WAIT_MS)
        assert ("subscribed", False) not in said
        taking.set()  # the UI takes what it left, and goes on
        for _ in untaken:
            worker.batch_taken()
        cut = candle_start("1min", exchange.now())
        qtbot.waitUntil(
            lambda: candle_start("1min", exchange.now()) >= cut + 2 * MINUTE, timeout=WAIT_MS
        )
        final = exchange.truth(*BTC, cut, cut)
        qtbot.waitUntil(lambda: [held.get(cut)] == final, timeout=WAIT_MS)
    finally:
        worker.stop()
        runner.join(5.0)
    assert not runner.is_alive()
    [end_ns] = reconnecting
    ended = said.index(("subscribed", False))
    pushed = [(at, u) for at, (kind, body) in enumerate(said) if kind == "batch" for u in body]
    before = [u for at, u in pushed if at < ended and u.pushed_ns]
    after = [u for at, u in pushed if at > ended and u.pushed_ns]
    assert before and after
    assert all(u.pushed_ns < end_ns for u in before)  # the session's pushes came first ...
    assert all(u.pushed_ns > end_ns for u in after)  # ... the next session's after the end
    # Nothing lost: every candle from the first held to the one closed after the reconnect.
    with lock:
        truth = exchange.truth(*BTC, min(held), cut)
        assert [held.get(c.time) for c in truth] == truth
