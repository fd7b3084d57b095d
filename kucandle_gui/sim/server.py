"""The aiohttp application: REST and WebSocket on one server, as KuCoin's clients expect to
reach them (REST base URL, and the endpoint that ``bullet-public`` names)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from kucandle_gui.protocol import error_message
from kucandle_gui.sim.context import ExchangeContext
from kucandle_gui.sim.rest import WEBSOCKET_PATH, RestApi, failure
from kucandle_gui.sim.session import Session
from kucandle_gui.sim.tokens import TokenStatus

#: How long a close waits for the client's close frame.
_WS_CLOSE_TIMEOUT = 1.0
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(ctx: ExchangeContext) -> web.Application:
    app = web.Application(middlewares=[_rest_middleware(ctx)])
    app.add_routes(RestApi(ctx).routes())
    app.add_routes([web.get(WEBSOCKET_PATH, _websocket_handler(ctx))])
    return app


def _rest_middleware(ctx: ExchangeContext) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Cuts connections during an outage; counts REST requests, serves injected failures, and
    answers HTTP errors in JSON."""

    @web.middleware
    async def middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
        if ctx.faults.out and request.transport is not None:
            ctx.stats.count("connections_cut")
            request.transport.abort()  # the client sees the connection die, no answer
            raise web.HTTPServiceUnavailable()
        if request.path == WEBSOCKET_PATH:
            return await handler(request)
        ctx.stats.rest_request(request.path)
        fault = ctx.faults.take_rest_fault(request.path)
        if fault is not None:
            return web.Response(
                status=fault.status,
                text=fault.body() if callable(fault.body) else fault.body,
                content_type="application/json",
                headers=fault.headers,
            )
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return failure(f"{exc.status}000", exc.reason, status=exc.status)

    return middleware


def _websocket_handler(ctx: ExchangeContext) -> _Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        """Upgrade, check the token (KuCoin answers a bad one with an error frame, then
        closes), then serve the session."""
        ws = web.WebSocketResponse(autoping=False, timeout=_WS_CLOSE_TIMEOUT)
        await ws.prepare(request)
        token = request.query.get("token", "")
        connect_id = request.query.get("connectId") or uuid.uuid4().hex
        ctx.stats.connected(token, connect_id)
        status = TokenStatus.INVALID if ctx.faults.take_refusal() else ctx.tokens.status(token)
        if status is not TokenStatus.VALID:
            await ws.send_str(error_message(connect_id, 401, f"token is {status.value}"))
            await ws.close(message=f"token is {status.value}".encode())
            return ws
        await Session(ctx, ws, request.transport, connect_id).run()
        return ws

    return handler
