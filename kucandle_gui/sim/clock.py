"""Simulated time: a fixed start that advances ``speed`` times faster than real time, or
stands still at its start (speed 0: tests whose market must not change at all)."""

from __future__ import annotations

import time


class SimClock:
    """``now() = start_time + real seconds since start() * speed``; frozen before start()."""

    def __init__(self, start_time: float, speed: float) -> None:
        if speed < 0:
            raise ValueError(f"clock speed must not be negative, got {speed}")
        self.start_time = start_time
        self.speed = speed
        self._origin: float | None = None

    def start(self) -> None:
        self._origin = time.monotonic()

    def now(self) -> float:
        if self._origin is None:
            return self.start_time
        return self.start_time + (time.monotonic() - self._origin) * self.speed
