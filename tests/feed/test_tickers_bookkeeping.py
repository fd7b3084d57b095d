"""The snapshot topic bookkeeping and the tickers' hand-over, without sockets.

The rules of :class:`SnapshotTopics` are about which requests go out and what their answers
mean; here the test plays both the session's request side (:class:`.checks.Uplink`: room,
ids, pending requests) and the exchange (acks and errors), so that lists, budgets, refusals and
the bisection of a refused list are seen exactly. The same rules over real sockets are in
``test_tickers.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from kucandle_gui.feed.ticker_buffer import TickerBuffer
from kucandle_gui.feed.tickers import SnapshotTopics
from kucandle_gui.protocol import SNAPSHOT_SYMBOLS_PER_REQUEST, ErrorMessage, Ticker

from .checks import Uplink


def pairs(n: int, prefix: str = "P") -> list[str]:
    return [f"{prefix}{i}-USDT" for i in range(n)]


def live_topics() -> SnapshotTopics:
    topics = SnapshotTopics()
    topics.resubscribe()  # a session is live: wishes become requests
    return topics


def serve(
    topics: SnapshotTopics,
    uplink: Uplink,
    answer: Callable[[str, list[str]], ErrorMessage | None] = lambda ident, symbols: None,
    refused: list[str] | None = None,
) -> None:
    """Send and answer requests until nothing waits: ``answer`` gives the error for a request
    (None: ack); the symbols refused are appended to ``refused``."""
    for _ in range(1000):
        topics.flush(uplink)
        waiting = uplink.unanswered()
        if not waiting:
            return
        for ident, _, symbols in waiting:
            error = answer(ident, symbols)
            if error is None:
                topics.acknowledged(uplink, ident)
            else:
                refusal = topics.failed(uplink, error)
                assert refusal is not None and refusal.lost is None
                if refused is not None:
                    refused.extend(refusal.refused)
    raise AssertionError("requests never settled")


def test_watched_pairs_go_out_as_lists_of_at_most_100_in_order() -> None:
    topics, uplink = live_topics(), Uplink()
    symbols = pairs(250)
    assert list(topics.watch(symbols)) == symbols
    topics.flush(uplink)
    assert [(kind, len(s)) for _, kind, s in uplink.sent] == [
        ("subscribe", 100),
        ("subscribe", 100),
        ("subscribe", 50),
    ]
    assert [s for _, _, batch in uplink.sent for s in batch] == symbols
    assert not any(topics.serves(s) for s in symbols)  # not before the ack
    for ident, _, _ in uplink.sent:
        topics.acknowledged(uplink, ident)
    assert all(topics.serves(s) for s in symbols)


def test_requests_wait_for_the_uplink_and_wishes_merge_meanwhile() -> None:
    topics, uplink = live_topics(), Uplink(room=1)
    topics.watch(pairs(150))
    topics.flush(uplink)
    assert len(uplink.sent) == 1 and len(uplink.sent[0][2]) == 100
    # The last 50 wait; 10 of them are unwatched and 5 more watched before there is room.
    topics.unwatch(pairs(150)[140:])
    topics.watch(pairs(5, "Q"))
    uplink.room = 10
    topics.flush(uplink)
    assert len(uplink.sent) == 2
    assert uplink.sent[1][2] == pairs(150)[100:140] + pairs(5, "Q")


def test_unwatching_served_pairs_unsubscribes_them_first_and_stops_their_pushes() -> None:
    topics, uplink = live_topics(), Uplink()
    serve_list = pairs(3)
    topics.watch(serve_list)
    serve(topics, uplink)
    topics.watch(["NEW-USDT"])
    topics.unwatch(serve_list[:2])
    assert not topics.serves(serve_list[0]) and topics.serves(serve_list[2])
    topics.flush(uplink)
    assert [(kind, s) for _, kind, s in uplink.sent[1:]] == [
        ("unsubscribe", serve_list[:2]),  # they free topics of the 400: first
        ("subscribe", ["NEW-USDT"]),
    ]


def test_an_ack_overtaken_by_an_unwatch_serves_nothing() -> None:
    topics, uplink = live_topics(), Uplink()
    topics.watch(["BTC-USDT"])
    topics.flush(uplink)
    topics.unwatch(["BTC-USDT"])
    topics.flush(uplink)  # the unsubscribe goes
    subscribe, unsubscribe = uplink.sent
    topics.acknowledged(uplink, subscribe[0])
    assert not topics.serves("BTC-USDT")
    topics.acknowledged(uplink, unsubscribe[0])
    assert not topics.serves("BTC-USDT") and topics.watched == ()


def test_watching_again_a_pair_whose_topic_still_stands_needs_no_request() -> None:
    topics, uplink = live_topics(), Uplink()
    topics.watch(["BTC-USDT"])
    serve(topics, uplink)
    topics.unwatch(["BTC-USDT"])
    topics.watch(["BTC-USDT"])  # before the unsubscribe went out: it is undone
    topics.flush(uplink)
    assert len(uplink.sent) == 1
    assert topics.serves("BTC-USDT")


def test_a_refusal_naming_a_pair_drops_it_and_asks_again_for_the_others() -> None:
    topics, uplink = live_topics(), Uplink()
    symbols = ["BTC-USDT", "NOPE-USDT", "ETH-USDT"]
    topics.watch(symbols)
    topics.flush(uplink)
    ident = uplink.sent[0][0]
    error = ErrorMessage(ident, 404, "topic /market/snapshot:NOPE-USDT is not found")
    refusal = topics.failed(uplink, error)
    assert refusal is not None
    assert (refusal.refused, refusal.retried, refusal.lost) == (
        ("NOPE-USDT",),
        ("BTC-USDT", "ETH-USDT"),
        None,
    )
    assert topics.watched == ("BTC-USDT", "ETH-USDT")
    topics.flush(uplink)
    assert uplink.sent[1][1:] == ("subscribe", ["BTC-USDT", "ETH-USDT"])


def test_an_error_with_the_connect_id_is_matched_by_the_pair_it_names() -> None:
    topics, uplink = live_topics(), Uplink(room=1)
    topics.watch(["BTC-USDT", "NOPE-USDT"])
    topics.flush(uplink)
    uplink.room = 1
    topics.watch(["ETH-USDT"])
    topics.flush(uplink)
    assert topics.owns(uplink.sent[0][0]) and not topics.owns("connect-id")
    error = ErrorMessage("connect-id", 404, "topic /market/snapshot:NOPE-USDT is not found")
    refusal = topics.failed(uplink, error)
    assert refusal is not None and refusal.request.symbols == ("BTC-USDT", "NOPE-USDT")
    assert refusal.refused == ("NOPE-USDT",)
    assert topics.failed(uplink, ErrorMessage("connect-id", 500, "system error")) is None


def test_a_list_refused_without_a_name_is_bisected_to_the_bad_pair() -> None:
    topics, uplink = live_topics(), Uplink()
    symbols = pairs(SNAPSHOT_SYMBOLS_PER_REQUEST)
    bad = symbols[37]
    topics.watch(symbols)
    refused: list[str] = []

    def answer(ident: str, batch: list[str]) -> ErrorMessage | None:
        return ErrorMessage(ident, 400, "topic is invalid") if bad in batch else None

    serve(topics, uplink, answer, refused)
    assert refused == [bad]
    assert topics.watched == tuple(s for s in symbols if s != bad)
    assert all(topics.serves(s) for s in topics.watched)
    # Halves, not one request per pair: the bad pair's lists halve down to it alone.
    assert len(uplink.sent) <= 2 * math.ceil(math.log2(len(symbols))) + 1
    assert max(len(s) for _, _, s in uplink.sent) == SNAPSHOT_SYMBOLS_PER_REQUEST


def test_two_bad_pairs_in_one_list_are_both_isolated() -> None:
    topics, uplink = live_topics(), Uplink()
    symbols = pairs(60)
    bad = {symbols[3], symbols[50]}
    topics.watch(symbols)
    refused: list[str] = []

    def answer(ident: str, batch: list[str]) -> ErrorMessage | None:
        if bad & set(batch):
            return ErrorMessage(ident, 509, "exceed max subscription count limitation")
        return None

    serve(topics, uplink, answer, refused)
    assert sorted(refused) == sorted(bad)
    assert all(topics.serves(s) for s in symbols if s not in bad)


def test_an_error_that_is_not_a_refusal_means_a_sick_connection() -> None:
    topics, uplink = live_topics(), Uplink()
    topics.watch(["BTC-USDT", "ETH-USDT"])
    topics.flush(uplink)
    refusal = topics.failed(uplink, ErrorMessage(uplink.sent[0][0], 500, "system error"))
    assert refusal is not None and refusal.refused == ()
    assert refusal.lost is not None and "500" in refusal.lost
    assert topics.watched == ("BTC-USDT", "ETH-USDT")


def test_an_error_for_a_request_since_superseded_is_ignored() -> None:
    topics, uplink = live_topics(), Uplink()
    topics.watch(["BTC-USDT"])
    topics.flush(uplink)
    topics.unwatch(["BTC-USDT"])
    topics.flush(uplink)
    refusal = topics.failed(uplink, ErrorMessage(uplink.sent[0][0], 500, "system error"))
    assert refusal is not None and (refusal.refused, refusal.lost) == ((), None)


def test_a_new_session_subscribes_every_watched_pair_again() -> None:
    topics, uplink = live_topics(), Uplink()
    topics.watch(pairs(120))
    serve(topics, uplink)
    topics.session_ended()
    assert not any(topics.serves(s) for s in pairs(120))
    topics.watch(["LATE-USDT"])  # between sessions: goes with the rest
    topics.flush(uplink)
    assert len(uplink.sent) == 2  # nothing sent while no session is live
    topics.resubscribe()
    again = Uplink()
    topics.flush(again)
    assert [s for _, _, batch in again.sent for s in batch] == [*pairs(120), "LATE-USDT"]


def test_a_pair_unknown_to_rest_while_its_subscribe_is_unanswered_waits_for_the_answer() -> None:
    topics, uplink = live_topics(), Uplink()
    topics.watch(["BTC-USDT", "NOPE-USDT"])
    topics.flush(uplink)
    assert topics.drop_unknown("NOPE-USDT")
    assert not topics.drop_unknown("NOPE-USDT")  # once
    assert topics.watched == ("BTC-USDT",)
    topics.flush(uplink)
    assert len(uplink.sent) == 1  # no unsubscribe: the exchange would refuse it as well
    error = ErrorMessage(uplink.sent[0][0], 404, "topic /market/snapshot:NOPE-USDT is not found")
    refusal = topics.failed(uplink, error)
    assert refusal is not None
    assert (refusal.refused, refusal.retried, refusal.lost) == ((), ("BTC-USDT",), None)
    topics.flush(uplink)
    assert [(kind, s) for _, kind, s in uplink.sent[1:]] == [("subscribe", ["BTC-USDT"])]


def test_a_pair_unknown_to_rest_whose_topic_the_exchange_accepts_is_unsubscribed() -> None:
    topics, uplink = live_topics(), Uplink()
    topics.watch(["BTC-USDT", "NOPE-USDT"])
    topics.flush(uplink)
    topics.drop_unknown("NOPE-USDT")
    topics.acknowledged(uplink, uplink.sent[0][0])  # KuCoin may take an unknown topic
    assert topics.serves("BTC-USDT") and not topics.serves("NOPE-USDT")
    topics.flush(uplink)
    assert uplink.sent[1][1:] == ("unsubscribe", ["NOPE-USDT"])
    # Found out after the ack: unsubscribed at once.
    topics.watch(["ODD-USDT"])
    serve(topics, uplink)
    assert topics.drop_unknown("ODD-USDT")
    topics.flush(uplink)
    assert uplink.sent[-1][1:] == ("unsubscribe", ["ODD-USDT"])


def test_a_pair_whose_topic_was_refused_first_is_not_dropped_again() -> None:
    topics, uplink = live_topics(), Uplink()
    topics.watch(["NOPE-USDT"])
    topics.flush(uplink)
    error = ErrorMessage(uplink.sent[0][0], 404, "topic /market/snapshot:NOPE-USDT is not found")
    refusal = topics.failed(uplink, error)
    assert refusal is not None and refusal.refused == ("NOPE-USDT",)
    assert not topics.drop_unknown("NOPE-USDT")
    topics.flush(uplink)
    assert len(uplink.sent) == 1


def ticker(symbol: str, time: int, last: float = 1.0) -> Ticker:
    return Ticker(symbol, last, 0.01, 0.01, last, last, 1.0, last, time)


def test_the_buffer_keeps_the_latest_per_pair_in_first_come_order() -> None:
    buffer = TickerBuffer()
    assert buffer.push(ticker("BTC-USDT", 1000, 1.0))
    assert buffer.push(ticker("ETH-USDT", 1000, 2.0))
    assert buffer.push(ticker("BTC-USDT", 3000, 3.0))
    assert buffer.drain() == [ticker("BTC-USDT", 3000, 3.0), ticker("ETH-USDT", 1000, 2.0)]
    assert buffer.drain() == []


def test_pushes_never_take_a_pair_back_in_time() -> None:
    buffer = TickerBuffer()
    buffer.push(ticker("BTC-USDT", 2000, 2.0))
    assert buffer.drain() == [ticker("BTC-USDT", 2000, 2.0)]
    assert not buffer.push(ticker("BTC-USDT", 1000, 1.0))
    assert buffer.push(ticker("BTC-USDT", 2000, 2.0))  # the same moment again
    assert buffer.drain() == [ticker("BTC-USDT", 2000, 2.0)]


def test_a_rest_value_fills_a_pair_only_until_its_first_push() -> None:
    buffer = TickerBuffer()
    assert not buffer.filled("BTC-USDT")
    assert buffer.first(ticker("BTC-USDT", 5000, 1.0))  # the reply's time
    assert buffer.filled("BTC-USDT")
    # The first push carries when its statistics were computed, before that reply was made:
    # it is taken all the same (a push is never older than a REST value).
    assert buffer.push(ticker("BTC-USDT", 3500, 2.0))
    assert buffer.drain() == [ticker("BTC-USDT", 3500, 2.0)]
    assert not buffer.first(ticker("BTC-USDT", 9000, 3.0))  # a late REST reply
    assert buffer.drain() == []


def test_the_buffer_forgets_unwatched_pairs() -> None:
    buffer = TickerBuffer()
    buffer.push(ticker("BTC-USDT", 2000))
    buffer.push(ticker("ETH-USDT", 2000))
    buffer.discard(["BTC-USDT"])
    assert buffer.drain() == [ticker("ETH-USDT", 2000)]
    assert not buffer.filled("BTC-USDT")
    assert buffer.first(ticker("BTC-USDT", 1000))  # watched again: a REST value fills it
    assert buffer.push(ticker("BTC-USDT", 500))  # and its pushes start over
