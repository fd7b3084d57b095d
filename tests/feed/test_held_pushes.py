"""Pushes wait for their series' history: held while a load is out, coalesced per candle,
applied after the merged history and its ``HistoryEvent``, discarded with a dropped series;
and what comes out does not depend on whether the REST answer or the pushes came first.

Real parts: ``HeldPushes`` on its own; ``SeriesHistory`` with a real ``CandleSeries`` whose
history comes from the local exchange with its clock standing still (every load gets the same
answer), through a REST client that holds a received answer until the test lets it go, the
test thread in the feed thread's place; and the whole feed against the local exchange, its
REST failing on purpose while pushes flow.
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from kucandle_gui.feed import (
    CandleUpdate,
    Delivery,
    ErrorEvent,
    ErrorKind,
    FeedClient,
    FeedConfig,
    FeedEvent,
    HistoryEvent,
    InOrder,
    SubscriptionEvent,
)
from kucandle_gui.feed.buffer import UpdateBuffer
from kucandle_gui.feed.held import HeldPushes
from kucandle_gui.feed.metrics import MetricsRecorder
from kucandle_gui.feed.rest import RestClient
from kucandle_gui.feed.series_history import SeriesHistory
from kucandle_gui.feed.subscriptions import Subscription, Subscriptions
from kucandle_gui.protocol import (
    REST_INVALID_PARAMETER,
    TIMEFRAME_SECONDS,
    Candle,
    candle_start,
)
from kucandle_gui.sim import LocalExchange
from tests.helpers import EventRecorder, fast_feed_config, fast_sim_config
from tests.sim.simclient import START, wait_until

from .checks import BTC
from .gates import HeldRestClient

CANDLES = "/api/v1/market/candles"
MINUTE = TIMEFRAME_SECONDS["1min"]


def later(candle: Candle, volume: float = 1.0, close: float | None = None) -> Candle:
    """A later state of ``candle``: ``volume`` more traded, at ``close``."""
    price = candle.close if close is None else close
    return replace(
        candle,
        high=max(candle.high, price),
        low=min(candle.low, price),
        close=price,
        volume=candle.volume + volume,
        turnover=candle.turnover + volume * price,
    )


def fresh(start: int, volume: float, price: float = 100.0) -> Candle:
    return Candle(start, price, price, price, price, volume, volume * price)


# -- HeldPushes on its own ----------------------------------------------------------------------


def test_held_pushes_coalesce_per_candle_by_the_rule_in_first_arrival_order() -> None:
    held = HeldPushes()
    held.hold(fresh(120, 1.0), 1)
    held.hold(fresh(60, 1.0), 2)
    held.hold(fresh(120, 3.0), 3)
    held.hold(fresh(120, 2.0), 4)  # an older state than the one held: not taken
    held.hold(fresh(60, 1.0, price=101.0), 5)  # same volume: the later write wins
    assert len(held) == 2
    assert held.release() == [(fresh(120, 3.0), 3), (fresh(60, 1.0, price=101.0), 5)]
    assert len(held) == 0 and held.release() == []


def test_held_pushes_keep_their_own_entries_up_to_keep() -> None:
    held = HeldPushes(keep=3)
    for ns, volume in enumerate((1.0, 2.0, 3.0, 4.0), start=1):
        held.hold(fresh(60, volume), ns)
    held.hold(fresh(120, 1.0), 5)  # a new candle still gets an entry of its own
    held.hold(fresh(60, 5.0), 6)  # merged into its candle's newest entry, in place
    assert held.release() == [
        (fresh(60, 1.0), 1),
        (fresh(60, 2.0), 2),
        (fresh(60, 5.0), 6),
        (fresh(120, 1.0), 5),
    ]


def test_held_pushes_hold_no_more_candles_than_the_series_keeps() -> None:
    held = HeldPushes(max_starts=2)
    for start in (60, 120, 180):
        held.hold(fresh(start, 1.0), start)
    held.hold(fresh(60, 2.0), 1)  # a candle held already still takes its newer state
    assert held.refused == 1
    assert held.release() == [(fresh(60, 2.0), 1), (fresh(120, 1.0), 120)]


# -- SeriesHistory: the feed thread's part, with real REST ------------------------------------


class FeedSide:
    """A series, its history loads and a consumer of what they produce, the test thread in
    the feed thread's place (it runs what the history thread posts)."""

    def __init__(self, exchange: LocalExchange, keep: int = 0, retry: float = 0.01) -> None:
        self.rest = HeldRestClient(exchange.base_url)
        self.buffer = UpdateBuffer(keep)
        self.subscriptions = Subscriptions(max_candles=1_000, keep_pushes=keep)
        self.in_order = InOrder()
        self.events: list[FeedEvent] = []
        self._posted: queue.Queue[Callable[[], None]] = queue.Queue()
        config = FeedConfig(history_candles=30, reconnect_base=retry, reconnect_cap=retry * 5)
        self.history = SeriesHistory(
            lambda on_bad_rows: self.rest,
            self._posted.put,
            config,
            self.buffer,
            self._emit,
            MetricsRecorder(),
            self.subscriptions.drop,
        )
        self.subscription = self.subscriptions.add(BTC)
        assert self.subscription is not None

    def _emit(self, event: FeedEvent) -> None:
        self.events.append(event)
        if isinstance(event, HistoryEvent):
            self.in_order.hold(event, self.buffer.mark())

    def start_load(self) -> None:
        """Start a load of the series' history and wait until its answer is in (held)."""
        self.rest.answered.clear()
        self.rest.release.clear()
        self.history.load(BTC, self.subscription)
        assert self.rest.answered.wait(10.0)

    def finish_load(self) -> None:
        """Let the answer go and merge it, as the feed thread does."""
        self.rest.release.set()
        self.posted()()

    def posted(self) -> Callable[[], None]:
        """The next outcome the history thread posted, for the test to run."""
        return self._posted.get(timeout=10.0)

    def push(self, *candles: Candle) -> None:
        for ns, candle in enumerate(candles, start=1):
            self.history.push(BTC, self.subscription, candle, ns)

    def turn(self) -> list[Delivery]:
        return self.in_order.turn(self.buffer)

    def close(self) -> None:
        self.rest.cancel.set()
        self.rest.release.set()
        self.history.stop(5.0)
        self.rest.close()


