"""REST endpoints of the local exchange, answering as KuCoin's public API does.

Errors KuCoin reports inside HTTP 200 (bad parameters, unknown pair) are reported the same
way here: ``{"code": "400100", "msg": ...}``; a client must check ``code`` as it must there.
``/market/stats`` of an unlisted pair is no error on KuCoin: code 200000, the symbol echoed
and every statistic null (see :func:`unknown_stats`).
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
    Ticker,
    ticker_stats_record,
)
from kucandle_gui.sim.context import ExchangeContext
from kucandle_gui.sim.tickers import time_ms

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
            web.get("/api/v1/market/stats", self.stats),
            web.get("/api/v1/market/allTickers", self.all_tickers),
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

    async def stats(self, request: web.Request) -> web.Response:
        """One pair's 24 h statistics now, as KuCoin's strings."""
        symbol = request.query.get("symbol", "")
        now = self._ctx.clock.now()
        if not symbol:
            return failure(REST_INVALID_PARAMETER, "Invalid Parameter.")
        if symbol not in self._ctx.market.symbols:
            return ok(unknown_stats(symbol, time_ms(now)))
        loop = asyncio.get_running_loop()
        ticker = await loop.run_in_executor(None, self._ctx.tickers.ticker, symbol, now)
        return ok(stats_record(ticker))

    async def all_tickers(self, request: web.Request) -> web.Response:
        """Every listed pair's 24 h statistics at one moment: ``{"time", "ticker": [...]}``."""
        now = self._ctx.clock.now()
        symbols = list(self._ctx.market.symbols)
        loop = asyncio.get_running_loop()
        tickers = await loop.run_in_executor(None, self._ctx.tickers.tickers, symbols, now)
        rows = []
        for ticker in tickers:
            record = stats_record(ticker)
            del record["time"]
            rows.append({"symbol": ticker.symbol, "symbolName": ticker.symbol, **record})
        return ok({"time": time_ms(now), "ticker": rows})

    async def timestamp(self, request: web.Request) -> web.Response:
        """Simulated time in milliseconds: clients that sync to the server see the sim clock."""
        return ok(int(self._ctx.clock.now() * 1000))


#: Fields of a ``/market/stats`` record besides ``time`` and ``symbol``, in KuCoin's order.
_STATS_FIELDS = (
    "buy", "sell", "changeRate", "changePrice", "high", "low", "vol", "volValue", "last",
    "averagePrice", "takerFeeRate", "makerFeeRate", "takerCoefficient", "makerCoefficient",
)  # fmt: skip


def stats_record(ticker: Ticker) -> dict[str, Any]:
    """``/market/stats``'s record: the ticker's strings, KuCoin's usual fees, the average
    price of the 24 h (8 decimals, as KuCoin writes it), and no best bid/ask (null): the
    simulated market has trades but no order book."""
    fields = ticker_stats_record(ticker)
    average = ticker.turnover / ticker.volume if ticker.volume else 0.0
    fields |= {
        "buy": None,
        "sell": None,
        "averagePrice": f"{average:.8f}".rstrip("0").rstrip("."),
        "takerFeeRate": "0.001",
        "makerFeeRate": "0.001",
        "takerCoefficient": "1",
        "makerCoefficient": "1",
    }
    return {"time": fields["time"], "symbol": ticker.symbol} | {
        key: fields[key] for key in _STATS_FIELDS
    }


def unknown_stats(symbol: str, time: int) -> dict[str, Any]:
    """KuCoin's answer for a pair it does not list: the name echoed, every field null
    (recorded in ``bhftbootcamp/CryptoExchangeAPIs.jl``, ``src/Kucoin/Spot/API/Ticker.jl``)."""
    return {"time": time, "symbol": symbol} | dict.fromkeys(_STATS_FIELDS)


def _seconds(value: str | None) -> int:
    """A ``startAt``/``endAt`` value: whole non-negative seconds; absent = 0."""
    if value is None or value == "":
        return 0
    seconds = int(value)
    if seconds < 0:
        raise ValueError(value)
    return seconds
