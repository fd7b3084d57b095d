"""Client-side pacing of the messages a WebSocket connection sends.

KuCoin counts every client→server message (pings included) and drops a connection that sends
more than 100 in 10 s. Pacing here is cheaper than a reconnect with resubscription.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Says when the next message may go: KuCoin allows 100 client→server messages per 10 s.

    The limit is per connection, so is a limiter. It keeps the send times of the last window
    (a deque, oldest first). A message sent at ``t`` frees its slot at exactly
    ``t + window``; pass a smaller ``limit`` for a margin.

    Not thread-safe, and it need not be: a ``WsSession`` sends everything, pings and requests
    alike, from the one thread that owns its socket, and only that thread asks its limiters.
    """

    def __init__(
        self,
        limit: int = 100,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"need limit >= 1 and window > 0, got {limit}, {window}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sent: deque[float] = deque()

    def wait_time(self) -> float:
        """0.0 when a message may go now, else seconds until a slot frees."""
        now = self._expire()
        over = len(self._sent) - self.limit
        if over < 0:
            return 0.0
        # ``record`` does not refuse, so more than ``limit`` may be in the window: the slot
        # frees when all but ``limit - 1`` of them have left it.
        return self._sent[over] + self.window - now

    def record(self) -> None:
        """A message went now (also when it had to go regardless, like a due ping)."""
        self._sent.append(self._expire())

    def try_acquire(self) -> bool:
        """Record and return True if a message may go now, else False."""
        now = self._expire()
        if len(self._sent) >= self.limit:
            return False
        self._sent.append(now)
        return True

    def _expire(self) -> float:
        """Forget send times that left the window; returns the clock reading used."""
        now = self._clock()
        cutoff = now - self.window
        sent = self._sent
        while sent and sent[0] <= cutoff:
            sent.popleft()
        return now