@pytest.fixture
def still_exchange() -> Iterator[LocalExchange]:
    """The local exchange with its clock standing still: the same history for every load."""
    with LocalExchange(fast_sim_config(start_time=START, clock_speed=0.0)) as exchange:
        yield exchange


@pytest.fixture
def make_side(still_exchange: LocalExchange) -> Iterator[Callable[..., FeedSide]]:
    made: list[FeedSide] = []

    def make(keep: int = 0, retry: float = 0.01) -> FeedSide:
        side = FeedSide(still_exchange, keep, retry)
        side.history.start()
        made.append(side)
        return side

    yield make
    for side in made:
        side.close()


def last_candle(exchange: LocalExchange) -> Candle:
    """The newest candle a load of the standing exchange brings."""
    rest = RestClient(exchange.base_url)
    try:
        now = rest.server_time()
        return rest.recent_candles(*BTC, 30, now)[-1]
    finally:
        rest.close()


def pushed(candle: Candle, ns: int) -> CandleUpdate:
    return CandleUpdate(*BTC, candle, ns)


def test_pushes_during_the_start_up_load_come_after_its_history_once_per_candle(
    still_exchange: LocalExchange, make_side: Callable[..., FeedSide]
) -> None:
    last = last_candle(still_exchange)
    first, second, third = later(last), fresh(last.time + MINUTE, 1.0), later(last, 2.0)
    side = make_side()
    side.start_load()
    side.push(first, second, third)
    assert side.turn() == []  # held: nothing reached the consumer
    side.finish_load()
    [(history, loaded), (live, end)] = side.turn()
    assert isinstance(loaded, HistoryEvent) and loaded.complete and not loaded.backfill
    assert len(history) == loaded.changed > 0 and history[-1].candle == last
    assert all(u.pushed_ns == 0 for u in history)
    # The two states of the last candle come out once, its newest, in its place of arrival.
    assert (live, end) == ([pushed(third, 3), pushed(second, 2)], None)
    assert side.subscription.series.last() == second


def test_pushes_during_a_backfill_come_after_it(
    still_exchange: LocalExchange, make_side: Callable[..., FeedSide]
) -> None:
    last = last_candle(still_exchange)
    side = make_side()
    side.start_load()
    side.finish_load()
    side.turn()
    live = later(last)
    side.push(live)
    assert side.turn() == [Delivery([pushed(live, 1)], None)]  # no load out: applied at once
    # Subscribed again (a reconnect): the backfill from the last candle seen.
    side.start_load()
    gap, newer = fresh(last.time + MINUTE, 1.0), later(live, 3.0)
    side.push(gap, newer)
    assert side.turn() == []
    side.finish_load()
    [(history, backfill), (pushes, end)] = side.turn()
    assert isinstance(backfill, HistoryEvent) and backfill.backfill and backfill.complete
    assert history == []  # the standing exchange has nothing newer than the pushes had
    assert (pushes, end) == ([pushed(gap, 1), pushed(newer, 2)], None)


