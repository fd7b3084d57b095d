"""Backoff: capped exponential steps, jitter within [d/2, d], a floor, reset; and the
ReconnectPacer's rules: start over once a session worked, never two connects closer than the
least interval (KuCoin's 30 connects a minute)."""

from __future__ import annotations

import itertools
import random

import pytest

from kucandle_gui.feed.backoff import Backoff, ReconnectPacer


class EdgeRandom(random.Random):
    """Returns the top (or bottom) of every uniform range, to see the steps themselves."""

    def __init__(self, top: bool) -> None:
        super().__init__(0)
        self.top = top

    def uniform(self, a: float, b: float) -> float:
        return b if self.top else a


def test_steps_double_up_to_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=EdgeRandom(top=True))
    delays = [backoff.next_delay() for _ in range(9)]
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert backoff.attempts == 9


def test_jitter_floor_is_half_the_step() -> None:
    backoff = Backoff(base=2.0, cap=10.0, factor=3.0, rng=EdgeRandom(top=False))
    assert [backoff.next_delay() for _ in range(4)] == [1.0, 3.0, 5.0, 5.0]


def test_random_delays_stay_within_half_step_and_step() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=random.Random(42))
    for attempt in range(12):
        step = min(60.0, 2.0**attempt)
        assert step / 2 <= backoff.next_delay() <= step


def test_clients_with_different_seeds_do_not_retry_in_step() -> None:
    a = Backoff(rng=random.Random(1))
    b = Backoff(rng=random.Random(2))
    assert [a.next_delay() for _ in range(5)] != [b.next_delay() for _ in range(5)]


def test_at_least_is_a_floor_and_still_counts_an_attempt() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=EdgeRandom(top=True))
    assert backoff.next_delay(at_least=30.0) == 30.0
    assert backoff.next_delay(at_least=0.5) == 2.0
    assert backoff.attempts == 2


def test_reset_starts_again_from_base() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=EdgeRandom(top=True))
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert backoff.attempts == 0
    assert backoff.next_delay() == 1.0


def test_very_many_attempts_stay_at_the_cap() -> None:
    """2.0 ** 1024 overflows a float: a feed retrying for a day must not crash there."""
    backoff = Backoff(base=1.0, cap=60.0, rng=EdgeRandom(top=True))
    backoff.attempts = 5000
    assert backoff.next_delay() == 60.0
    assert backoff.attempts == 5001


@pytest.mark.parametrize(
    "kwargs", [{"base": 0.0}, {"base": -1.0}, {"base": 10.0, "cap": 5.0}, {"factor": 0.5}]
)
def test_rejects_impossible_parameters(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pacer(min_interval: float = 2.0) -> tuple[ReconnectPacer, FakeClock]:
    clock = FakeClock()
    backoff = Backoff(base=1.0, cap=60.0, rng=EdgeRandom(top=True))
    return ReconnectPacer(backoff, min_interval, clock), clock


def test_failed_connects_back_off_and_a_session_that_worked_starts_over() -> None:
    paced, clock = pacer()
    delays = []
    for _ in range(4):  # connects that fail before the socket opens (no token)
        delays.append(paced.delay(planned=False))
        clock.now += delays[-1]
    assert delays == [1.0, 2.0, 4.0, 8.0]
    paced.connecting()
    paced.worked()  # its subscribe was acknowledged
    clock.now += 7.0  # a flaky link: dropped a few seconds later
    assert paced.delay(planned=False) == 1.0  # from the base again, not 16


def test_a_session_that_never_worked_keeps_the_backoff_growing() -> None:
    paced, clock = pacer()
    for expected in (1.0, 2.0, 4.0):
        paced.connecting()  # connected, but no ack: dropped, refused, no welcome
        clock.now += 5.0
        assert paced.delay(planned=False) == expected


def test_connects_are_never_closer_than_the_least_interval() -> None:
    """A server that accepts, acknowledges and drops at once: the backoff starts over every
    time, and the least interval alone keeps the connects to 30 a minute."""
    paced, clock = pacer(min_interval=2.0)
    starts = []
    for _ in range(60):
        paced.connecting()
        starts.append(clock.now)
        paced.worked()
        clock.now += 0.1  # dropped at once
        delay = paced.delay(planned=False)
        assert delay == pytest.approx(1.9)  # the interval's rest, above the base's 1 s
        clock.now += delay
    assert all(b - a >= 2.0 - 1e-9 for a, b in itertools.pairwise(starts))
    in_a_minute = [t for t in starts if t < starts[0] + 60.0]
    assert len(in_a_minute) == 30


def test_a_planned_reconnect_waits_only_for_the_least_interval() -> None:
    paced, clock = pacer(min_interval=2.0)
    paced.connecting()
    clock.now += 3600.0  # a token renewal, an hour on
    assert paced.delay(planned=True) == 0.0
    assert paced.backoff.attempts == 0  # and it does not count as a failure
    paced.connecting()
    clock.now += 0.5
    assert paced.delay(planned=True) == pytest.approx(1.5)
