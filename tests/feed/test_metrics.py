"""MetricsRecorder: counters with injected clocks, consistent immutable snapshots."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from kucandle_gui.feed import FeedMetrics
from kucandle_gui.feed.metrics import LATENCY_ALPHA, MetricsRecorder

JOIN_TIMEOUT = 10.0


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make() -> tuple[MetricsRecorder, FakeClock, FakeClock]:
    clock, wall = FakeClock(500.0), FakeClock(1_700_000_000.0)
    return MetricsRecorder(clock=clock, wall=wall), clock, wall


def test_initial_snapshot_is_empty() -> None:
    recorder, _, _ = make()
    assert recorder.snapshot() == FeedMetrics(
        messages=0,
        errors=0,
        reconnects=0,
        coalesced=0,
        ignored=0,
        last_message_at=None,
        token_age=None,
        latency=None,
        latency_avg=None,
        connect_attempts=0,
    )


def test_counters() -> None:
    recorder, _, _ = make()
    recorder.record_error()
    recorder.record_error()
    recorder.record_ignored()
    recorder.record_reconnect()
    recorder.record_failed_attempt()
    recorder.record_failed_attempt()
    recorder.set_coalesced(7)
    recorder.set_coalesced(9)
    snap = recorder.snapshot()
    assert (snap.errors, snap.ignored, snap.reconnects, snap.coalesced) == (2, 1, 1, 9)
    assert snap.connect_attempts == 2
    assert snap.messages == 0


def test_message_sets_time_and_latency() -> None:
    recorder, _, wall = make()
    wall.now = 1_700_000_000.5
    recorder.record_message(1_700_000_000_250_000_000)
    snap = recorder.snapshot()
    assert snap.messages == 1
    assert snap.last_message_at == 1_700_000_000.5
    assert snap.latency == pytest.approx(0.25, abs=1e-6)
    assert snap.latency_avg == pytest.approx(0.25, abs=1e-6)


def test_snapshot_push_counts_as_a_message_without_a_latency_sample() -> None:
    """A snapshot's time is when the statistics were computed, not when they were sent."""
    recorder, _, wall = make()
    recorder.record_message(1_700_000_000_000_000_000)
    wall.now = 1_700_000_003.0
    recorder.record_snapshot()
    snap = recorder.snapshot()
    assert snap.messages == 2
    assert snap.last_message_at == 1_700_000_003.0
    assert snap.latency == pytest.approx(0.0, abs=1e-6)
    assert snap.latency_avg == pytest.approx(0.0, abs=1e-6)


def test_latency_average_is_exponentially_weighted() -> None:
    recorder, _, wall = make()
    exchange_ns = 1_700_000_000 * 10**9
    wall.now = 1_700_000_000.1
    recorder.record_message(exchange_ns)
    wall.now = 1_700_000_001.1
    recorder.record_message(exchange_ns)
    snap = recorder.snapshot()
    assert snap.latency == pytest.approx(1.1, abs=1e-6)
    assert snap.latency_avg == pytest.approx(0.1 + LATENCY_ALPHA * 1.0, abs=1e-6)
    assert snap.last_message_at == 1_700_000_001.1


def test_token_age_counts_on_the_monotonic_clock_at_snapshot_time() -> None:
    recorder, clock, wall = make()
    recorder.record_token()
    clock.now += 30.0
    wall.now -= 3600.0  # a wall-clock jump must not change the age
    assert recorder.snapshot().token_age == pytest.approx(30.0)
    clock.now += 12.0
    assert recorder.snapshot().token_age == pytest.approx(42.0)
    recorder.record_token()
    assert recorder.snapshot().token_age == 0.0


def test_snapshot_is_immutable_and_detached() -> None:
    recorder, _, _ = make()
    snap = recorder.snapshot()
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.messages = 5  # type: ignore[misc]
    recorder.record_error()
    assert snap.errors == 0
    assert recorder.snapshot().errors == 1


def test_concurrent_writers_lose_no_count() -> None:
    recorder = MetricsRecorder()
    threads, per_thread = 4, 5000
    start = threading.Barrier(threads)

    def writer() -> None:
        start.wait(JOIN_TIMEOUT)
        for _ in range(per_thread):
            recorder.record_message(0)
            recorder.record_error()

    workers = [threading.Thread(target=writer, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(JOIN_TIMEOUT)
    assert not any(worker.is_alive() for worker in workers)
    snap = recorder.snapshot()
    assert snap.messages == snap.errors == threads * per_thread
