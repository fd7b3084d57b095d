"""UpdateBuffer: FIFO with per-candle coalescing, shared between two threads."""

from __future__ import annotations

import threading

import pytest

from kucandle_gui.feed import CandleUpdate
from kucandle_gui.feed.buffer import UpdateBuffer
from kucandle_gui.protocol import Candle

JOIN_TIMEOUT = 5.0


def update(start: int, volume: float = 1.0, symbol: str = "BTC-USDT", tf: str = "1min"):
    return CandleUpdate(symbol, tf, Candle(start, 10.0, 11.0, 9.0, 10.5, volume, volume * 10))


def test_as_dict_flattens_the_candle() -> None:
    assert update(60, volume=2.0).as_dict() == {
        "symbol": "BTC-USDT",
        "timeframe": "1min",
        "time": 60,
        "open": 10.0,
        "high": 11.0,
        "low": 9.0,
        "close": 10.5,
        "volume": 2.0,
        "turnover": 20.0,
    }


def test_update_is_immutable() -> None:
    with pytest.raises(AttributeError):
        update(60).symbol = "ETH-USDT"  # type: ignore[misc]


def test_fifo_order() -> None:
    buffer = UpdateBuffer()
    for start in (60, 120, 180):
        buffer.put(update(start))
    assert len(buffer) == 3
    assert [buffer.get(timeout=0).candle.time for _ in range(3)] == [60, 120, 180]
    assert len(buffer) == 0


def test_coalescing_keeps_position_and_latest_value_and_counts() -> None:
    buffer = UpdateBuffer()
    buffer.put(update(60, volume=1))
    buffer.put(update(120, volume=1))
    buffer.put(update(60, volume=2))
    buffer.put(update(60, volume=3))
    assert len(buffer) == 2
    assert buffer.coalesced == 2
    assert buffer.drain() == [update(60, volume=3), update(120, volume=1)]


def test_same_start_in_another_series_is_not_coalesced() -> None:
    buffer = UpdateBuffer()
    buffer.put(update(60))
    buffer.put(update(60, symbol="ETH-USDT"))
    buffer.put(update(60, tf="5min"))
    assert len(buffer) == 3
    assert buffer.coalesced == 0


def test_put_many_queues_in_order_and_coalesces() -> None:
    buffer = UpdateBuffer()
    buffer.put(update(60, volume=1))
    buffer.put_many([update(120), update(60, volume=5), update(180)])
    assert buffer.coalesced == 1
    assert buffer.drain() == [update(60, volume=5), update(120), update(180)]


def test_get_times_out_with_none() -> None:
    buffer = UpdateBuffer()
    assert buffer.get(timeout=0.01) is None
    assert buffer.get(timeout=0) is None


def test_drain_with_limit_takes_oldest_first() -> None:
    buffer = UpdateBuffer()
    buffer.put_many(update(start) for start in (60, 120, 180))
    assert [u.candle.time for u in buffer.drain(limit=2)] == [60, 120]
    assert buffer.drain(limit=0) == []
    assert [u.candle.time for u in buffer.drain(limit=10)] == [180]
    assert buffer.drain() == []


def test_discard_drops_only_that_series() -> None:
    buffer = UpdateBuffer()
    buffer.put_many(
        [update(60), update(60, symbol="ETH-USDT"), update(120), update(120, tf="5min")]
    )
    assert buffer.discard("BTC-USDT", "1min") == 2
    assert buffer.drain() == [update(60, symbol="ETH-USDT"), update(120, tf="5min")]
    assert buffer.discard("BTC-USDT", "1min") == 0


def test_close_keeps_pending_updates_and_ignores_later_puts() -> None:
    buffer = UpdateBuffer()
    buffer.put(update(60))
    buffer.close()
    buffer.put(update(120))
    buffer.put_many([update(180)])
    assert buffer.closed
    assert buffer.get() == update(60)
    assert buffer.get() is None


def test_close_wakes_a_blocked_getter() -> None:
    buffer = UpdateBuffer()
    waiting = threading.Event()
    results: list[CandleUpdate | None] = []

    def consumer() -> None:
        waiting.set()
        results.append(buffer.get())

    thread = threading.Thread(target=consumer, daemon=True)
    thread.start()
    assert waiting.wait(JOIN_TIMEOUT)
    buffer.close()
    thread.join(JOIN_TIMEOUT)
    assert not thread.is_alive()
    assert results == [None]


def test_put_wakes_a_blocked_getter() -> None:
    buffer = UpdateBuffer()
    results: list[CandleUpdate | None] = []
    thread = threading.Thread(target=lambda: results.append(buffer.get()), daemon=True)
    thread.start()
    buffer.put(update(60))
    thread.join(JOIN_TIMEOUT)
    assert not thread.is_alive()
    assert results == [update(60)]


