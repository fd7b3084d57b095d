"""REST endpoints of the local exchange, answering as KuCoin's public API does.

Errors KuCoin reports inside HTTP 200 (bad parameters, unknown pair) are reported the same
way here: ``{"code": "400100", "msg": ...}``; a client must check ``code`` as it must there.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from aiohttp import web

from kucandle_gui.protocol import (
    MAX_CANDLES_PER_REQUEST,
    REST_INVALID_PARAMETER,
    REST_OK,
    TIMEFRAME_SECONDS,
)
from kucandle_gui.sim.context import ExchangeContext

WEBSOCKET_PATH = "/endpoint"


def ok(data: Any) -> web.Response:
    return web.json_response({"code": REST_OK, "data": data})


def failure(code: str, msg: str, status: int = 200) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status)


class RestApi:
    """Handlers bound to one exchange."""

    def __init__(self, ctx: ExchangeContext) -> None:
        self._ctx = ctx

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/v1/bullet-public", self.bullet_public),
            web.get("/api/v1/market/candles", self.candles),
            web.get("/api/v2/symbols", self.symbols),
            web.get("/api/v1/timestamp", self.timestamp),
        ]

    async def bullet_public(self, request: web.Request) -> web.Response:
        """A fresh token and the WebSocket endpoint on this same server."""
        config = self._ctx.config
        token = self._ctx.tokens.issue()
        self._ctx.stats.count("tokens_issued")
        scheme = "wss" if request.secure else "ws"
        server = {
            "endpoint": f"{scheme}://{request.host}{WEBSOCKET_PATH}",
            "encrypt": request.secure,
            "protocol": "websocket",
            "pingInterval": config.ping_interval_ms,
            "pingTimeout": config.ping_timeout_ms,
        }
        return ok({"token": token, "instanceServers": [server]})

    async def candles(self, request: web.Request) -> web.Response:
        """Rows newest first, at most 1500, the newest ones with a start in [startAt, endAt]."""
        query = request.query
        timeframe = query.get("type", "")
        try:
            start_at = _seconds(query.get("startAt"))
            end_at = _seconds(query.get("endAt"))
        except ValueError:
            return failure(REST_INVALID_PARAMETER, "Invalid Parameter.")
        if timeframe not in TIMEFRAME_SECONDS:
            return failure(REST_INVALID_PARAMETER, "Invalid Parameter.")
        symbol = query.get("symbol", "")
        market = self._ctx.market
        if symbol not in market.symbols:
            return failure(REST_INVALID_PARAMETER, "This pair is not provided at present.")
        now = self._ctx.clock.now()
        last_start = end_at or math.floor(now)
        rows = await asyncio.get_running_loop().run_in_executor(
            None,
            market.candles,
            symbol,
            timeframe,
            start_at,
            last_start,
            now,
            MAX_CANDLES_PER_REQUEST,
        )
        return ok([candle.to_kucoin() for candle in reversed(rows)])

    async def symbols(self, request: web.Request) -> web.Response:
        """Every listed pair, or those of one ``market`` (``USDS``, ``BTC``, ``ALTS``)."""
        wanted = request.query.get("market")
        market = self._ctx.market
        records = [market.spec(symbol).kucoin_record() for symbol in market.symbols]
        return ok([r for r in records if wanted is None or r["market"] == wanted])

    async def timestamp(self, request: web.Request) -> web.Response:
        """Simulated time in milliseconds: clients that sync to the server see the sim clock."""
        return ok(int(self._ctx.clock.now() * 1000))


def _seconds(value: str | None) -> int:
    """A ``startAt``/``endAt`` value: whole non-negative seconds; absent = 0."""
    if value is None or value == "":
        return 0
    seconds = int(value)
    if seconds < 0:
        raise ValueError(value)
    return seconds
