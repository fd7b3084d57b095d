"""One KuCoin WebSocket session: open, wait for welcome, send requests, keep alive, read.

A session lives on one thread (the feed thread) and owns its socket: every send and every
receive happens there, so no locks are needed and the uplink limit is enforced in one place.
It knows nothing of candles or reconnecting; it raises :class:`ConnectionLost` with a reason
and the owner decides what to do.

Keep-alive is KuCoin's JSON ping, sent every ``pingInterval`` whatever else is flowing (a
WebSocket ping frame does not count); a ping left unanswered for ``pingTimeout`` means the
link is dead even if the socket looks open. Silence is not: a quiet pair sends nothing.

Frames are read as :mod:`.reader` decides: read ahead, or by websocket-client's own ``recv``.
A wss:// connection trusts what REST trusts (:func:`tls_options`). A ``tap``
(:class:`.tap.FeedTap`) hears of the connect attempt and of every frame, in and out.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import requests.certs
import websocket

from kucandle_gui.protocol import (
    ErrorMessage,
    Pong,
    ProtocolError,
    ServerMessage,
    Welcome,
    parse_server_message,
    ping_message,
    subscribe_message,
    unsubscribe_message,
)

from .ratelimit import SlidingWindowLimiter
from .reader import Reader, default_reader
from .rest import BulletToken, InstanceServer
from .tap import FeedTap, guarded

#: Error codes KuCoin sends when the token is refused (invalid or expired).
TOKEN_REJECTED = 401
#: KuCoin allows 100 client messages per 10 s; the server counts arrivals and we count
#: departures, so keep a margin for frames that travel at different speeds.
UPLINK_LIMIT = 95
UPLINK_WINDOW = 10.0
#: Requests that may go back to back; the rest are spread at the window's pace, so that a storm
#: of pair switches cannot spend the whole window on wishes it then overrides, leaving the last
#: one to wait for the window to pass.
REQUEST_BURST = 10


class ConnectionLost(Exception):
    """The session is over; ``str(exc)`` says why in words a user can read."""

    def __init__(self, reason: str, *, token_rejected: bool = False) -> None:
        super().__init__(reason)
        self.token_rejected = token_rejected


@dataclass(frozen=True, slots=True)
class SessionTimeouts:
    """How long to wait for each step; ping period and pong deadline come from the server."""

    connect: float = 10.0
    welcome: float = 10.0
    ack: float = 10.0
    #: Longest a receive blocks before the owner's loop gets control back.
    poll: float = 0.1


def tls_options() -> dict[str, str]:
    """websocket-client's ``sslopt`` for a wss:// connection: the trust store REST uses.

    Left alone, websocket-client verifies against OpenSSL's compiled-in default paths, which
    in a bundled OpenSSL name one distribution's layout: on another host the token would come
    over https and every wss:// connect then fail its certificate check. requests verifies
    against ``REQUESTS_CA_BUNDLE``, else ``CURL_CA_BUNDLE``, else certifi's file (bundled with
    the app), a directory of certificates when the variable names one; so does this.
    """
    path = (
        os.environ.get("REQUESTS_CA_BUNDLE")
        or os.environ.get("CURL_CA_BUNDLE")
        or requests.certs.where()
    )
    return {"ca_cert_path" if os.path.isdir(path) else "ca_certs": path}


def session_url(server: InstanceServer, token: str, connect_id: str) -> str:
    """``endpoint?token=…&connectId=…`` with both values URL-encoded."""
    joiner = "&" if "?" in server.endpoint else "?"
    return server.endpoint + joiner + urlencode({"token": token, "connectId": connect_id})


class WsSession:
    """A single connection to one instance server with one token."""

    def __init__(
        self,
        bullet: BulletToken,
        timeouts: SessionTimeouts = SessionTimeouts(),
        reader: Reader | None = None,
        tap: FeedTap | None = None,
    ) -> None:
        self.server = bullet.servers[0]
        self.token = bullet.token
        self.timeouts = timeouts
        self.reader = reader if reader is not None else default_reader()
        self.connect_id = uuid.uuid4().hex
        self._tap = guarded(tap)
        self._uplink = SlidingWindowLimiter(UPLINK_LIMIT, UPLINK_WINDOW)
        # Subscribes may not take the pings' share of the window: a ping held back by a
        # burst of subscribes would let the server drop us for silence.
        pings_per_window = math.ceil(UPLINK_WINDOW / self.server.ping_interval) + 1
        requests = max(1, UPLINK_LIMIT - pings_per_window)
        burst = min(REQUEST_BURST, requests)
        self._request_limits = (
            SlidingWindowLimiter(requests, UPLINK_WINDOW),
            SlidingWindowLimiter(burst, UPLINK_WINDOW * burst / requests),
        )
        self._ids = itertools.count(time.time_ns())
        self._ws: websocket.WebSocket | None = None
        #: Frames waiting for the uplink limit, with their id and whether they are pings
        #: (pings jump the queue).
        self._outbox: deque[tuple[str, str, bool]] = deque()
        #: Requests not yet answered: id → description; and when each was sent.
        self._pending: dict[str, str] = {}
        self._sent_at: dict[str, float] = {}
        self._pings: dict[str, float] = {}
        self._next_ping = 0.0

    # -- lifecycle ----------------------------------------------------------------------

    def open(self, should_stop: Callable[[], bool]) -> None:
        """Connect and wait for ``welcome``; raises ``ConnectionLost`` if it does not come."""
        url = session_url(self.server, self.token, self.connect_id)
        if self._tap is not None:
            self._tap.ws_open(self.connect_id, url)
        try:
            # UTF-8 is still checked, strictly, by recv()'s decode (see _receive):
            # websocket-client's own check is a pure-Python loop over every byte.
            self._ws = websocket.create_connection(
                url,
                timeout=self.timeouts.connect,
                enable_multithread=False,
                skip_utf8_validation=True,
                class_=self.reader.socket_class,
                sslopt=tls_options(),
            )
        except (websocket.WebSocketException, OSError) as exc:
            raise ConnectionLost(f"cannot open {self.server.endpoint}: {exc}") from exc
        self._ws.settimeout(self.timeouts.poll)
        deadline = time.monotonic() + self.timeouts.welcome
        while not should_stop():
            if time.monotonic() > deadline:
                raise ConnectionLost(f"no welcome within {self.timeouts.welcome:g} s")
            try:
                message = self._receive()
            except ProtocolError as exc:
                raise ConnectionLost(f"bad frame instead of welcome: {exc}") from exc
            if isinstance(message, Welcome):
                self._next_ping = time.monotonic() + self.server.ping_interval
                return
            if isinstance(message, ErrorMessage) and message.code == TOKEN_REJECTED:
                raise ConnectionLost(f"token refused: {message.data}", token_rejected=True)

    def close(self) -> None:
        """Close politely but briefly; never raises."""
        if self._ws is not None:
            with contextlib.suppress(websocket.WebSocketException, OSError):
                self._ws.close(timeout=0.5)
            self._ws = None

    # -- requests -----------------------------------------------------------------------

    def request_room(self) -> bool:
        """Whether a request handed over now goes out at the next step: the uplink has room
        and no other request waits for it. The owner hands requests over one at a time, so
        that those still waiting stay with it, free to be merged or dropped."""
        waiting = bool(self._outbox) and not self._outbox[-1][2]  # pings queue at the front
        return not waiting and self._uplink.wait_time() <= 0 and not self._requests_held()

    def _requests_held(self) -> bool:
        return any(limit.wait_time() > 0 for limit in self._request_limits)

    def request(self, kind: str, topic: str) -> str:
        """Queue a subscribe or unsubscribe with ``response: true``; returns its id (a string)."""
        ident = str(next(self._ids))
        build = subscribe_message if kind == "subscribe" else unsubscribe_message
        self._outbox.append((build(ident, topic), ident, False))
        self._pending[ident] = f"{kind} {topic}"
        return ident

    def answered(self, ident: str | None) -> bool:
        """Forget a pending request once its ack or error arrived; True if it was ours."""
        self._sent_at.pop(ident, None)
        return ident is not None and self._pending.pop(ident, None) is not None

    # -- the loop step ------------------------------------------------------------------

    def step(self) -> ServerMessage | None:
        """Do the due housekeeping, then read at most one frame (``None`` when idle).

        Raises ``ConnectionLost`` when the link is dead, and ``ProtocolError`` for a frame
        that cannot be parsed (the session goes on: one bad frame is not a dead link).
        """
        now = time.monotonic()
        if now >= self._next_ping:
            self._queue_ping(now)
        self._check_deadlines(now)
        if self._outbox:
            self._flush()
        message = self._receive()
        if isinstance(message, Pong):
            self._pings.pop(message.id, None)
        return message

    def _queue_ping(self, now: float) -> None:
        ping_id = str(next(self._ids))
        self._outbox.appendleft((ping_message(ping_id), ping_id, True))
        self._next_ping = now + self.server.ping_interval

    def _check_deadlines(self, now: float) -> None:
        for sent_at in self._pings.values():
            if now - sent_at > self.server.ping_timeout:
                raise ConnectionLost(f"no pong within {self.server.ping_timeout:g} s")
        for ident, sent_at in self._sent_at.items():
            if now - sent_at > self.timeouts.ack:
                raise ConnectionLost(
                    f"no answer to {self._pending[ident]} within {self.timeouts.ack:g} s"
                )

    def _flush(self) -> None:
        assert self._ws is not None
        while self._outbox:
            frame, ident, is_ping = self._outbox[0]
            if self._uplink.wait_time() > 0 or (not is_ping and self._requests_held()):
                return
            self._outbox.popleft()
            self._uplink.record()
            if not is_ping:
                for limit in self._request_limits:
                    limit.record()
            (self._pings if is_ping else self._sent_at)[ident] = time.monotonic()
            try:
                self._ws.send(frame)
            except (websocket.WebSocketException, OSError) as exc:
                raise ConnectionLost(f"send failed: {exc}") from exc
            if self._tap is not None:
                self._tap.ws_sent(self.connect_id, frame)

    def _receive(self) -> ServerMessage | None:
        assert self._ws is not None
        try:
            frame = self._ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketException, OSError) as exc:
            raise ConnectionLost(f"connection dropped: {exc or type(exc).__name__}") from exc
        except UnicodeDecodeError as exc:
            # A text frame that is not UTF-8: RFC 6455 says fail the connection.
            raise ConnectionLost(f"connection dropped: text frame is not UTF-8: {exc}") from exc
        if frame == "" or frame == b"":
            # websocket-client returns an empty frame when the server closed the socket.
            raise ConnectionLost("connection closed by the exchange")
        if self._tap is not None:
            self._tap.ws_received(self.connect_id, frame)
        return parse_server_message(frame)
