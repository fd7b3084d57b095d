"""SIGINT and SIGTERM: caught from the first moment of a run, honoured by whichever phase runs.

The command line installs the handlers before it imports anything heavy: a Ctrl+C raised as
``KeyboardInterrupt`` in the middle of Qt's import or of the window's start-up could abort the
process with a worker thread still running, and an early SIGTERM killed it before headless
mode could print its summary. Here a signal only records the request; each phase looks at it
where it can act on it safely, and ends through its one shutdown path: before the window exists
the run ends at once, the window closes as if the user had closed it, headless mode stops its
feed and prints its summary. Either way the exit code is 0.

The handler takes no lock (not even an Event's): it runs between two bytecodes of whatever the
main thread was doing, possibly while that code holds the same lock.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Whether a stop was asked for (by a signal, or by :meth:`request`)."""

    def __init__(self) -> None:
        self.signal: int | None = None

    @property
    def requested(self) -> bool:
        return self.signal is not None

    def request(self, signum: int = signal.SIGTERM, _frame: FrameType | None = None) -> None:
        """Record a stop request (the signal handler; also callable directly)."""
        self.signal = signum


def catch_stop_signals() -> StopRequest:
    """From now on SIGINT/SIGTERM are recorded in the returned request instead of raising or
    killing. Whoever started the process may have blocked them: they are unblocked here, so
    one that came before this code could run is honoured now instead of never."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        return stop  # only the main thread may install handlers (an embedding program's)
    for signum in STOP_SIGNALS:
        signal.signal(signum, stop.request)
    if hasattr(signal, "pthread_sigmask"):  # not on Windows
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    return stop
