"""Reconnect delays.

Retrying at once hammers an exchange that is already in trouble, and clients that lost their
connections together would all come back in the same instant. Exponential growth spaces the
retries out; "equal jitter" (a random delay in the upper half of the step) spreads the clients
while keeping a floor, so that no retry comes back immediately. :class:`ReconnectPacer` adds
when the growth starts over, and the least time between two connects.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable


class Backoff:
    """Exponential reconnect delays with jitter and a cap, so that clients do not retry in step.

    Delays keep growing until the owner calls ``reset``: when to is the owner's call.
    """

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 60.0,
        factor: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        if not 0 < base <= cap:
            raise ValueError(f"need 0 < base <= cap, got base={base}, cap={cap}")
        if factor < 1:
            raise ValueError(f"factor must be at least 1, got {factor}")
        self.base = base
        self.cap = cap
        self.factor = factor
        self._rng = rng if rng is not None else random.Random()
        #: Delays handed out since the last ``reset``.
        self.attempts = 0

    def next_delay(self, at_least: float = 0.0) -> float:
        """Seconds to wait before the next attempt: uniform in [d/2, d], d the capped step.

        ``at_least`` is a floor the server asked for (a rate-limit reset, "retry later").
        """
        try:
            step = min(self.cap, self.base * self.factor**self.attempts)
        except OverflowError:
            # After about a thousand failures (hours at the cap) the power leaves float range.
            step = self.cap
        self.attempts += 1
        return max(at_least, self._rng.uniform(step / 2, step))

    def reset(self) -> None:
        """Start again from ``base``: the owner judged the last connection healthy."""
        self.attempts = 0


class ReconnectPacer:
    """When the feed connects again: a backoff that grows while connects fail and starts over
    once a session has worked, and never two connects closer than ``min_interval``.

    A session *worked* once the exchange acknowledged its subscribe: on a flaky link (drops
    every few seconds, short outages) the delays then start from the base after every drop,
    instead of growing across drops until an outage costs far longer than itself. The least
    interval keeps the exchange's connect limit whatever happens (KuCoin accepts 30 connects
    a minute: 2 s): a server that accepts connections, even acknowledges them, and drops them
    at once gets one connect per interval, not a storm.
    """

    def __init__(
        self,
        backoff: Backoff,
        min_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backoff = backoff
        self.min_interval = min_interval
        self._clock = clock
        self._connected_at = -math.inf

    def connecting(self) -> None:
        """A connect to the exchange begins now."""
        self._connected_at = self._clock()

    def worked(self) -> None:
        """The current session was acknowledged: the next delay starts from the base."""
        self.backoff.reset()

    def delay(self, planned: bool) -> float:
        """Seconds to wait before the next connect: the next backoff delay (none for a planned
        reconnect, such as a token renewal), and at least what is left of ``min_interval``
        since the last connect began."""
        wanted = 0.0 if planned else self.backoff.next_delay()
        left = self._connected_at + self.min_interval - self._clock()
        return max(wanted, left, 0.0)
