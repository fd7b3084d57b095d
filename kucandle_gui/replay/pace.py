"""When each recorded frame of a replay is due on the wall clock.

Recorded time (``m``) maps onto the wall clock through an anchor: the frame recorded at
``m`` is due at ``wall + (m - recorded) / speed``. Every frame is timed from the anchor, not
from the frame before it, so small delays in sending do not add up over a long session.
Time that must not compress the gaps that follow (waiting for the client, paused) moves the
anchor on by as long (:meth:`Pace.delay`); a change of speed keeps the recorded position
reached and goes on from there at the new speed (:meth:`Pace.set_speed`).

Pure arithmetic on the times it is given, so that it is tested without a clock.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The speeds a replay accepts (recorded seconds per wall-clock second).
MIN_SPEED = 0.1
MAX_SPEED = 1000.0


def checked_speed(speed: float) -> float:
    """``speed`` if a replay can play at it; ``ValueError`` saying the range otherwise."""
    if not MIN_SPEED <= speed <= MAX_SPEED:  # NaN fails too
        raise ValueError(f"replay speed {speed!r} is not in [{MIN_SPEED:g}, {MAX_SPEED:g}]")
    return float(speed)


@dataclass(slots=True)
class Pace:
    """Wall time ``wall`` corresponds to recorded time ``recorded``; ``speed`` recorded
    seconds pass per wall-clock second."""

    wall: float
    recorded: float
    speed: float = 1.0

    def due(self, m: float) -> float:
        """Wall time at which the frame recorded at ``m`` is due."""
        return self.wall + (m - self.recorded) / self.speed

    def position(self, now: float) -> float:
        """Recorded time reached at wall time ``now``."""
        return self.recorded + (now - self.wall) * self.speed

    def restart(self, now: float, m: float) -> None:
        """The frame recorded at ``m`` is due now (a session starts: gaps between sessions
        are not played)."""
        self.wall, self.recorded = now, m

    def delay(self, seconds: float) -> None:
        """Everything still to come is due ``seconds`` later."""
        self.wall += seconds

    def set_speed(self, now: float, speed: float) -> None:
        """Go on from the recorded position reached at ``now`` at ``speed``."""
        self.recorded, self.wall, self.speed = self.position(now), now, speed