def test_pushes_wait_for_the_last_load_out(
    still_exchange: LocalExchange, make_side: Callable[..., FeedSide]
) -> None:
    """Two loads out (one of an earlier session still retrying): the pushes come out after
    the second, complete one, not between the two."""
    last = last_candle(still_exchange)
    side = make_side()
    side.start_load()
    side.push(later(last))
    side.subscription.loads += 1  # another load out, as an earlier session's retrying one
    side.finish_load()
    [(_, first)] = side.turn()
    assert isinstance(first, HistoryEvent) and not first.complete
    assert len(side.subscription.held) == 1
    side.subscription.loads -= 1
    side.start_load()
    side.finish_load()
    [(_, second), (pushes, _)] = side.turn()
    assert isinstance(second, HistoryEvent) and second.complete
    assert pushes == [pushed(later(last), 1)]


def test_a_load_waiting_for_its_retry_is_tried_at_once_when_another_load_worked(
    still_exchange: LocalExchange, make_side: Callable[..., FeedSide]
) -> None:
    """An earlier session's load failed and waits a minute for its retry; the next session's
    load works: REST is back, so the series completes (and its pushes come) at once."""
    last = last_candle(still_exchange)
    side = make_side(retry=60.0)
    still_exchange.faults.rest_server_error(CANDLES, count=1)
    side.history.load(BTC, side.subscription)
    side.posted()()  # its failure: retrying in a minute or so
    side.push(later(last))
    side.start_load()
    side.finish_load()
    [(_, first)] = side.turn()
    assert isinstance(first, HistoryEvent) and not first.complete
    side.posted()()  # the first load's retry, due at once
    [(_, second), (pushes, _)] = side.turn()
    assert isinstance(second, HistoryEvent) and second.complete
    assert pushes == [pushed(later(last), 1)]


def test_a_dropped_series_discards_its_held_pushes(
    still_exchange: LocalExchange, make_side: Callable[..., FeedSide]
) -> None:
    last = last_candle(still_exchange)
    side = make_side()
    side.start_load()
    side.push(later(last), fresh(last.time + MINUTE, 1.0))
    dropped = side.subscriptions.drop(BTC)
    assert dropped is side.subscription and len(dropped.held) == 0
    side.rest.release.set()
    assert side.history.wait_idle(10.0)  # the answer came, and nothing was posted for it
    assert side.turn() == [] and side.events == []
    # Wanted again, the series starts afresh: no push of the dropped one comes back.
    again = side.subscriptions.add(BTC)
    assert isinstance(again, Subscription) and len(again.held) == 0


@pytest.mark.parametrize(
    ("status", "code"), [(500, "500000"), (200, REST_INVALID_PARAMETER)], ids=["retried", "refused"]
)
def test_a_failed_load_of_a_series_dropped_meanwhile_is_not_told(
    still_exchange: LocalExchange, make_side: Callable[..., FeedSide], status: int, code: str
) -> None:
    """Its owner switched away: no "history failed" nor "refused" for a series not shown."""
    side = make_side()
    body = json.dumps({"code": code, "msg": "no"})
    still_exchange.faults.rest_fail(CANDLES, 1, status, body)
    side.history.load(BTC, side.subscription)
    failure = side.posted()
    assert side.subscriptions.drop(BTC) is side.subscription
    failure()
    assert side.events == [] and side.subscriptions.get(BTC) is None


@pytest.mark.parametrize("keep", [0, 1_000])
def test_what_comes_out_does_not_depend_on_whether_rest_or_the_pushes_came_first(
    still_exchange: LocalExchange, make_side: Callable[..., FeedSide], keep: int
) -> None:
    last = last_candle(still_exchange)
    nxt = last.time + MINUTE
    stream = [
        later(last),
        fresh(nxt, 1.0),
        later(last, 0.5),  # older than the first push: changes nothing
        fresh(nxt, 2.0),
        later(last, 3.0, close=last.close + 1),
        fresh(nxt + MINUTE, 1.0),
    ]

    def rest_first() -> list[Delivery]:
        side = make_side(keep)
        side.start_load()
        side.finish_load()
        side.push(*stream)
        return side.turn()

    def pushes_first() -> list[Delivery]:
        side = make_side(keep)
        side.start_load()
        side.push(*stream)
        side.finish_load()
        return side.turn()

    before, after = rest_first(), pushes_first()
    assert before == after
    live = [u for candles, _ in after for u in candles if u.pushed_ns]
    assert len(live) == (3 if keep == 0 else 5)


