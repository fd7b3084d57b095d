"""The aiohttp application of a replay: the WebSocket endpoint the rewritten bullet-public
names, and every other path answered from the recorded REST answers.

Bounded as a server on loopback must be: a client frame longer than ``MAX_CLIENT_FRAME``
ends its connection, a request body longer than ``MAX_REQUEST_BODY`` is refused, and at most
``MAX_CONNECTIONS`` WebSocket connections are served at once (the app uses one).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web

from kucandle_gui.replay.link import Link
from kucandle_gui.replay.player import Player
from kucandle_gui.replay.rest import RecordedRest

log = logging.getLogger(__name__)

WEBSOCKET_PATH = "/endpoint"
#: Longest frame a client may send (a subscribe of 100 topics is a few kB).
MAX_CLIENT_FRAME = 64 * 1024
MAX_REQUEST_BODY = 64 * 1024
MAX_CONNECTIONS = 8
#: How long a close waits for the client's close frame.
_CLOSE_TIMEOUT = 1.0
#: Longest connectId taken from a client (the app's are 32 hex digits).
_MAX_CONNECT_ID = 128
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ReplayServer:
    """The routes, and the connections open now (used on the loop only)."""

    def __init__(self, player: Player, rest: RecordedRest) -> None:
        self._player = player
        self._rest = rest
        self._links: set[Link] = set()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BODY)
        app.add_routes(
            [
                web.get(WEBSOCKET_PATH, self._websocket),
                web.route("*", "/{path:.*}", self._rest.handle),
            ]
        )
        return app

    def abort_all(self) -> None:
        """Cut every connection (shutdown: the client sees the link die)."""
        for link in list(self._links):
            link.abort()

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if len(self._links) >= MAX_CONNECTIONS:
            raise web.HTTPServiceUnavailable(text=f"at most {MAX_CONNECTIONS} connections")
        ws = web.WebSocketResponse(
            timeout=_CLOSE_TIMEOUT, max_msg_size=MAX_CLIENT_FRAME, compress=False
        )
        await ws.prepare(request)
        connect_id = request.query.get("connectId", "")[:_MAX_CONNECT_ID] or uuid.uuid4().hex
        link = Link(ws, request.transport, connect_id)
        self._links.add(link)
        try:
            await self._player.connected(link)
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._player.client_text(link, message.data)
                elif message.type is WSMsgType.ERROR:
                    log.info("replay connection %s failed: %s", connect_id, message.data)
        finally:
            self._links.discard(link)
            self._player.disconnected(link)
        return ws
