"""SlidingWindowLimiter with an injected clock: no sleeping."""

from __future__ import annotations

import pytest

from kucandle_gui.feed.ratelimit import SlidingWindowLimiter


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_defaults_are_kucoins_limit() -> None:
    limiter = SlidingWindowLimiter()
    assert (limiter.limit, limiter.window) == (100, 10.0)


def test_allows_limit_messages_then_refuses() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(limit=3, window=10.0, clock=clock)
    assert limiter.wait_time() == 0.0
    assert [limiter.try_acquire() for _ in range(4)] == [True, True, True, False]
    assert limiter.wait_time() == pytest.approx(10.0)


def test_slot_frees_when_the_oldest_leaves_the_window() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(limit=2, window=10.0, clock=clock)
    limiter.try_acquire()
    clock.now += 4.0
    limiter.try_acquire()
    assert limiter.wait_time() == pytest.approx(6.0)
    clock.now += 5.9
    assert not limiter.try_acquire()
    assert limiter.wait_time() == pytest.approx(0.1)
    clock.now += 0.1
    assert limiter.wait_time() == 0.0
    assert limiter.try_acquire()
    assert limiter.wait_time() == pytest.approx(4.0)


def test_record_counts_messages_that_went_regardless() -> None:
    """A due ping goes even when the window is full; the wait then covers the excess."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(limit=2, window=10.0, clock=clock)
    for _ in range(3):
        limiter.record()
        clock.now += 1.0
    # Sent at 1000, 1001, 1002; now 1003. One slot needs two of them gone: the one at 1001.
    assert limiter.wait_time() == pytest.approx(8.0)
    clock.now += 7.9
    assert not limiter.try_acquire()
    clock.now += 0.1
    assert limiter.try_acquire()


def test_old_messages_leave_the_window_entirely() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(limit=100, window=10.0, clock=clock)
    for _ in range(100):
        limiter.record()
    clock.now += 10.0
    assert [limiter.try_acquire() for _ in range(100)] == [True] * 100
    assert not limiter.try_acquire()


@pytest.mark.parametrize(("limit", "window"), [(0, 10.0), (10, 0.0), (10, -1.0)])
def test_rejects_impossible_parameters(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(limit=limit, window=window)
