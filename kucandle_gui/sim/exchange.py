"""``LocalExchange``: the simulator as an object a test, demo or benchmark starts and stops.

The aiohttp server runs on its own asyncio loop in a daemon thread, so callers stay plain
synchronous code; everything they may call while it runs (``now``, ``truth``, ``ticker``,
``stats``, ``faults``) is thread-safe.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import ssl
import threading
import time
from types import TracebackType

from aiohttp import web

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

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 2.0
#: How long shutdown waits for request handlers still running.
_SHUTDOWN_GRACE = 0.5


class LocalExchange:
    """A KuCoin-compatible exchange on 127.0.0.1: REST at ``base_url``, WebSocket at the
    endpoint ``bullet-public`` hands out."""

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
        self.base_url = ""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> LocalExchange:
        """Start serving; returns once the port listens."""
        if self._thread is not None:
            raise RuntimeError("the exchange is already running")
        ready = threading.Event()
        failures: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(ready, failures), name="local-exchange", daemon=True
        )
        self._thread.start()
        if not ready.wait(_START_TIMEOUT):
            raise RuntimeError("the local exchange did not start listening in time")
        if failures:
            self._thread.join()
            self._thread = None
            raise failures[0]
        return self

    def stop(self) -> None:
        """Close every connection and the server; joins the loop thread within 2 s."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(_STOP_TIMEOUT)
        if thread.is_alive():
            log.warning("the local exchange thread did not end within %ss", _STOP_TIMEOUT)
        self._thread = None

    def __enter__(self) -> LocalExchange:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

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

    def _serve(self, ready: threading.Event, failures: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            runner = loop.run_until_complete(self._listen())
        except BaseException as exc:  # reported to start(), which re-raises it
            failures.append(exc)
            loop.close()
            ready.set()
            return
        self._loop = loop
        self._hub.attach(loop)
        self._clock.start()
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._shutdown(runner))
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _listen(self) -> web.AppRunner:
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
        runner = web.AppRunner(build_app(ctx), shutdown_timeout=_SHUTDOWN_GRACE, access_log=None)
        await runner.setup()
        tls = None
        if self.config.tls is not None:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(*self.config.tls)
        site = web.TCPSite(runner, self.config.host, self.config.port, ssl_context=tls)
        await site.start()
        sockets = runner.addresses
        port = sockets[0][1]
        scheme = "http" if tls is None else "https"
        self.base_url = f"{scheme}://{self.config.host}:{port}"
        log.info("local exchange listening at %s", self.base_url)
        return runner

    async def _shutdown(self, runner: web.AppRunner) -> None:
        await self._hub.close_all()
        await runner.cleanup()
