"""One KuCoin WebSocket session: open, wait for welcome, send requests, keep alive, read.

A session lives on one thread (the feed thread) and owns its socket: every send and every
receive happens there, so no locks are needed and the uplink limit is enforced in one place.
It knows nothing of candles or reconnecting; it raises :class:`ConnectionLost` with a reason
and the owner decides what to do.

Keep-alive is KuCoin's JSON ping, sent every ``pingInterval`` whatever else is flowing (a
WebSocket ping frame does not count); a ping left unanswered for ``pingTimeout`` means the
link is dead even if the socket looks open. Silence is not: a quiet pair sends nothing.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

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
from .rest import BulletToken, InstanceServer

#: Error codes KuCoin sends when the token is refused (invalid or expired).
TOKEN_REJECTED = 401
#: KuCoin allows 100 client messages per 10 s; the server counts arrivals and we count
#: departures, so keep a margin for frames that travel at different speeds.
UPLINK_LIMIT = 95
UPLINK_WINDOW = 10.0
#: Bytes asked of the socket per read (see ``_ReadAheadWebSocket``).
READ_AHEAD = 65536
#: Seconds the feed thread steps off the GIL after a read that filled the whole read-ahead:
#: the socket holds a backlog, so the thread would otherwise run (and hold the GIL) for as
#: long as the backlog lasts, and the UI and worker threads would get a turn only when the
#: interpreter forces a switch, 5 ms of waiting at a time, often several in a row (measured
#: under a flood: UI stalls of 30-95 ms without this, 10-25 ms with it). About 2% of a
#: flood's throughput.
BACKLOG_YIELD = 0.0001


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


def session_url(server: InstanceServer, token: str, connect_id: str) -> str:
    """``endpoint?token=…&connectId=…`` with both values URL-encoded."""
    joiner = "&" if "?" in server.endpoint else "?"
    return server.endpoint + joiner + urlencode({"token": token, "connectId": connect_id})


class _ReadAheadWebSocket(websocket.WebSocket):
    """websocket-client, reading whatever the socket holds and decoding plain text frames.

    Two costs of websocket-client dominate a busy feed, and both go away here without
    changing what comes out:

    - It asks the socket for exactly the bytes it needs next: a frame's header, then its
      length, then its payload; three system calls per frame, each of which lets go of the
      GIL and must win it back from the worker and UI threads. This reads up to
      ``READ_AHEAD`` bytes at once (dozens of frames on a busy feed) and serves the pieces
      from memory: the same bytes in the same order. While a backlog lasts (a read fills
      the whole read-ahead) it pauses for ``BACKLOG_YIELD`` after each read, so that the
      other threads of the app get the GIL promptly.
    - Its frame decoding is pure Python, several microseconds a frame. The frame a KuCoin
      feed sends is nearly always one complete, unfragmented, unmasked text frame without
      extension bits; when the next frame is such a frame, lies wholly in the bytes read
      ahead, and websocket-client is between frames and between fragments, it is decoded
      here (``recv()`` returns its text, as websocket-client's would). Anything else (control
      frames, fragments, binary or masked frames, 64-bit lengths, a frame cut by the end of
      a read, trace logging on) goes through websocket-client as before.

    Made for ``enable_multithread=False`` (one thread owns the socket, as in ``WsSession``):
    the shortcut does not take websocket-client's read lock.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._ahead = b""
        self._ahead_pos = 0

    def recv(self) -> str | bytes:
        text = self._plain_text_frame()
        return super().recv() if text is None else text

    def _plain_text_frame(self) -> str | None:
        """The next frame's text when it is a plain text frame already read ahead, else None
        (nothing consumed). Like ``recv()``, raises ``UnicodeDecodeError`` for bad UTF-8."""
        ahead, pos = self._ahead, self._ahead_pos
        if len(ahead) - pos < 2 or ahead[pos] != 0x81:  # FIN, no RSV bits, text
            return None
        length = ahead[pos + 1]  # mask bit clear: < 128
        start = pos + 2
        if length == 126:
            start = pos + 4
            length = int.from_bytes(ahead[pos + 2 : start], "big")
        elif length > 126:
            return None  # a 64-bit length, or masked
        end = start + length
        if end > len(ahead):
            return None
        buffered, fragments = self.frame_buffer, self.cont_frame
        if (
            buffered.header is not None
            or buffered.recv_buffer
            or fragments.recving_frames is not None
            or websocket.isEnabledForTrace()
        ):
            return None
        self._ahead_pos = end
        return ahead[start:end].decode("utf-8")

    def _recv(self, bufsize: int) -> bytes:
        pos = self._ahead_pos
        if pos >= len(self._ahead):
            data = super()._recv(max(bufsize, READ_AHEAD))
            if len(data) >= READ_AHEAD:
                time.sleep(BACKLOG_YIELD)
            if len(data) <= bufsize:
                return data
            self._ahead, pos = data, 0
        end = pos + bufsize
        self._ahead_pos = end
        return self._ahead[pos:end]


class WsSession:
    """A single connection to one instance server with one token."""

    def __init__(
        self,
        bullet: BulletToken,
        timeouts: SessionTimeouts = SessionTimeouts(),
    ) -> None:
        self.server = bullet.servers[0]
        self.token = bullet.token
        self.timeouts = timeouts
        self.connect_id = uuid.uuid4().hex
        self._uplink = SlidingWindowLimiter(UPLINK_LIMIT, UPLINK_WINDOW)
        # Subscribes may not take the pings' share of the window: a ping held back by a
        # burst of subscribes would let the server drop us for silence.
        pings_per_window = math.ceil(UPLINK_WINDOW / self.server.ping_interval) + 1
        self._requests_uplink = SlidingWindowLimiter(
            max(1, UPLINK_LIMIT - pings_per_window), UPLINK_WINDOW
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
        try:
            # UTF-8 is still checked, strictly, by recv()'s decode (see _receive):
            # websocket-client's own check is a pure-Python loop over every byte.
            self._ws = websocket.create_connection(
                url,
                timeout=self.timeouts.connect,
                enable_multithread=False,
                skip_utf8_validation=True,
                class_=_ReadAheadWebSocket,
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
            if self._uplink.wait_time() > 0 or (
                not is_ping and self._requests_uplink.wait_time() > 0
            ):
                return
            self._outbox.popleft()
            self._uplink.record()
            if not is_ping:
                self._requests_uplink.record()
            (self._pings if is_ping else self._sent_at)[ident] = time.monotonic()
            try:
                self._ws.send(frame)
            except (websocket.WebSocketException, OSError) as exc:
                raise ConnectionLost(f"send failed: {exc}") from exc

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
        return parse_server_message(frame)
