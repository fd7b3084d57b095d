"""Shared fixtures: a fast local exchange, a fast feed config, and waiting helpers.

Every wait here blocks on a condition (the update buffer's, or an event recorder's) with a
deadline; nothing sleeps to synchronise.
"""

from __future__ import annotations

import os

# Qt tests run without a screen; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from kucandle_gui.feed import FeedClient, FeedConfig, FeedEvent
from kucandle_gui.feed.connection import SessionTimeouts
from kucandle_gui.protocol import Candle
from kucandle_gui.sim import LocalExchange, SimConfig

#: One simulated minute per real second: 1min candles close every second.
FAST_CLOCK = 60.0


def fast_sim_config(**overrides: object) -> SimConfig:
    settings: dict[str, object] = {
        "clock_speed": FAST_CLOCK,
        "push_interval": 0.05,
        "ping_interval_ms": 400,
        "ping_timeout_ms": 800,
        "idle_timeout": 5.0,
    }
    settings.update(overrides)
    return SimConfig(**settings)  # type: ignore[arg-type]


def fast_feed_config(**overrides: object) -> FeedConfig:
    settings: dict[str, object] = {
        "history_candles": 60,
        "reconnect_base": 0.05,
        "reconnect_cap": 0.4,
        "stable_after": 3.0,
        "timeouts": SessionTimeouts(connect=2.0, welcome=1.0, ack=2.0, poll=0.05),
        "rest_retry_base": 0.05,
    }
    settings.update(overrides)
    return FeedConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    with LocalExchange(fast_sim_config()) as running:
        yield running


class EventRecorder:
    """A feed listener that keeps every event and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[FeedEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: FeedEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[FeedEvent], bool], timeout: float = 10.0) -> FeedEvent:
        """The first event (past or future) matching ``predicate``; fails after ``timeout``."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((e for e in self.events if predicate(e)), None), timeout
            )
        assert found is not None, f"no matching event within {timeout} s; got {self.events}"
        return found

    def wait_count(
        self, predicate: Callable[[FeedEvent], bool], n: int, timeout: float = 10.0
    ) -> None:
        """Wait until at least ``n`` events match ``predicate``; fails after ``timeout``."""
        with self._changed:
            reached = self._changed.wait_for(
                lambda: sum(1 for e in self.events if predicate(e)) >= n, timeout
            )
        assert reached, f"fewer than {n} matching events within {timeout} s; got {self.events}"

    def count(self, predicate: Callable[[FeedEvent], bool]) -> int:
        with self._changed:
            return sum(1 for e in self.events if predicate(e))


class Consumer:
    """What a chart does with the feed: keep the latest candle per (series, start time)."""

    def __init__(self, feed: FeedClient) -> None:
        self.feed = feed
        self.series: dict[tuple[str, str], dict[int, Candle]] = {}
        #: The series of every update, in the order they were applied.
        self.log: list[tuple[str, str]] = []

    def pump_until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        """Apply updates as they come until ``condition()`` holds; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            assert remaining > 0, "condition not reached in time"
            update = self.feed.next(timeout=min(remaining, 0.2))
            if update is not None:
                self.apply(update)

    def pump_for(self, seconds: float) -> None:
        """Apply updates as they come for ``seconds`` (work, not a sleep: the feed runs on)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            update = self.feed.next(timeout=min(remaining, 0.2))
            if update is not None:
                self.apply(update)

    def apply(self, update: object) -> None:
        key = (update.symbol, update.timeframe)  # type: ignore[attr-defined]
        candle: Candle = update.candle  # type: ignore[attr-defined]
        self.series.setdefault(key, {})[candle.time] = candle
        self.log.append(key)

    def candles(self, symbol: str, timeframe: str) -> dict[int, Candle]:
        return self.series.get((symbol, timeframe), {})

    def newest(self, symbol: str, timeframe: str) -> int | None:
        times = self.candles(symbol, timeframe)
        return max(times) if times else None
