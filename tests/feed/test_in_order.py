"""Series events in the feed's order: ``InOrder`` on its own, and a consumer of a real feed
(local exchange) that takes events before draining, so that a backfill's candles are all
there when its ``HistoryEvent`` is; and ``HistoryEvent.complete``, which says whether an
earlier load of the series is still out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kucandle_gui.feed import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedClient,
    FeedEvent,
    HistoryEvent,
    InOrder,
    StatusEvent,
    SubscriptionEvent,
)
from kucandle_gui.protocol import TIMEFRAME_SECONDS, Candle, candle_start
from kucandle_gui.sim import LocalExchange
from tests.helpers import EventRecorder, fast_feed_config

from .checks import BTC, is_backfill

CANDLES = "/api/v1/market/candles"
MINUTE = TIMEFRAME_SECONDS["1min"]


def test_take_returns_what_was_held_oldest_first_once() -> None:
    in_order = InOrder()
    assert in_order.take() == []
    first = SubscriptionEvent(*BTC, True)
    second = HistoryEvent(*BTC, 60, 60, False)
    in_order.hold(first)
    in_order.hold(second)
    assert in_order.take() == [first, second]
    assert in_order.take() == []
    third = SubscriptionEvent(*BTC, False)
    in_order.hold(third)
    assert in_order.take() == [third]


def test_events_held_on_another_thread_are_each_taken_once_in_order() -> None:
    in_order = InOrder()
    held = [SubscriptionEvent(f"P{i}-USDT", "1min", i % 2 == 0) for i in range(5_000)]
    done = threading.Event()

    def feed() -> None:
        for event in held:
            in_order.hold(event)
        done.set()

    thread = threading.Thread(target=feed)
    thread.start()
    taken: list[FeedEvent] = []
    while not done.is_set():
        taken += in_order.take()
    thread.join()
    taken += in_order.take()
    assert taken == held


def test_history_event_defaults_to_complete() -> None:
    assert HistoryEvent(*BTC, 1, 1, True).complete


def test_the_feed_puts_a_loads_candles_before_it_says_so(exchange: LocalExchange) -> None:
    """What makes taking before draining sound: when the listener hears of a load, every
    candle the load changed is in the buffer already (drained right there, on the feed's
    thread, while nothing else takes from the buffer)."""
    said: list[tuple[HistoryEvent, set[int]]] = []
    heard = threading.Event()

    def listener(event: FeedEvent) -> None:
        if isinstance(event, HistoryEvent) and not heard.is_set():
            said.append((event, {u.candle.time for u in feed.drain()}))
            heard.set()

    feed = FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=listener)
    with feed:
        assert heard.wait(10.0)
    [(history, drained)] = said
    assert history.changed >= 50 and len(drained) >= history.changed


class OrderedConsumer:
    """What the worker does with a feed: each turn take the held events, then drain the
    candles, apply the candles, then deliver the events; remembers which candles (start
    time -> candle) were applied when each event was delivered."""

    def __init__(self, feed: FeedClient, in_order: InOrder) -> None:
        self.feed = feed
        self.in_order = in_order
        self.candles: dict[int, Candle] = {}
        self.delivered: list[tuple[FeedEvent, dict[int, Candle]]] = []

    def turn(self, timeout: float) -> None:
        first = self.feed.next(timeout)
        events = self.in_order.take()
        updates = self.feed.drain()
        if first is not None:
            updates.insert(0, first)
        for update in updates:
            assert (update.symbol, update.timeframe) == BTC
            self.candles[update.candle.time] = update.candle
        self.delivered += [(event, dict(self.candles)) for event in events]

    def until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        """Take turns until ``condition()`` holds; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            assert remaining > 0, "condition not reached in time"
            self.turn(min(remaining, 0.1))

    def got(self, predicate: Callable[[FeedEvent], bool]) -> bool:
        return any(predicate(event) for event, _ in self.delivered)


def test_every_backfilled_candle_is_taken_no_later_than_its_history_event(
    exchange: LocalExchange,
) -> None:
    in_order = InOrder()
    events = EventRecorder()

    def listener(event: FeedEvent) -> None:
        events(event)
        if isinstance(event, HistoryEvent | SubscriptionEvent):
            in_order.hold(event)

    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=listener) as feed:
        consumer = OrderedConsumer(feed, in_order)
        consumer.until(lambda: consumer.got(lambda e: isinstance(e, HistoryEvent)))
        # Some live candles, then an outage spanning a few whole candles.
        live_from = candle_start("1min", exchange.now()) + 2 * MINUTE
        consumer.until(lambda: max(consumer.candles) >= live_from)
        exchange.faults.outage(True)
        events.wait_for(
            lambda e: isinstance(e, StatusEvent) and e.state is ConnectionState.RECONNECTING
        )
        consumer.turn(0.0)  # the session is over: everything it pushed is in the buffer
        before = max(consumer.candles)
        consumer.until(lambda: candle_start("1min", exchange.now()) >= before + 4 * MINUTE)
        exchange.faults.outage(False)
        after = candle_start("1min", exchange.now())
        consumer.until(lambda: consumer.got(is_backfill))
    [(backfill, held)] = [(e, c) for e, c in consumer.delivered if is_backfill(e)]
    assert isinstance(backfill, HistoryEvent) and backfill.complete
    # The candles wholly inside the outage can only have come with the backfill: every one
    # of them was applied before its event was delivered.
    gap = exchange.truth(*BTC, before + MINUTE, after - MINUTE)
    assert len(gap) >= 3
    assert [held.get(c.time) for c in gap] == gap


def test_a_load_is_complete_only_when_no_earlier_one_is_still_out(
    exchange: LocalExchange,
) -> None:
    """The start-up load keeps failing while the connection is dropped and the series is
    subscribed again; the new session's backfill fails too. Once REST answers again, both
    loads come in: whichever is first is not complete, the second is."""
    exchange.faults.rest_server_error(CANDLES, count=1_000_000)
    events = EventRecorder()

    def is_failed(kind: ErrorKind) -> Callable[[FeedEvent], bool]:
        return lambda e: isinstance(e, ErrorEvent) and e.kind is kind and e.retrying

    def is_subscribed(event: FeedEvent) -> bool:
        return isinstance(event, SubscriptionEvent) and event.subscribed

    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        events.wait_for(is_failed(ErrorKind.HISTORY))
        # A push makes the series non-empty: the next session's load is a backfill.
        assert feed.next(timeout=10.0) is not None
        assert exchange.faults.drop_connections() == 1
        events.wait_count(is_subscribed, 2)
        events.wait_for(is_failed(ErrorKind.BACKFILL))
        assert events.count(lambda e: isinstance(e, HistoryEvent)) == 0
        exchange.faults.clear()
        events.wait_count(lambda e: isinstance(e, HistoryEvent), 2)
    loaded = [e for e in events.events if isinstance(e, HistoryEvent)]
    assert [e.complete for e in loaded] == [False, True]
    assert {e.backfill for e in loaded} == {False, True}
