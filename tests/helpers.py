"""Helpers shared by the tests: fast settings for the local exchange and the feed, and
recorders that let a test wait for what the feed does.

pytest loads ``conftest.py`` files itself, as plugins of the tests beside them, so a test that
imports one by name depends on how pytest found it. Fixtures stay in the conftest files;
whatever a test imports by name comes from this plain module.

Every wait here blocks on a condition (the update buffer's, or an event recorder's) with a
deadline; nothing sleeps to synchronise.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from kucandle_gui.feed import CandleUpdate, FeedClient, FeedConfig, FeedEvent, SessionTimeouts
from kucandle_gui.protocol import Candle
from kucandle_gui.sim import SimConfig

#: One simulated minute per real second: 1min candles close every second.
FAST_CLOCK = 60.0
#: Start time of the candles the generators below make (a 1min candle start).
T0 = 1_700_000_040
TF = 60


def nth_candle(i: int, price: float = 100.0, *, volume: float = 1.0, tf: int = TF) -> Candle:
    """Candle number ``i`` (start ``T0 + i * tf``) with distinct, checkable values."""
    return Candle(T0 + i * tf, price, price + 2, price - 1, price + 1, volume, volume * price)


def random_walk(n: int, seed: int = 0) -> list[Candle]:
    """``n`` consistent 1min candles from ``T0`` on, a random walk of prices and volumes."""
    rng = random.Random(seed)
    out = []
    price = 100.0
    for i in range(n):
        o = price
        c = o + rng.uniform(-1, 1)
        h = max(o, c) + rng.uniform(0, 1)
        low = min(o, c) - rng.uniform(0, 1)
        v = rng.uniform(0, 10)
        out.append(Candle(T0 + i * TF, o, h, low, c, v, v * c))
        price = c
    return out


def numpy_walk(n: int, seed: int = 0, t0: int = T0, tf: int = TF) -> list[Candle]:
    """``n`` consistent candles from ``t0`` on, drawn with numpy (fast for large ``n``)."""
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 0.5, n))
    open_ = np.r_[100.0, close[:-1]]
    high = np.maximum(open_, close) + rng.random(n)
    low = np.minimum(open_, close) - rng.random(n)
    volume = rng.random(n) * 10 + 0.1
    rows = zip(
        open_.tolist(), high.tolist(), low.tolist(), close.tolist(), volume.tolist(), strict=True
    )
    return [Candle(t0 + i * tf, o, h, lo, c, v, v * c) for i, (o, h, lo, c, v) in enumerate(rows)]


def fast_sim_config(**overrides: Any) -> SimConfig:
    """The local exchange with its clock sped up and its keep-alive times shortened, so that
    candles close and silent clients are dropped within a test; ``overrides`` win."""
    fast = replace(
        SimConfig(),
        clock_speed=FAST_CLOCK,
        push_interval=0.05,
        ping_interval_ms=400,
        ping_timeout_ms=800,
        idle_timeout=5.0,
    )
    return replace(fast, **overrides)


def fast_feed_config(**overrides: Any) -> FeedConfig:
    """The feed with short timeouts and retry delays, to match :func:`fast_sim_config`;
    ``overrides`` win."""
    fast = replace(
        FeedConfig(),
        history_candles=60,
        reconnect_base=0.05,
        reconnect_cap=0.4,
        timeouts=SessionTimeouts(connect=2.0, welcome=1.0, ack=2.0, poll=0.05),
        rest_retry_base=0.05,
    )
    return replace(fast, **overrides)


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

    def apply(self, update: CandleUpdate) -> None:
        key = (update.symbol, update.timeframe)
        self.series.setdefault(key, {})[update.candle.time] = update.candle
        self.log.append(key)

    def candles(self, symbol: str, timeframe: str) -> dict[int, Candle]:
        return self.series.get((symbol, timeframe), {})

    def newest(self, symbol: str, timeframe: str) -> int | None:
        times = self.candles(symbol, timeframe)
        return max(times) if times else None
