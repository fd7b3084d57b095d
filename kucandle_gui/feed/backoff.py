"""Reconnect delays.

Retrying at once hammers an exchange that is already in trouble, and clients that lost their
connections together would all come back in the same instant. Exponential growth spaces the
retries out; "equal jitter" (a random delay in the upper half of the step) spreads the clients
while keeping a floor, so that no retry comes back immediately.
"""

from __future__ import annotations

import random


class Backoff:
    """Exponential reconnect delays with jitter and a cap, so that clients do not retry in step.

    Delays keep growing until the owner calls ``reset``. When to is the owner's call:
    ``FeedClient`` resets once a session that ended had lasted ``FeedConfig.stable_after``
    (not as soon as one opens, nor once it subscribed), so that a server that accepts
    connections and soon drops them is still backed off.
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
