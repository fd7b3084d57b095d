"""Series events in the feed's order: ``InOrder`` on its own and over an ``UpdateBuffer``, and
a consumer of a real feed (local exchange) taking turns, so that a backfill's candles are all
there when its ``HistoryEvent`` is, and a subscription's end comes after the pushes of the
session it ends and before those of the next; and ``HistoryEvent.complete``, which says
whether an earlier load of the series is still out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kucandle_gui.feed import (
    CandleUpdate,
    ConnectionState,
    Delivery,
    ErrorEvent,
    ErrorKind,
    FeedClient,
    FeedEvent,
    HistoryEvent,
    InOrder,
    StatusEvent,
    SubscriptionEvent,
)
from kucandle_gui.feed.buffer import UpdateBuffer
from kucandle_gui.protocol import TIMEFRAME_SECONDS, Candle, candle_start
from kucandle_gui.sim import LocalExchange
from tests.helpers import EventRecorder, fast_feed_config
from tests.sim.simclient import wait_until

from .checks import BTC, is_backfill

CANDLES = "/api/v1/market/candles"
MINUTE = TIMEFRAME_SECONDS["1min"]


def test_turns_on_another_thread_than_the_feeds_deliver_its_exact_order() -> None:
    """The feed thread puts candles (each a new one, some updated again under the same lock)
    and holds an event after every few; the consumer takes turns meanwhile. What it gets, laid
    end to end, is what the feed produced, coalesced updates aside."""
    buffer, in_order = UpdateBuffer(), InOrder()
    produced: list[CandleUpdate | FeedEvent] = []
    done = threading.Event()

    def feed() -> None:
        for i in range(6_000):
            if i % 3:
                buffer.put(update(i * 60))
                produced.append(update(i * 60))
            else:  # the second replaces the first: no mark can come between them
                buffer.put_many([update(i * 60), update(i * 60, volume=2)])
                produced.append(update(i * 60, volume=2))
            if i % 7 == 6:
                event = SubscriptionEvent(*BTC, i % 2 == 0)
                in_order.hold(event, buffer.mark())
                produced.append(event)
        done.set()

    thread = threading.Thread(target=feed)
    thread.start()
    delivered: list[CandleUpdate | FeedEvent] = []
    while not done.is_set() or len(buffer):
        for candles, event in in_order.turn(buffer):
            delivered += candles
            delivered += [] if event is None else [event]
    thread.join()
    delivered += [d for candles, event in in_order.turn(buffer) for d in (*candles, event) if d]
    assert delivered == produced


def update(start: int, volume: float = 1.0) -> CandleUpdate:
    return CandleUpdate(*BTC, Candle(start, 10.0, 11.0, 9.0, 10.5, volume, volume * 10))


def test_a_turn_puts_each_event_between_the_candles_before_and_after_it() -> None:
    buffer, in_order = UpdateBuffer(), InOrder()
    ended, started = SubscriptionEvent(*BTC, False), SubscriptionEvent(*BTC, True)
    buffer.put_many([update(60), update(120)])
    in_order.hold(ended, buffer.mark())
    in_order.hold(started, buffer.mark())  # nothing in between
    buffer.put(update(120, volume=2))  # the same candle, pushed again after the reconnect
    buffer.put(update(180))
    assert in_order.turn(buffer) == [
        Delivery([update(60), update(120)], ended),
        Delivery([], started),
        Delivery([update(120, volume=2), update(180)], None),
    ]
    assert in_order.turn(buffer) == []
    buffer.put(update(240))
    assert in_order.turn(buffer) == [Delivery([update(240)], None)]


class FeedMeanwhile:
    """An ``UpdateBuffer`` seen by a turn while the feed thread goes on: ``on_mark`` runs just
    after the turn read its mark, ``on_drain`` just before its first drain."""

    def __init__(
        self, buffer: UpdateBuffer, on_mark: Callable[[], None], on_drain: Callable[[], None]
    ) -> None:
        self.buffer = buffer
        self._on_mark, self._on_drain = on_mark, on_drain

    def mark(self) -> int:
        mark = self.buffer.mark()
        self._on_mark()
        return mark

    def drain(self, limit: int | None = None, through: int | None = None) -> list[CandleUpdate]:
        self._on_drain()
        self._on_drain = lambda: None
        return self.buffer.drain(limit, through)


def test_candles_and_events_of_the_feed_during_a_turn_keep_their_order() -> None:
    """Between the turn's mark and its take the feed puts a candle and holds an event (taken
    now, with its candle); between the take and the drain it puts another and holds a second
    event (not taken): that candle waits for the next turn, before its event."""
    buffer, in_order = UpdateBuffer(), InOrder()
    first, second = HistoryEvent(*BTC, 1, 1, True), SubscriptionEvent(*BTC, False)

    def feed_puts(start: int, event: FeedEvent) -> Callable[[], None]:
        def put_and_hold() -> None:
            buffer.put(update(start))
            in_order.hold(event, buffer.mark())

        return put_and_hold

    buffer.put(update(60))
    source = FeedMeanwhile(buffer, feed_puts(120, first), feed_puts(180, second))
    assert in_order.turn(source) == [Delivery([update(60), update(120)], first)]
    assert in_order.turn(buffer) == [Delivery([update(180)], second)]


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
    """What the worker does with a feed: each turn wait for candles (at most ``timeout``),
    then apply the turn's candles and deliver its events in the order it gives; remembers
    which candles (start time -> candle) were applied when each event was delivered, and
    everything in the order delivered."""

    def __init__(self, feed: FeedClient, in_order: InOrder) -> None:
        self.feed = feed
        self.in_order = in_order
        self.candles: dict[int, Candle] = {}
        self.delivered: list[tuple[FeedEvent, dict[int, Candle]]] = []
        self.sequence: list[CandleUpdate | FeedEvent] = []

    def turn(self, timeout: float) -> None:
        self.feed.wait_for_updates(timeout)
        for updates, event in self.in_order.turn(self.feed):
            for update in updates:
                assert (update.symbol, update.timeframe) == BTC
                self.candles[update.candle.time] = update.candle
            self.sequence += updates
            if event is not None:
                self.delivered.append((event, dict(self.candles)))
                self.sequence.append(event)

    def until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        """Take turns until ``condition()`` holds; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            assert remaining > 0, "condition not reached in time"
            self.turn(min(remaining, 0.1))

    def got(self, predicate: Callable[[FeedEvent], bool]) -> bool:
        return any(predicate(event) for event, _ in self.delivered)


