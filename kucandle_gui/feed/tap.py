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
from collections.abc import Mapping
from typing import Any, Protocol

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


class GuardedTap:
    """A tap whose exceptions are caught: the first is logged with its traceback, the rest
    only counted (``failures``), so that a broken observer costs neither the feed nor the log."""

    def __init__(self, tap: FeedTap) -> None:
        self.tap = tap
        self.failures = 0
        self._lock = threading.Lock()

    def rest_answer(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        try:
            self.tap.rest_answer(method, path, params, status, headers, body)
        except Exception:
            self._failed("rest_answer")

    def rest_failure(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        status: int | None,
        failure: str | None,
        text: str,
    ) -> None:
        try:
            self.tap.rest_failure(method, path, params, status, failure, text)
        except Exception:
            self._failed("rest_failure")

    def ws_open(self, connect_id: str, url: str) -> None:
        try:
            self.tap.ws_open(connect_id, url)
        except Exception:
            self._failed("ws_open")

    def ws_received(self, connect_id: str, frame: str | bytes) -> None:
        try:
            self.tap.ws_received(connect_id, frame)
        except Exception:
            self._failed("ws_received")

    def ws_sent(self, connect_id: str, frame: str) -> None:
        try:
            self.tap.ws_sent(connect_id, frame)
        except Exception:
            self._failed("ws_sent")

    def ws_end(self, connect_id: str, reason: str, planned: bool) -> None:
        try:
            self.tap.ws_end(connect_id, reason, planned)
        except Exception:
            self._failed("ws_end")

    def _failed(self, method: str) -> None:
        """Called inside the ``except`` block, so that the log shows the traceback."""
        with self._lock:
            self.failures += 1
            first = self.failures == 1
        if first:
            log.exception(
                "the feed's tap failed in %s; its failures are ignored from now on", method
            )


def guarded(tap: FeedTap | None) -> GuardedTap | None:
    """``tap`` wrapped in a :class:`GuardedTap` (once: a guarded tap is returned as it is)."""
    if tap is None or isinstance(tap, GuardedTap):
        return tap
    return GuardedTap(tap)
