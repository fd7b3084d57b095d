"""Backoff: capped exponential steps, jitter within [d/2, d], a floor, reset."""

from __future__ import annotations

import random

import pytest

from kucandle_gui.feed.backoff import Backoff


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
