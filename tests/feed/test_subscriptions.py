"""Subscriptions on a real session with the local exchange, the test in the feed loop's place:
it decides when wishes are made and when answers are handed over, so each rule is seen
alone. Only the last wish counts; only the answer to the latest request counts."""

from __future__ import annotations

import time

import pytest

from kucandle_gui.feed.connection import WsSession
from kucandle_gui.feed.subscriptions import Subscriptions
from kucandle_gui.protocol import Ack, ErrorMessage, ServerMessage, candle_topic
from kucandle_gui.sim import LocalExchange

BTC = ("BTC-USDT", "1min")
ETH = ("ETH-USDT", "1min")
SOL = ("SOL-USDT", "1min")
NOPE = ("NOPE-USDT", "1min")


@pytest.fixture
def subs() -> Subscriptions:
    subscriptions = Subscriptions(1000)
    subscriptions.resubscribe()  # a session is live: wishes become requests
    return subscriptions


class FeedLoop:
    """The feed loop's part, by hand: hand wishes to the session and read what comes back,
    keeping the answers for the test to hand over when it chooses."""

    #: Unsubscribed after the requests under test: answered after them, as the exchange
    #: answers in order, it shows that they have all been seen.
    BARRIER = ("DOGE-USDT", "1week")

    def __init__(self, exchange: LocalExchange, session: WsSession, subs: Subscriptions) -> None:
        self.exchange = exchange
        self.session = session
        self.subs = subs
        self.barriers = 0

    def settle(self) -> list[ServerMessage]:
        """Send every waiting wish, then wait until the exchange has answered them all; returns
        their answers (acks and errors), oldest first."""
        read: list[ServerMessage] = []
        deadline = time.monotonic() + 10.0
        while True:
            assert time.monotonic() < deadline, f"wishes not all sent within 10 s: {read}"
            self.subs.flush(self.session)
            if self.session.request_room():
                break  # flush stopped with room left: nothing waits any more
            self._step(read)
        barrier = self.session.request("unsubscribe", candle_topic(*self.BARRIER))
        self.barriers += 1
        while not any(getattr(m, "id", None) == barrier for m in read):
            assert time.monotonic() < deadline, f"no answer to the barrier within 10 s: {read}"
            self._step(read)
        return [m for m in read if isinstance(m, Ack | ErrorMessage) and m.id != barrier]

    def _step(self, read: list[ServerMessage]) -> None:
        message = self.session.step()
        if message is not None:
            read.append(message)

    def requests(self) -> tuple[int, int]:
        """Subscribes and unsubscribes the exchange got, less the barriers."""
        stats = self.exchange.stats()
        return stats.subscribe_requests, stats.unsubscribe_requests - self.barriers


@pytest.fixture
def loop(exchange: LocalExchange, live_session: WsSession, subs: Subscriptions) -> FeedLoop:
    return FeedLoop(exchange, live_session, subs)


def test_a_subscribe_undone_before_it_was_sent_sends_nothing(
    loop: FeedLoop, subs: Subscriptions
) -> None:
    assert subs.add(BTC) is not None
    assert subs.drop(BTC) is not None
    assert loop.settle() == []
    assert loop.requests() == (0, 0)
    # A wish that stands is sent, once.
    subs.add(ETH)
    [ack] = loop.settle()
    assert subs.acknowledged(loop.session, ack.id) == (ETH, subs.get(ETH))
    assert loop.requests() == (1, 0)


def test_only_the_last_wish_of_a_burst_is_sent(loop: FeedLoop, subs: Subscriptions) -> None:
    subs.add(BTC)
    [ack] = loop.settle()
    subs.acknowledged(loop.session, ack.id)
    for _ in range(50):  # switches back and forth, faster than the uplink
        subs.add(ETH)
        subs.drop(BTC)
        subs.add(BTC)
        subs.drop(ETH)
    subs.add(ETH)
    subs.drop(BTC)
    answers = loop.settle()
    assert loop.requests() == (2, 1)  # BTC once, then ETH in and BTC out
    assert loop.exchange.stats().subscriptions == (frozenset({candle_topic(*ETH)}),)
    acked = [subs.acknowledged(loop.session, a.id) for a in answers]
    assert acked == [(ETH, subs.get(ETH)), None]