def inside(exchange: LocalExchange, before: int) -> list[Candle]:
    """The candles after ``before``'s that have ended, as the exchange has them now."""
    return exchange.truth(*BTC, before + MINUTE, candle_start("1min", exchange.now()) - MINUTE)


def test_every_backfilled_candle_is_taken_no_later_than_its_history_event(
    exchange: LocalExchange,
) -> None:
    in_order = InOrder()
    events = EventRecorder()

    def listener(event: FeedEvent) -> None:
        events(event)
        if isinstance(event, HistoryEvent | SubscriptionEvent):
            in_order.hold(event, feed.mark())

    feed = FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=listener)
    with feed:
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
        # Until three candles lie wholly inside the outage (a minute may have no trade).
        consumer.until(lambda: len(inside(exchange, before)) >= 3)
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


def test_a_slow_consumer_hears_of_the_end_after_its_pushes_and_before_the_next_sessions(
    exchange: LocalExchange,
) -> None:
    """The consumer takes no turn from before a dropped connection until the next session
    has pushed: its first turn then has the last session's pushes, the subscription's end,
    the next subscription and the next session's pushes in the buffer and in ``InOrder``.
    The end must come after every push made before it and before every push made after it
    (a push's ``pushed_ns`` is the exchange's wall time when it was sent, the end's is read
    on the feed thread when the feed says it: a push of the next session is sent after the
    feed subscribed again, which is after it said the last session's subscription ended)."""
    in_order = InOrder()
    events = EventRecorder()
    ended_ns: list[int] = []

    def listener(event: FeedEvent) -> None:
        if isinstance(event, SubscriptionEvent) and not event.subscribed:
            ended_ns.append(time.time_ns())
        if isinstance(event, HistoryEvent | SubscriptionEvent):
            in_order.hold(event, feed.mark())
        events(event)

    feed = FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=listener)
    with feed:
        consumer = OrderedConsumer(feed, in_order)
        consumer.until(lambda: consumer.got(lambda e: isinstance(e, HistoryEvent)))
        # From here on the consumer is slow: the feed runs on without it.
        seen = feed.metrics().messages
        wait_until(lambda: feed.metrics().messages >= seen + 5, 10.0, "pushes")
        assert exchange.faults.drop_connections() == 1
        events.wait_count(lambda e: isinstance(e, SubscriptionEvent) and e.subscribed, 2)
        seen = feed.metrics().messages
        wait_until(lambda: feed.metrics().messages >= seen + 5, 10.0, "pushes")
        # Now it takes its turns again, until it holds a candle closed after the reconnect.
        cut = candle_start("1min", exchange.now())
        consumer.until(lambda: candle_start("1min", exchange.now()) >= cut + 2 * MINUTE)
        consumer.until(lambda: consumer.candles.get(cut) == exchange.truth(*BTC, cut, cut)[0])
    [end_ns] = ended_ns
    sequence = consumer.sequence
    ended = sequence.index(SubscriptionEvent(*BTC, False))
    before = [u for u in sequence[:ended] if isinstance(u, CandleUpdate) and u.pushed_ns]
    after = [u for u in sequence[ended:] if isinstance(u, CandleUpdate) and u.pushed_ns]
    assert before and after
    assert all(u.pushed_ns < end_ns for u in before)
    assert all(u.pushed_ns > end_ns for u in after)
    # Nothing lost: every candle from the first to the one closed after the reconnect.
    truth = exchange.truth(*BTC, min(consumer.candles), cut)
    assert [consumer.candles.get(c.time) for c in truth] == truth


