"""What the feed tells an observer of its traffic (a recorder): every REST attempt's outcome,
every WebSocket frame received and sent, when each session starts and ends.

The feed defines the protocol and calls it on its own threads (the feed, history and ticker
threads, the controller's REST thread), as the traffic happens; an observer satisfies it
structurally (``kucandle_gui.recording.Recorder`` does) and must return quickly, never
blocking on disk. The feed hands over what it saw, credentials included (the connect URL
holds the token): hiding them is the observer's part.

An observer that raises must not end the feed: :func:`guarded` wraps one so that its first
failure is logged and every failure ignored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol, cast

log = logging.getLogger(__name__)


class FeedTap(Protocol):
    """An observer of the feed's traffic; every method is called on a feed thread."""

    def rest_answer(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        """One REST attempt got an HTTP answer: ``path`` without the base URL, ``params`` as
        sent, the reply's headers and its body as the client parsed it (inflated)."""

    def rest_failure(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        status: int | None,
        failure: str | None,
        text: str,
    ) -> None:
        """One REST attempt got no usable answer: the HTTP status when the server answered
        (a redirect, a reply too large or cut off), the ``NetworkFailure`` value, why."""

    def ws_open(self, connect_id: str, url: str) -> None:
        """A connect attempt starts, to ``url`` (the token in it)."""

    def ws_received(self, connect_id: str, frame: str | bytes) -> None:
        """A frame came in (before it is parsed)."""

    def ws_sent(self, connect_id: str, frame: str) -> None:
        """A frame went out."""

    def ws_end(self, connect_id: str, reason: str, planned: bool) -> None:
        """The session is over (its connect may have failed): why, and whether the client
        chose to close it (stopped, token renewal) rather than lose it."""


#: The methods of :class:`FeedTap`, each of which :class:`GuardedTap` guards.
TAP_METHODS = ("rest_answer", "rest_failure", "ws_open", "ws_received", "ws_sent", "ws_end")


class GuardedTap:
    """A tap whose exceptions are caught: the first is logged with its traceback, the rest
    only counted (``failures``), so that a broken observer costs neither the feed nor the log.

    It has the methods of :class:`FeedTap` (:data:`TAP_METHODS`), each calling the tap's own.
    """

    def __init__(self, tap: FeedTap) -> None:
        self.tap = tap
        self.failures = 0
        self._lock = threading.Lock()
        for name in TAP_METHODS:
            setattr(self, name, self._guard(name, getattr(tap, name)))

    def _guard(self, name: str, method: Callable[..., object]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            try:
                method(*args)
            except Exception:
                self._failed(name)

        return call

    def _failed(self, method: str) -> None:
        """Called inside the ``except`` block, so that the log shows the traceback."""
        with self._lock:
            self.failures += 1
            first = self.failures == 1
        if first:
            log.exception(
                "the feed's tap failed in %s; its failures are ignored from now on", method
            )


def guarded(tap: FeedTap | None) -> FeedTap | None:
    """``tap`` wrapped in a :class:`GuardedTap` (once: a guarded tap is returned as it is)."""
    if tap is None or isinstance(tap, GuardedTap):
        return tap
    return cast(FeedTap, GuardedTap(tap))
