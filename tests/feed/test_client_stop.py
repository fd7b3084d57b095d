"""Stopping the feed keeps what it was dispatching: a frame the recording holds reaches the
consumer too, so a recorded run prints every candle its replay does."""

from __future__ import annotations

import threading

from kucandle_gui.feed import FeedClient, FeedConfig
from kucandle_gui.feed.events import FeedEvent, HistoryEvent
from kucandle_gui.sim import LocalExchange

from .gates import TapLog


class PushGate(TapLog):
    """Once armed, holds the feed thread in the first candle push it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    def ws_received(self, connect_id: str, frame: str | bytes) -> None:
        if self.armed.is_set() and "/market/candles:" in str(frame) and not self.holding.is_set():
            self.holding.set()
            self.release.wait(10.0)


def test_a_push_being_dispatched_when_stop_is_asked_reaches_the_consumer(
    exchange: LocalExchange,
) -> None:
    gate = PushGate()
    loaded = threading.Event()

    def listen(event: FeedEvent) -> None:
        if isinstance(event, HistoryEvent) and event.complete:
            loaded.set()

    feed = FeedClient(
        exchange.base_url, [("BTC-USDT", "1min")], config=FeedConfig(tap=gate), listener=listen
    )
    feed.start()
    try:
        assert loaded.wait(10.0)
        feed.drain()
        gate.armed.set()
        assert gate.holding.wait(10.0)
        stopper = threading.Thread(target=feed.stop, kwargs={"timeout": 10.0})
        stopper.start()
        assert feed._stop.wait(5.0)  # the stop is asked while the push is being received
        gate.release.set()
        stopper.join(10.0)
        assert not stopper.is_alive()
    finally:
        gate.release.set()
        feed.stop()
    updates = feed.drain()
    assert [(u.symbol, u.timeframe) for u in updates][-1:] == [("BTC-USDT", "1min")]
