"""``LocalExchange``: the simulator as an object a test, demo or benchmark starts and stops.

The aiohttp server runs on its own asyncio loop in a daemon thread (a
:class:`~kucandle_gui.loopback.Loopback`), so callers stay plain synchronous code; everything
they may call while it runs (``now``, ``truth``, ``ticker``, ``stats``, ``faults``) is
thread-safe.
"""

from __future__ import annotations

import itertools
import logging
import time

from aiohttp import web

from kucandle_gui.loopback import Loopback, LoopbackService
from kucandle_gui.protocol import Candle, Ticker
from kucandle_gui.sim.clock import SimClock
from kucandle_gui.sim.config import SimConfig
from kucandle_gui.sim.context import ExchangeContext
from kucandle_gui.sim.faults import FaultControl
from kucandle_gui.sim.hub import SessionHub
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.server import build_app
from kucandle_gui.sim.stats import ExchangeStats, StatsRecorder
from kucandle_gui.sim.symbols import spec_for
from kucandle_gui.sim.tickers import DailyStats
from kucandle_gui.sim.tokens import TokenRegistry

log = logging.getLogger(__name__)

#: How long shutdown waits for request handlers still running.
_SHUTDOWN_GRACE = 0.5


class LocalExchange(LoopbackService):
    """A KuCoin-compatible exchange on 127.0.0.1: REST at ``base_url`` (https with
    ``config.tls``), WebSocket at the endpoint ``bullet-public`` hands out."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        start_time = self.config.start_time
        if start_time is None:
            start_time = time.time()
        self._clock = SimClock(start_time, self.config.clock_speed)
        specs = [spec_for(symbol) for symbol in self.config.symbols]
        listing_time = start_time - self.config.history_days * 86400
        self.market = Market(self.config.seed, specs, listing_time)
        self._tickers = DailyStats(self.market)
        self._tokens = TokenRegistry(self.config.token_ttl)
        self._stats = StatsRecorder()
        self._hub = SessionHub()
        self.faults = FaultControl(self._tokens, self._hub)
        self._loopback = Loopback(
            self._build_app,
            name="local-exchange",
            host=self.config.host,
            port=self.config.port,
            tls=self.config.tls,
            shutdown_grace=_SHUTDOWN_GRACE,
            on_listening=self._on_listening,
            on_closing=self._hub.close_all,
        )

    def start(self) -> LocalExchange:
        """Start serving; returns once the port listens."""
        if self._loopback.running:
            raise RuntimeError("the exchange is already running")
        self._loopback.start()
        return self

    def stop(self) -> None:
        """Close every connection and the server; joins the loop thread within 2 s."""
        self._loopback.stop()

    def now(self) -> float:
        """Simulated time, in seconds."""
        return self._clock.now()

    def truth(self, symbol: str, timeframe: str, start: int, end: int) -> list[Candle]:
        """Candles with a start in [start, end], oldest first, as of now: what REST says
        (the open candle partial), without REST's 1500-row cap."""
        return self.market.candles(symbol, timeframe, start, end, self.now())

    def ticker(self, symbol: str, at: float | None = None) -> Ticker:
        """The 24 h statistics of ``symbol`` as of simulated time ``at`` (default now): what
        ``/market/stats``, ``allTickers`` and snapshot pushes say. A push's ``time`` (ms)
        given back as ``at=time / 1000`` gives exactly what was pushed.
        ``UnknownSymbolError`` (a ``KeyError``) for pairs the exchange does not list."""
        return self._tickers.ticker(symbol, self.now() if at is None else at)

    def stats(self) -> ExchangeStats:
        return self._stats.snapshot()

    # -- the loop thread ------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        ctx = ExchangeContext(
            config=self.config,
            clock=self._clock,
            market=self.market,
            tokens=self._tokens,
            faults=self.faults,
            stats=self._stats,
            hub=self._hub,
            tickers=self._tickers,
            snapshot_sequence=itertools.count(1),
        )
        return build_app(ctx)

    def _on_listening(self) -> None:
        log.info("local exchange listening at %s", self.base_url)
        self._hub.attach(self._loopback.loop)
        self._clock.start()
