"""``UpdateBuffer(keep=...)`` and ``FeedConfig.keep_updates``: every update keeps an entry of
its own until ``keep`` are pending, and only beyond that do updates of one candle coalesce, so
a consumer that prints every change (headless) sees every change."""

from __future__ import annotations

import pytest

from kucandle_gui.feed import CandleUpdate, FeedClient
from kucandle_gui.feed.buffer import UpdateBuffer
from kucandle_gui.protocol import Candle
from kucandle_gui.sim import LocalExchange
from tests.helpers import EventRecorder, fast_feed_config
from tests.sim.simclient import wait_until

from .checks import BTC, is_history


def update(start: int, volume: float = 1.0) -> CandleUpdate:
    return CandleUpdate(*BTC, Candle(start, 10.0, 11.0, 9.0, 10.5, volume, volume * 10))


def test_below_keep_every_update_has_its_own_entry() -> None:
    buffer = UpdateBuffer(keep=3)
    buffer.put(update(60, 1))
    buffer.put(update(60, 2))
    buffer.put(update(120, 1))
    assert len(buffer) == 3 and buffer.coalesced == 0
    # Three pending: from here on updates of a pending candle coalesce into its newest entry.
    buffer.put(update(60, 3))
    buffer.put(update(180, 1))
    assert buffer.coalesced == 1
    assert buffer.drain() == [update(60, 1), update(60, 3), update(120, 1), update(180, 1)]


def test_keep_counts_what_is_pending_now() -> None:
    buffer = UpdateBuffer(keep=2)
    buffer.put_many([update(60, 1), update(60, 2), update(60, 3)])
    assert buffer.drain() == [update(60, 1), update(60, 3)]
    buffer.put(update(60, 4))  # taken meanwhile: below keep again
    buffer.put(update(60, 5))
    assert buffer.drain() == [update(60, 4), update(60, 5)]
    assert buffer.coalesced == 1


def test_coalescing_beyond_keep_still_respects_marks() -> None:
    buffer = UpdateBuffer(keep=1)
    buffer.put(update(60, 1))
    mark = buffer.mark()
    buffer.put(update(60, 2))  # after the mark: an entry of its own
    buffer.put(update(60, 3))  # coalesced with the entry after the mark
    assert buffer.drain(through=mark) == [update(60, 1)]
    assert buffer.drain() == [update(60, 3)]


def test_keep_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="keep"):
        UpdateBuffer(keep=-1)


def test_a_feed_that_keeps_updates_hands_over_every_change(exchange: LocalExchange) -> None:
    """The consumer takes nothing while many pushes of the open candle come: with
    ``keep_updates`` each is still there, in order, none coalesced."""
    events = EventRecorder()
    config = fast_feed_config(keep_updates=100_000)
    with FeedClient(exchange.base_url, [BTC], config=config, listener=events) as feed:
        events.wait_for(is_history)
        seen = feed.metrics().messages
        wait_until(lambda: feed.metrics().messages >= seen + 20, 10.0, "pushes")
        updates = feed.drain()
        coalesced = feed.metrics().coalesced
    assert coalesced == 0
    pushed = [u for u in updates if u.pushed_ns]
    starts = [u.candle.time for u in pushed]
    assert len(starts) > len(set(starts))  # several states of one candle, each kept
    assert [u.pushed_ns for u in pushed] == sorted(u.pushed_ns for u in pushed)
