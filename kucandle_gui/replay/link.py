"""One client WebSocket connection of a replay, as the player sees it: its connectId, the
requests waiting for their recorded answer, and the ways it can end."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass

from aiohttp import web

from kucandle_gui.loopback import send_frame
from kucandle_gui.replay.plan import RequestKey

#: Longest close reason sent (a close frame's payload is at most 125 bytes).
_MAX_REASON_BYTES = 120


@dataclass(frozen=True, slots=True)
class ClientRequest:
    """A subscribe or unsubscribe the client sent: its id, and whether it asked for an ack."""

    id: str
    response: bool


class Link:
    """A connection from the client; used on the server's loop only."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
        connect_id: str,
    ) -> None:
        self.connect_id = connect_id
        #: A frame of the current recorded session was played on it.
        self.playing = False
        #: Requests waiting for an answer the recorded session still holds, in arrival order.
        self.waiting: dict[RequestKey, deque[ClientRequest]] = {}
        self._ws = ws
        self._transport = transport

    @property
    def closed(self) -> bool:
        transport = self._transport
        return self._ws.closed or (transport is not None and transport.is_closing())

    async def send(self, frame: str | bytes) -> bool:
        """Send one frame; False if the connection is gone."""
        return not self.closed and await send_frame(self._ws, frame)

    async def close(self, reason: str) -> None:
        """A normal close (code 1000) with ``reason``."""
        message = reason.encode()[:_MAX_REASON_BYTES].decode(errors="ignore").encode()
        with contextlib.suppress(ConnectionError):
            await self._ws.close(code=1000, message=message)

    def abort(self) -> None:
        """Cut the TCP connection: no close frame, the client sees the link die."""
        if self._transport is not None:
            self._transport.abort()
