"""The live WebSocket sessions, and the thread-safe doors through which faults reach them.

Sessions are added and removed on the exchange's loop; ``abort_all``/``send_all``/
``expire_all`` are called from other threads and run on that loop before returning.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kucandle_gui.sim.session import Session

#: How long a test thread waits for the loop to carry out a fault.
_CALL_TIMEOUT = 5.0
#: How long stop() lets clients answer the close frame before cutting them off.
_CLOSE_GRACE = 0.5


class SessionHub:
    def __init__(self) -> None:
        self._sessions: set[Session] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def add(self, session: Session) -> None:
        self._sessions.add(session)

    def remove(self, session: Session) -> None:
        self._sessions.discard(session)

    def abort_all(self) -> int:
        async def abort() -> int:
            sessions = list(self._sessions)
            for session in sessions:
                session.abort()
            return len(sessions)

        return self._on_loop(abort)

    def send_all(self, frame: str | bytes) -> int:
        async def send() -> int:
            sent = [await session.inject(frame) for session in list(self._sessions)]
            return sum(sent)

        return self._on_loop(send)

    def expire_all(self) -> int:
        async def expire() -> int:
            sessions = list(self._sessions)
            for session in sessions:
                await session.expire()
            return len(sessions)

        return self._on_loop(expire)

    async def close_all(self) -> None:
        """On the loop, at shutdown: close frames first, then cut whoever did not go."""
        sessions = list(self._sessions)
        if sessions:
            closing = [asyncio.ensure_future(s.close(1001, "server shutdown")) for s in sessions]
            await asyncio.wait(closing, timeout=_CLOSE_GRACE)
        for session in sessions:
            session.abort()

    def _on_loop(self, action: Callable[[], Coroutine[Any, Any, int]]) -> int:
        """Run ``action`` on the exchange's loop and wait for its result (0 if not running)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return 0
        return asyncio.run_coroutine_threadsafe(action(), loop).result(_CALL_TIMEOUT)