# -- the whole feed ---------------------------------------------------------------------------


class Sequence:
    """A consumer of a feed taking turns through ``InOrder`` (as the worker does), keeping
    everything in the order delivered and the latest state of each candle."""

    def __init__(self, feed: FeedClient, in_order: InOrder) -> None:
        self.feed = feed
        self.in_order = in_order
        self.delivered: list[CandleUpdate | FeedEvent] = []
        self.candles: dict[int, Candle] = {}

    def until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            assert remaining > 0, "condition not reached in time"
            self.feed.wait_for_updates(min(remaining, 0.1))
            for updates, event in self.in_order.turn(self.feed):
                self.delivered += updates
                self.candles.update((u.candle.time, u.candle) for u in updates)
                self.delivered += [] if event is None else [event]

    def index(self, predicate: Callable[[object], bool], nth: int = 1) -> int:
        found = [i for i, item in enumerate(self.delivered) if predicate(item)]
        return found[nth - 1] if len(found) >= nth else -1


def ordered_feed(exchange: LocalExchange, events: EventRecorder) -> tuple[FeedClient, Sequence]:
    in_order = InOrder()

    def listener(event: FeedEvent) -> None:
        events(event)
        if isinstance(event, HistoryEvent | SubscriptionEvent):
            in_order.hold(event, feed.mark())

    feed = FeedClient(exchange.base_url, [BTC], config=fast_feed_config(), listener=listener)
    return feed, Sequence(feed, in_order)


def failing(kind: ErrorKind) -> Callable[[FeedEvent], bool]:
    return lambda e: isinstance(e, ErrorEvent) and e.kind is kind and e.retrying


def is_push(item: object) -> bool:
    return isinstance(item, CandleUpdate) and item.pushed_ns > 0


def pushes_meanwhile(feed: FeedClient, count: int = 5) -> None:
    seen = feed.metrics().messages
    wait_until(lambda: feed.metrics().messages >= seen + count, 10.0, "pushes")


def until_truth(exchange: LocalExchange, consumer: Sequence) -> None:
    """Until the consumer holds the candle closed after now as the exchange has it; then
    every candle from its first on is the exchange's (nothing lost, nothing left over)."""
    cut = candle_start("1min", exchange.now())
    consumer.until(lambda: candle_start("1min", exchange.now()) >= cut + 2 * MINUTE)
    consumer.until(lambda: consumer.candles.get(cut) == exchange.truth(*BTC, cut, cut)[0])
    truth = exchange.truth(*BTC, min(consumer.candles), cut)
    assert [consumer.candles.get(c.time) for c in truth] == truth


def test_a_feed_holds_the_pushes_of_its_start_up_load_until_it_is_merged(
    exchange: LocalExchange,
) -> None:
    exchange.faults.rest_server_error(CANDLES, count=1_000_000)
    events = EventRecorder()
    feed, consumer = ordered_feed(exchange, events)
    with feed:
        events.wait_for(failing(ErrorKind.HISTORY))
        pushes_meanwhile(feed)
        assert not feed.wait_for_updates(0.0)  # pushes came, none reached the consumer
        exchange.faults.clear()
        until_truth(exchange, consumer)
    loaded = consumer.index(lambda e: isinstance(e, HistoryEvent))
    assert loaded > 0
    assert not any(is_push(u) for u in consumer.delivered[:loaded])
    assert any(is_push(u) for u in consumer.delivered[loaded:])


def test_a_feed_holds_the_pushes_of_a_backfill_until_it_is_merged(
    exchange: LocalExchange,
) -> None:
    events = EventRecorder()
    feed, consumer = ordered_feed(exchange, events)

    def subscribed(item: object) -> bool:
        return isinstance(item, SubscriptionEvent) and item.subscribed

    with feed:
        consumer.until(lambda: consumer.index(lambda e: isinstance(e, HistoryEvent)) >= 0)
        consumer.until(lambda: consumer.index(is_push) >= 0)
        exchange.faults.rest_server_error(CANDLES, count=1_000_000)
        assert exchange.faults.drop_connections() == 1
        events.wait_for(failing(ErrorKind.BACKFILL))
        pushes_meanwhile(feed)
        exchange.faults.clear()
        until_truth(exchange, consumer)
    again = consumer.index(subscribed, 2)
    backfill = consumer.index(lambda e: isinstance(e, HistoryEvent) and e.backfill)
    assert 0 < again < backfill
    assert not any(is_push(u) for u in consumer.delivered[again:backfill])
    assert any(is_push(u) for u in consumer.delivered[backfill:])
