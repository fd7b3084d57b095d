"""Fault injection: the ways a real exchange misbehaves, switched on by tests at will.

Every method is thread-safe and meant to be called from the test thread while the exchange
runs. Standing faults (an outage, ignored pings, stall, refused tokens, slow welcome, REST
failures) are state the server consults; one-off actions on live connections (drop them, send
them a frame, expire their tokens) are carried out on the exchange's loop before the method
returns.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from kucandle_gui.protocol import REST_TOO_MANY_REQUESTS, error_message
from kucandle_gui.sim.tokens import TokenRegistry


class LiveConnections(Protocol):
    """What the server lets faults do to the connections it holds (each returns how many)."""

    def abort_all(self) -> int: ...

    def send_all(self, frame: str | bytes) -> int: ...

    def expire_all(self) -> int: ...


@dataclass
class RestFault:
    """A canned raw answer for the next ``remaining`` requests under ``path``; ``body`` may be
    made when the request comes (a page that must be as of that moment, like a real one)."""

    path: str
    remaining: int
    status: int
    body: str | Callable[[], str]
    headers: dict[str, str] = field(default_factory=dict)


class FaultControl:
    """The switchboard. ``clear()`` turns every standing fault off."""

    def __init__(self, tokens: TokenRegistry, connections: LiveConnections) -> None:
        self._tokens = tokens
        self._connections = connections
        self._lock = threading.Lock()
        self._out = False
        self._ignoring_pings = False
        self._stalled = False
        self._refusals = 0
        self._welcome_delay = 0.0
        self._errors_carry_connect_id = False
        self._rest_faults: deque[RestFault] = deque()

    # -- one-off actions on live connections ---------------------------------------------

    def drop_connections(self) -> int:
        """Abruptly close every WebSocket connection (transport aborted, no close frame)."""
        return self._connections.abort_all()

    def send_raw(self, frame: str | bytes) -> int:
        """Send this exact text (or binary) frame to every connection."""
        return self._connections.send_all(frame)

    def send_error(self, code: int, data: str, ident: str | None = None) -> int:
        """Send an ``error`` frame to every connection."""
        return self._connections.send_all(error_message(ident, code, data))

    def expire_tokens(self) -> int:
        """Expire every token issued so far; live connections get ``401 token is expired``
        and are closed, later connects with those tokens get the same."""
        self._tokens.expire_all()
        return self._connections.expire_all()

    # -- standing faults --------------------------------------------------------------------

    def outage(self, on: bool = True) -> int:
        """The network between client and exchange is down (a flaky Wi-Fi, a train tunnel):
        from now on every HTTP connection, REST or WebSocket, is cut before an answer, and
        turning it on cuts the live WebSocket connections too; returns how many were cut."""
        with self._lock:
            self._out = on
        return self.drop_connections() if on else 0

    def errors_with_connect_id(self, on: bool = True) -> None:
        """Answer refused requests with the connectId as error id instead of the request's
        (the docs allow both; a client must still tell which request failed)."""
        with self._lock:
            self._errors_carry_connect_id = on

    def ignore_pings(self, on: bool = True) -> None:
        """Stop answering JSON pings; pushes go on."""
        with self._lock:
            self._ignoring_pings = on

    def stall(self, on: bool = True) -> None:
        """Answer nothing and push nothing (no pushes, pongs, acks, error replies, nor the
        welcome of a new connection) while keeping sockets open; frames injected with
        ``send_raw``/``send_error`` still go out."""
        with self._lock:
            self._stalled = on

    def refuse_tokens(self, count: int = 1) -> None:
        """The next ``count`` connects get ``401 token is invalid`` and are closed."""
        with self._lock:
            self._refusals += count

    def delay_welcome(self, seconds: float) -> None:
        """New connections get their welcome this late; 0 = back to the configured delay."""
        with self._lock:
            self._welcome_delay = seconds

    def rest_fail(
        self,
        path: str,
        count: int,
        status: int,
        body: str | Callable[[], str],
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``count`` requests whose path starts with ``path`` get this raw answer
        (``body()`` called on the exchange's loop when each request comes, if callable)."""
        if count <= 0:
            return
        with self._lock:
            self._rest_faults.append(RestFault(path, count, status, body, dict(headers or {})))

    def rest_rate_limit(self, path: str, count: int = 1, reset_ms: int = 200) -> None:
        """HTTP 429 with KuCoin's body and rate-limit headers."""
        body = json.dumps({"code": REST_TOO_MANY_REQUESTS, "msg": "Too Many Requests"})
        headers = {
            "gw-ratelimit-limit": "2000",
            "gw-ratelimit-remaining": "0",
            "gw-ratelimit-reset": str(reset_ms),
        }
        self.rest_fail(path, count, 429, body, headers)

    def rest_server_error(self, path: str, count: int = 1) -> None:
        """HTTP 500 with a ``{code, msg}`` body."""
        body = json.dumps({"code": "500000", "msg": "Internal Server Error"})
        self.rest_fail(path, count, 500, body)

    def rest_malformed(self, path: str, count: int = 1) -> None:
        """HTTP 200 whose JSON body is cut off midway."""
        self.rest_fail(path, count, 200, '{"code":"200000","data":[["1729839600","67644.9",')

    def clear(self) -> None:
        """Every standing fault off (expired tokens stay expired)."""
        with self._lock:
            self._out = False
            self._ignoring_pings = False
            self._stalled = False
            self._refusals = 0
            self._welcome_delay = 0.0
            self._errors_carry_connect_id = False
            self._rest_faults.clear()

    # -- what the server consults -------------------------------------------------------------

    @property
    def out(self) -> bool:
        """An outage is on: cut every new HTTP connection."""
        with self._lock:
            return self._out

    @property
    def errors_carry_connect_id(self) -> bool:
        with self._lock:
            return self._errors_carry_connect_id

    @property
    def ignoring_pings(self) -> bool:
        with self._lock:
            return self._ignoring_pings

    @property
    def stalled(self) -> bool:
        with self._lock:
            return self._stalled

    @property
    def welcome_delay(self) -> float:
        """The injected welcome delay; 0 when none is set."""
        with self._lock:
            return self._welcome_delay

    def take_refusal(self) -> bool:
        """True (and one fewer left) if this connect is to be refused."""
        with self._lock:
            if self._refusals <= 0:
                return False
            self._refusals -= 1
            return True

    def take_rest_fault(self, path: str) -> RestFault | None:
        """The canned answer for a request to ``path``, if one is pending (used up by this)."""
        with self._lock:
            for fault in self._rest_faults:
                if path.startswith(fault.path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._rest_faults.remove(fault)
                    return fault
            return None
