"""``Loopback``: an aiohttp application served from its own asyncio loop in a daemon thread.

The local exchange and the replay are both servers that plain synchronous code (a test, the
app, a benchmark) starts and stops; this is what they share: the loop thread, a ``start`` that
returns once the port listens or raises what failed, and a ``stop`` that ends the thread within
``STOP_TIMEOUT`` even with connections open; and ``LoopbackService``, what a class built on it
offers alike (a ``with`` block, ``base_url``, ``running``). Imports nothing of the app, so that
both can use it.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from aiohttp import web

log = logging.getLogger(__name__)

LOOPBACK_HOST = "127.0.0.1"
#: How long ``start`` waits for the port to listen.
START_TIMEOUT = 10.0
#: How long ``stop`` waits for the loop thread to end.
STOP_TIMEOUT = 2.0


class Loopback:
    """Serves the application ``make_app`` builds, at ``base_url``, until ``stop``.

    The hooks run on the loop thread: ``make_app`` and ``on_listening`` before ``start``
    returns (``port``, ``base_url`` and ``loop`` are set when ``on_listening`` runs, the loop
    not yet running), ``on_closing`` on the loop at ``stop`` before the server closes (handlers
    still running get ``shutdown_grace`` seconds after it), ``on_closed`` once it is closed,
    just before the loop is. ``tls`` is (certificate file, key file) to serve https.
    """

    def __init__(
        self,
        make_app: Callable[[], web.Application],
        *,
        name: str,
        host: str = LOOPBACK_HOST,
        port: int = 0,
        tls: tuple[str, str] | None = None,
        shutdown_grace: float = 0.5,
        on_listening: Callable[[], None] | None = None,
        on_closing: Callable[[], Awaitable[None]] | None = None,
        on_closed: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.port = 0
        #: ``http://host:port`` (https with ``tls``); the last one served after ``stop``.
        self.base_url = ""
        self._make_app = make_app
        self._host = host
        self._requested_port = port
        self._tls = tls
        self._shutdown_grace = shutdown_grace
        self._on_listening = on_listening
        self._on_closing = on_closing
        self._on_closed = on_closed
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start serving; returns once the port listens, else raises what failed (the
        thread is then over) or ``RuntimeError`` after ``START_TIMEOUT``."""
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        ready = threading.Event()
        failures: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(ready, failures), name=self.name, daemon=True
        )
        self._thread.start()
        if not ready.wait(START_TIMEOUT):
            raise RuntimeError(f"{self.name} did not start listening within {START_TIMEOUT:g} s")
        if failures:
            self._thread.join()
            self._thread = None
            raise failures[0]

    def stop(self) -> bool:
        """Close the server and end the loop thread, waiting ``STOP_TIMEOUT`` at most; any
        thread, any number of times. False (and a warning) if the thread is still running."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return True
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT)
        self._thread = self._loop = None
        if thread.is_alive():
            log.warning("the %s thread did not end within %ss", self.name, STOP_TIMEOUT)
            return False
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop serving (for ``call_soon_threadsafe``); from ``on_listening`` to ``stop``."""
        if self._loop is None:
            raise RuntimeError(f"{self.name} is not listening")
        return self._loop

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
        if self._on_listening is not None:
            self._on_listening()
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._close(runner))
            loop.run_until_complete(loop.shutdown_default_executor())
            if self._on_closed is not None:
                self._on_closed()
            loop.close()

    async def _listen(self) -> web.AppRunner:
        runner = web.AppRunner(
            self._make_app(), shutdown_timeout=self._shutdown_grace, access_log=None
        )
        await runner.setup()
        try:
            context = None
            if self._tls is not None:
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                context.load_cert_chain(*self._tls)
            site = web.TCPSite(runner, self._host, self._requested_port, ssl_context=context)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = runner.addresses[0][1]
        scheme = "http" if context is None else "https"
        self.base_url = f"{scheme}://{self._host}:{self.port}"
        return runner

    async def _close(self, runner: web.AppRunner) -> None:
        try:
            if self._on_closing is not None:
                await self._on_closing()
        finally:
            await runner.cleanup()


class LoopbackService(ABC):
    """A server built on a ``Loopback`` (``_loopback``, set by ``__init__``): ``start`` and
    ``stop`` are its own, and a ``with`` block runs it."""

    _loopback: Loopback

    @abstractmethod
    def start(self) -> Self:
        """Start serving; returns once the port listens."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving; any thread, any number of times."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port`` (https when serving TLS); "" until started."""
        return self._loopback.base_url

    @property
    def running(self) -> bool:
        return self._loopback.running


async def send_frame(ws: web.WebSocketResponse, frame: str | bytes) -> bool:
    """Send one text (``str``) or binary (``bytes``) frame; False if the connection went away
    meanwhile (a server's sender then stops quietly)."""
    try:
        if isinstance(frame, bytes):
            await ws.send_bytes(frame)
        else:
            await ws.send_str(frame)
    except ConnectionError:
        return False
    return True
