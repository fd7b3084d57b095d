"""The built-in local exchange for demo mode, started off the UI thread.

Binding a port and starting the exchange's event loop takes a moment; the UI thread must not
wait for it. ``DemoExchange.start()`` returns at once and ``ready`` (its base URL) or
``failed`` (why) arrives later, as a queued signal on the UI thread.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from kucandle_gui.sim import LocalExchange, SimConfig

log = logging.getLogger(__name__)


class DemoExchange(QObject):
    """Starts the local exchange once, on its own thread; stops it on :meth:`stop`."""

    ready = Signal(str)  # base URL
    failed = Signal(str)  # why it could not start

    def __init__(self, config: SimConfig | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._config = config
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False
        #: The running exchange, once ``ready`` was emitted.
        self.exchange: LocalExchange | None = None

    def start(self) -> None:
        """Start the exchange unless it runs or is starting; returns at once."""
        with self._lock:
            if self._thread is not None or self._stopped:
                return
            self._thread = threading.Thread(
                target=self._run, name="kucandle-demo-start", daemon=True
            )
            self._thread.start()
        log.warning("demo mode: starting the local exchange (simulated prices)")

    def _run(self) -> None:
        # Imported here: aiohttp and the market model are not needed unless demo is asked for.
        try:
            from kucandle_gui.sim import LocalExchange, SimConfig

            exchange = LocalExchange(self._config or SimConfig()).start()
        except (OSError, RuntimeError, ImportError) as exc:
            log.warning("the demo exchange could not start: %s", exc)
            with self._lock:
                self._thread = None
            self.failed.emit(str(exc))
            return
        with self._lock:
            stopped = self._stopped
            if not stopped:
                self.exchange = exchange
        if stopped:  # closed while starting: nobody wants it any more
            exchange.stop()
            return
        log.info("demo exchange ready at %s", exchange.base_url)
        self.ready.emit(exchange.base_url)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the exchange, after a start under way has finished (the app is closing: its
        threads end with it). Idempotent."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        with self._lock:
            exchange, self.exchange = self.exchange, None
        if exchange is not None:
            exchange.stop()
