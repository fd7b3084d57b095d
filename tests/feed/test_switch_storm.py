"""A burst of pair switches, as a user holding an arrow key makes them, through FeedClient
against the local exchange with a fast clock.

However the burst's requests cross on the wire (acks of subscribes that a later unsubscribe
overtook, a pair chosen again while its unsubscribe waits for the uplink), the pair chosen
last must end up subscribed, with every candle equal to the exchange's truth and its live
pushes flowing, and the others unsubscribed on the exchange too. The model's side of the same
burst is in ``tests/worker/test_link.py``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest

from kucandle_gui.feed import FeedClient, HistoryEvent, SubscriptionEvent
from kucandle_gui.protocol import candle_topic
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config

from .checks import (
    SWITCHES,
    SeriesKey,
    assert_series_unique_and_sorted,
    burst,
    catch_up_and_compare,
    pump_for_candles,
)


def history_of_last_subscription_in(events: EventRecorder, key: SeriesKey) -> bool:
    """Whether ``key`` is subscribed, as the feed last said, and the history its last
    subscription loads is in: a history event after that subscription's (the loads of the
    subscriptions before it were thrown away with them)."""
    told = [
        e
        for e in list(events.events)
        if isinstance(e, SubscriptionEvent | HistoryEvent) and (e.symbol, e.timeframe) == key
    ]
    subscriptions = [i for i, e in enumerate(told) if isinstance(e, SubscriptionEvent)]
    if not subscriptions:
        return False
    last = subscriptions[-1]
    said = told[last]
    assert isinstance(said, SubscriptionEvent)
    return said.subscribed and any(isinstance(e, HistoryEvent) for e in told[last:])


def last_subscription_events(events: EventRecorder) -> dict[SeriesKey, bool]:
    """Each series' subscribed state as the feed last told it."""
    return {
        (e.symbol, e.timeframe): e.subscribed
        for e in events.events
        if isinstance(e, SubscriptionEvent)
    }


@pytest.mark.parametrize("paced", [False, True], ids=["back-to-back", "paced"])
def test_a_burst_of_200_switches_ends_on_the_exchanges_truth(
    exchange: LocalExchange, paced: bool
) -> None:
    rng = random.Random(9)
    shown = burst(seed=9)
    first, final = shown[0], shown[-1]
    events = EventRecorder()
    with FeedClient(exchange.base_url, [first], config=fast_feed_config(), listener=events) as feed:
        consumer = Consumer(feed)
        events.wait_for(lambda e: isinstance(e, SubscriptionEvent) and e.subscribed)
        # Paced, requests go out and acks come back between the switches (and pile up for
        # the uplink, which takes about seven requests a second); back to back, most of the
        # burst is merged before anything is sent.
        pause: Callable[[], None] = (
            (lambda: consumer.pump_for(rng.uniform(0.0, 0.03))) if paced else (lambda: None)
        )
        for old, new in itertools.pairwise(shown):
            feed.subscribe(*new)  # the new pair first, as the model holds it before releasing
            feed.unsubscribe(*old)
            pause()
        # Its history comes once the exchange serves it (its pushes may come first); then
        # every candle held of it is the exchange's, none missing, and pushes flow.
        consumer.pump_until(lambda: history_of_last_subscription_in(events, final))
        for update in feed.drain():  # the history's candles, queued before its event
            consumer.apply(update)
        catch_up_and_compare(exchange, consumer, *final)
        consumer.pump_until(
            lambda: exchange.stats().subscriptions == (frozenset({candle_topic(*final)}),)
        )
        after_burst = len(consumer.log)
        pump_for_candles(exchange, consumer, *final, 2)
        assert set(consumer.log[after_burst:]) == {final}, "candles of a pair switched away from"
        compared = catch_up_and_compare(exchange, consumer, *final)
        stats = exchange.stats()
    assert compared >= 50
    assert_series_unique_and_sorted(feed, *final)
    states = last_subscription_events(events)
    assert states.pop(final) is True
    assert set(states.values()) == {False}, "a series said subscribed after it was dropped"
    assert stats.connects == 1 and stats.uplink_violations == 0
    # Merged: far fewer requests than the 400 wishes of the burst.
    assert stats.subscribe_requests + stats.unsubscribe_requests < 2 * SWITCHES