def test_concurrent_producer_loses_nothing() -> None:
    """Every put is either delivered or counted as coalesced."""
    buffer = UpdateBuffer()
    starts = [i // 3 * 60 for i in range(3000)]  # three states of each candle in a row
    received: list[CandleUpdate] = []

    def consumer() -> None:
        while (item := buffer.get()) is not None:
            received.append(item)

    thread = threading.Thread(target=consumer, daemon=True)
    thread.start()
    for i, start in enumerate(starts):
        buffer.put(update(start, volume=i))
    buffer.close()
    thread.join(JOIN_TIMEOUT)
    assert not thread.is_alive()
    assert len(received) + buffer.coalesced == len(starts)
    received_times = [u.candle.time for u in received]
    assert received_times == sorted(received_times)
    assert set(received_times) == set(starts)
    assert received[-1] == update(starts[-1], volume=len(starts) - 1)


def test_entries_are_numbered_as_queued_and_a_mark_says_the_last() -> None:
    buffer = UpdateBuffer()
    assert buffer.mark() == 0
    buffer.put(update(60))
    buffer.put_many([update(120), update(180)])
    assert buffer.mark() == 3
    assert buffer.drain() == [update(60), update(120), update(180)]
    buffer.put(update(240))
    assert buffer.mark() == 4  # numbers go on after a drain


def test_drain_through_a_mark_takes_only_what_was_queued_before_it() -> None:
    buffer = UpdateBuffer()
    buffer.put_many([update(60), update(120)])
    mark = buffer.mark()
    buffer.put(update(180))
    assert buffer.drain(through=mark) == [update(60), update(120)]
    assert buffer.drain(through=mark) == []
    assert buffer.drain(through=0) == []
    assert buffer.drain(limit=0, through=buffer.mark()) == []
    assert buffer.drain(through=buffer.mark()) == [update(180)]


def test_drain_through_and_limit_together_stop_at_the_first_reached() -> None:
    buffer = UpdateBuffer()
    buffer.put_many(update(start) for start in (60, 120, 180))
    mark = buffer.mark()
    buffer.put(update(240))
    assert buffer.drain(limit=2, through=mark) == [update(60), update(120)]
    assert buffer.drain(limit=5, through=mark) == [update(180)]
    assert buffer.drain(limit=5) == [update(240)]


def test_coalescing_keeps_the_entrys_number_until_a_mark_is_read() -> None:
    """A newer state of a candle queued before a mark replaces it only until the mark is
    read; after that it is queued anew, after the mark, and both states are taken in turn."""
    buffer = UpdateBuffer()
    buffer.put(update(60, volume=1))
    buffer.put(update(120, volume=1))
    buffer.put(update(60, volume=2))  # replaces entry 1 in place
    assert buffer.coalesced == 1
    mark = buffer.mark()
    assert mark == 2
    buffer.put(update(60, volume=3))  # entry 3: the mark came between
    buffer.put(update(60, volume=4))  # replaces entry 3, queued after the mark
    buffer.put(update(120, volume=2))  # entry 4
    assert buffer.coalesced == 2
    assert len(buffer) == 4
    assert buffer.drain(through=mark) == [update(60, volume=2), update(120, volume=1)]
    assert buffer.drain() == [update(60, volume=4), update(120, volume=2)]


def test_a_taken_or_discarded_entry_is_not_replaced_but_queued_anew() -> None:
    buffer = UpdateBuffer()
    buffer.put(update(60, volume=1))
    assert buffer.get(timeout=0) == update(60, volume=1)
    buffer.put(update(60, volume=2))
    buffer.put(update(60, volume=3))
    assert buffer.coalesced == 1
    assert buffer.discard("BTC-USDT", "1min") == 1
    buffer.put(update(60, volume=4))
    assert buffer.coalesced == 1
    assert buffer.drain() == [update(60, volume=4)]


def test_wait_says_whether_updates_are_pending_and_takes_none() -> None:
    buffer = UpdateBuffer()
    assert not buffer.wait(timeout=0)
    buffer.put(update(60))
    assert buffer.wait(timeout=0)
    assert buffer.wait()
    assert len(buffer) == 1
    buffer.close()
    assert buffer.wait()  # still pending after the close
    assert buffer.drain() == [update(60)]
    assert not buffer.wait()  # closed and empty: at once


def test_put_wakes_a_blocked_waiter() -> None:
    buffer = UpdateBuffer()
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(buffer.wait()), daemon=True)
    thread.start()
    buffer.put(update(60))
    thread.join(JOIN_TIMEOUT)
    assert not thread.is_alive()
    assert results == [True]
    assert len(buffer) == 1


def test_concurrent_marks_split_the_stream_exactly() -> None:
    """A producer puts states of a few candles and reads a mark now and then; a consumer
    drains through the marks in turn. Every state is taken or replaced by a later one
    queued before the same mark, and what is taken through a mark was all put before it."""
    buffer = UpdateBuffer()
    marks: list[tuple[int, int]] = []  # (mark, how many puts came before it)
    marked = threading.Condition()
    puts = 6_000

    def producer() -> None:
        for i in range(puts):
            buffer.put(update(i % 7 * 60, volume=i))
            if i % 50 == 49:
                mark = buffer.mark()
                with marked:
                    marks.append((mark, i + 1))
                    marked.notify()
        buffer.close()

    thread = threading.Thread(target=producer, daemon=True)
    thread.start()
    slices: list[tuple[int, list[CandleUpdate]]] = []
    for index in range(puts // 50):
        with marked:
            assert marked.wait_for(lambda n=index + 1: len(marks) >= n, JOIN_TIMEOUT)
            mark, before = marks[index]
        slices.append((before, buffer.drain(through=mark)))
    thread.join(JOIN_TIMEOUT)
    assert not thread.is_alive()
    taken = 0
    previous = 0
    for before, updates in slices:
        put_here = {int(u.candle.volume) for u in updates}
        assert all(previous <= i < before for i in put_here)  # put between the two marks
        # Each candle's last state put between the marks is the one taken.
        last = {i % 7: i for i in range(previous, before)}
        assert put_here == set(last.values())
        taken += len(updates)
        previous = before
    assert taken + buffer.coalesced == puts
