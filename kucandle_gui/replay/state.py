"""What other threads see of a running replay, and the controls they set: thread-safe.

The cursor (:mod:`.player`) runs on the server's loop; a window's toolbar or a headless run
reads where it is and pauses it or changes its speed from their own threads. They meet
here, under one lock; a control change calls ``on_change`` so that the cursor wakes up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from kucandle_gui.replay.rest import RecordedRest


@dataclass(frozen=True, slots=True)
class ReplayPosition:
    """Where a replay is."""

    #: Recorded wall-clock time (unix seconds) of the last frame played; None before any.
    t: float | None
    #: Share of the recording's time played, 0..1.
    fraction: float
    finished: bool
    paused: bool
    speed: float
    #: Recorded answers skipped because the client never sent their request.
    skipped_answers: int
    #: REST requests the recording had no answer left for (answered 503).
    unmatched_requests: int
    #: Whole passes played (more than one with ``loop``).
    passes: int
    #: Recorded REST answers not asked for yet in this pass.
    unserved_answers: int = 0


class ReplayState:
    def __init__(
        self,
        span: tuple[float, float],
        rest: RecordedRest,
        finished: threading.Event,
        speed: float,
    ) -> None:
        """``span``: the recorded time (``m``) of the recording's first and last lines."""
        self.finished = finished
        #: Called (on the thread that changed a control) after every change.
        self.on_change: Callable[[], None] = lambda: None
        self._first_m, self._last_m = span
        self._rest = rest
        self._lock = threading.Lock()
        self._paused = False
        self._speed = speed
        self._played_t: float | None = None
        self._played_m = self._first_m
        self._skipped = 0
        self._passes = 0

    # -- controls ----------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        with self._lock:
            return self._paused

    @property
    def speed(self) -> float:
        with self._lock:
            return self._speed

    def controls(self) -> tuple[bool, float]:
        """(paused, speed) as last set."""
        with self._lock:
            return self._paused, self._speed

    def set_paused(self, paused: bool) -> None:
        with self._lock:
            self._paused = paused
        self.on_change()

    def set_speed(self, speed: float) -> None:
        """The caller checks the range."""
        with self._lock:
            self._speed = speed
        self.on_change()

    # -- what the cursor did -------------------------------------------------------------------

    def played(self, t: float, m: float) -> None:
        with self._lock:
            self._played_t, self._played_m = t, max(self._played_m, m)

    def skipped(self) -> None:
        with self._lock:
            self._skipped += 1

    def pass_done(self, *, last: bool) -> None:
        """A pass reached the end; ``last``: the replay is finished, else the next begins."""
        with self._lock:
            self._passes += 1
            self._played_m = self._last_m if last else self._first_m
            if last:
                self.finished.set()

    def position(self) -> ReplayPosition:
        span = self._last_m - self._first_m
        with self._lock:
            played = (self._played_m - self._first_m) / span if span > 0 else 0.0
            finished = self.finished.is_set()
            return ReplayPosition(
                t=self._played_t,
                fraction=1.0 if finished else min(1.0, max(0.0, played)),
                finished=finished,
                paused=self._paused,
                speed=self._speed,
                skipped_answers=self._skipped,
                unmatched_requests=self._rest.unmatched,
                passes=self._passes,
                unserved_answers=self._rest.unserved,
            )
