"""A recording played back (``--replay``), started off the UI thread.

Reading a recording takes a while (every REST answer is indexed before the first is served, and
a recording can be hundreds of megabytes); the window shows at once and must not wait for it.
``ReplayRunner.start()`` returns at once; ``ready`` (the replay server's base URL) or ``failed``
(why nothing can be replayed) arrives later as a queued signal on the UI thread, and
``finished`` once the recording has been played to its end. The same thread then waits for that
end, waking once a second to see whether it is still wanted: an idle window costs no CPU.

A replay's feed never renews its token by itself and waits long for acknowledgements
(:meth:`FeedConfig.led_by_server` with ``REPLAY_ACK_TIMEOUT``): the recording decides when
sessions end, and a paused replay holds back the answers it has not played yet.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from kucandle_gui.replay import ReplayExchange, ReplayOptions

log = logging.getLogger(__name__)

#: How long a replay's feed waits for an acknowledgement: a paused replay holds it back.
REPLAY_ACK_TIMEOUT = 86_400.0
#: How often the waiting thread looks whether the runner was stopped.
WATCH_S = 1.0


class ReplayRunner(QObject):
    """Starts the replay exchange once, on its own thread; stops it on :meth:`stop`."""

    ready = Signal(str)  # base URL
    failed = Signal(str)  # why nothing can be replayed
    finished = Signal()  # the recording was played to its end

    def __init__(self, options: ReplayOptions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.options = options
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        #: The running exchange, once ``ready`` was emitted.
        self.exchange: ReplayExchange | None = None

    def start(self) -> None:
        """Read the recording and start its server unless that is under way or done; returns
        at once."""
        with self._lock:
            if self._thread is not None or self._stopping.is_set():
                return
            self._thread = threading.Thread(
                target=self._run, name="kucandle-replay-start", daemon=True
            )
            self._thread.start()
        log.warning("replay: playing back %s (recorded prices, not live)", self.options.path)

    def _run(self) -> None:
        # Imported here: the reader and aiohttp are not needed unless a replay is asked for.
        from kucandle_gui.recording import RecordingUnreadable

        try:
            from kucandle_gui.replay import ReplayExchange

            exchange = ReplayExchange(self.options).start()
        except (RecordingUnreadable, OSError, RuntimeError, ImportError, ValueError) as exc:
            log.warning("cannot replay %s: %s", self.options.path, exc)
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a bug: said, rather than a bar that loads for ever
            log.exception("cannot replay %s", self.options.path)
            self.failed.emit(f"unexpected error: {exc!r:.200}")
            return
        with self._lock:
            stopped = self._stopping.is_set()
            if not stopped:
                self.exchange = exchange
        if stopped:  # closed while reading: nobody wants it any more
            exchange.stop()
            return
        log.info("replay of %s ready at %s", self.options.path, exchange.base_url)
        self.ready.emit(exchange.base_url)
        while not self._stopping.is_set():
            if exchange.finished.wait(WATCH_S) and not self._stopping.is_set():
                log.info("replay of %s finished", self.options.path)
                self.finished.emit()
                return

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the replay server (the app is closing, or the demo exchange takes over);
        a start under way is waited for, up to ``timeout``. Idempotent."""
        with self._lock:
            self._stopping.set()
            thread = self._thread
            exchange, self.exchange = self.exchange, None
        if exchange is not None:
            exchange.stop()  # its thread only waits for the end now: it goes by itself
        elif thread is not None and thread is not threading.current_thread():
            thread.join(timeout)  # reading: the exchange is stopped as soon as it starts