def test_a_load_is_complete_only_when_no_earlier_one_is_still_out(
    exchange: LocalExchange,
) -> None:
    """The start-up load keeps failing while the connection is dropped and the series is
    subscribed again; the new session's load fails too. Once REST answers again, both loads
    come in: whichever is first is not complete, the second is. The pushes meanwhile wait for
    the history, so the series is still empty when the second load starts: it too loads the
    start-up window, not a backfill."""
    exchange.faults.rest_server_error(CANDLES, count=1_000_000)
    events = EventRecorder()

    def is_failed(kind: ErrorKind) -> Callable[[FeedEvent], bool]:
        return lambda e: isinstance(e, ErrorEvent) and e.kind is kind and e.retrying

    def is_subscribed(event: FeedEvent) -> bool:
        return isinstance(event, SubscriptionEvent) and event.subscribed

    with FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=events) as feed:
        events.wait_for(is_failed(ErrorKind.HISTORY))
        seen = feed.metrics().messages
        wait_until(lambda: feed.metrics().messages > seen, 10.0, "a push")
        assert feed.next(timeout=0.0) is None  # held for the history
        assert exchange.faults.drop_connections() == 1
        # Subscribed again: the feed thread submits the second load right after saying so,
        # before it can merge either.
        events.wait_count(is_subscribed, 2)
        assert events.count(lambda e: isinstance(e, HistoryEvent)) == 0
        exchange.faults.clear()
        events.wait_count(lambda e: isinstance(e, HistoryEvent), 2)
    loaded = [e for e in events.events if isinstance(e, HistoryEvent)]
    assert [e.complete for e in loaded] == [False, True]
    assert [e.backfill for e in loaded] == [False, False]
