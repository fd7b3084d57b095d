"""Work handed to the feed thread by other threads.

The feed thread owns the series and the socket, so nothing else touches them: other threads
(the consumer's subscribe calls, the history thread's results) post callables here, and the
feed thread runs them between two socket reads, or at once while it waits to reconnect.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class CommandQueue:
    """Callables run in order by the one thread that owns the feed's state; any thread posts."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._commands: deque[Callable[[], None]] = deque()
        #: Set when a command is posted, so that a waiting owner runs it at once.
        self._wakeup = threading.Event()

    def __bool__(self) -> bool:
        return bool(self._commands)

    def post(self, command: Callable[[], None]) -> None:
        self._commands.append(command)
        self._wakeup.set()

    def wake(self) -> None:
        """End a wait early (the stop event was set)."""
        self._wakeup.set()

    def run(self) -> None:
        """Run every command posted so far, and those they post."""
        while self._commands:
            self._commands.popleft()()

    def wait(self, seconds: float) -> bool:
        """Wait ``seconds``, running commands as they come; True if stopped meanwhile."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            self.run()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._wakeup.wait(remaining)
            self._wakeup.clear()
        return True