def test_the_ack_of_an_overtaken_subscribe_is_ignored(loop: FeedLoop, subs: Subscriptions) -> None:
    session = loop.session
    subs.add(BTC)
    [first] = loop.settle()  # held back, as if it were slow to come
    subs.drop(BTC)
    [unsubscribed] = loop.settle()
    subscription = subs.add(BTC)
    assert subscription is not None and subs.served(BTC) is None  # not served: unsubscribed
    [last] = loop.settle()
    assert loop.requests() == (2, 1)
    # The first ack says nothing of now: the unsubscribe overtook it.
    assert subs.acknowledged(session, first.id) is None
    assert subs.acknowledged(session, unsubscribed.id) is None
    assert not subscription.acked
    assert subs.acknowledged(session, last.id) == (BTC, subscription)
    assert subscription.acked


def test_a_resubscribe_while_the_topic_still_stands_is_served_at_once(
    loop: FeedLoop, subs: Subscriptions
) -> None:
    first = subs.add(BTC)
    [ack] = loop.settle()
    assert subs.acknowledged(loop.session, ack.id) == (BTC, first)
    subs.drop(BTC)  # its unsubscribe waits...
    again = subs.add(BTC)  # ...and is undone before it went
    assert again is not None and again is not first and not again.acked
    assert subs.served(BTC) is again and again.acked  # the owner loads its history now
    assert loop.settle() == []
    assert loop.requests() == (1, 0)
    assert loop.exchange.stats().subscriptions == (frozenset({candle_topic(*BTC)}),)


def test_a_resubscribe_while_the_first_subscribe_is_unanswered_waits_for_its_ack(
    loop: FeedLoop, subs: Subscriptions
) -> None:
    subs.add(BTC)
    [ack] = loop.settle()  # not handed over yet
    subs.drop(BTC)
    again = subs.add(BTC)
    assert subs.served(BTC) is None  # the exchange has not said yes yet
    assert loop.settle() == []
    assert subs.acknowledged(loop.session, ack.id) == (BTC, again)  # still the latest request


def test_an_error_for_an_overtaken_request_is_told_apart(
    loop: FeedLoop, subs: Subscriptions
) -> None:
    subs.add(NOPE)
    [first] = loop.settle()
    subs.drop(NOPE)
    assert len(loop.settle()) == 1  # the unsubscribe went: the next subscribe is needed
    subs.add(NOPE)
    [later] = loop.settle()
    assert isinstance(first, ErrorMessage) and isinstance(later, ErrorMessage)
    overtaken = loop.subs.answered_by(loop.session, first)
    assert overtaken is not None and (overtaken.kind, overtaken.latest) == ("subscribe", False)
    latest = subs.answered_by(loop.session, later)
    assert latest is not None and (latest.kind, latest.key, latest.latest) == (
        "subscribe",
        NOPE,
        True,
    )


def test_a_lost_session_says_which_series_were_subscribed_and_starts_them_over(
    loop: FeedLoop, subs: Subscriptions
) -> None:
    subs.add(BTC)
    subs.add(ETH)
    btc_ack, eth_ack = loop.settle()
    assert subs.acknowledged(loop.session, btc_ack.id) == (BTC, subs.get(BTC))
    assert subs.session_ended() == [BTC]  # ETH's ack was never handed over
    assert not any(s.acked for s in (subs.get(BTC), subs.get(ETH)) if s is not None)
    assert subs.acknowledged(loop.session, eth_ack.id) is None  # of the old session
    subs.add(SOL)  # between sessions: wanted, nothing waits
    assert loop.settle() == []
    subs.resubscribe()
    acks = loop.settle()
    assert loop.requests() == (5, 0)  # every wanted series again
    assert [subs.acknowledged(loop.session, a.id) for a in acks] == [
        (key, subs.get(key)) for key in (BTC, ETH, SOL)
    ]
