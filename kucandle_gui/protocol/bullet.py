"""The connect token of ``POST /api/v1/bullet-public``, checked before anything uses it.

The reply decides where the app connects and how often it pings, so a wrong value is not
harmless: a zero or negative ping interval floods the uplink with pings, an interval of hours
gets the link dropped for silence, a pong timeout of zero drops every session at once, a
huge token swells every connect URL, and an ``http://`` endpoint is no WebSocket at all.
Intervals are clamped to the ranges below (KuCoin sends 18 s and 10 s); values that are not
positive finite numbers, endpoints that are not WebSocket URLs and tokens that cannot be one
make the whole reply malformed (``ProtocolError``), which the caller treats like any bad
reply: an error, a backoff and another try.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import ProtocolError

#: Ping period range (seconds). The floor keeps pings under half of KuCoin's 100
#: client messages per 10 s; the cap stays under the silence after which KuCoin drops a
#: client (about a minute).
MIN_PING_INTERVAL = 0.25
MAX_PING_INTERVAL = 50.0
#: Pong deadline range (seconds): a floor that a loopback answer meets, a cap that still
#: notices a dead link within a minute.
MIN_PING_TIMEOUT = 0.5
MAX_PING_TIMEOUT = 60.0
#: Longest token accepted (KuCoin's are a couple of hundred characters).
MAX_TOKEN_CHARS = 4096
#: Longest endpoint URL accepted (it is shown in the status bar).
MAX_ENDPOINT_CHARS = 512
#: Most instance servers read from one reply (KuCoin offers one).
MAX_INSTANCE_SERVERS = 16


@dataclass(frozen=True, slots=True)
class InstanceServer:
    """One WebSocket server offered by bullet-public; intervals converted to seconds."""

    endpoint: str
    encrypt: bool
    ping_interval: float
    ping_timeout: float


@dataclass(frozen=True, slots=True)
class BulletToken:
    """A public connect token and the servers it may be used on."""

    token: str
    servers: tuple[InstanceServer, ...]


def parse_bullet(data: Any, *, plain_allowed: bool = False) -> BulletToken:
    """The token and servers of a bullet-public reply's ``data``, checked and clamped.

    Endpoints must be ``wss://``; ``ws://`` only with ``plain_allowed``, which the caller
    grants when the REST API itself is plain ``http://`` (the local exchange), so that an
    encrypted API never hands the app over to an unencrypted socket.
    """
    if not isinstance(data, dict):
        raise ProtocolError(f"bullet-public data is not an object: {data!r:.80}")
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise ProtocolError("bullet-public gave no token")
    if len(token) > MAX_TOKEN_CHARS:
        raise ProtocolError(
            f"bullet-public token of {len(token)} characters (at most {MAX_TOKEN_CHARS})"
        )
    if not (token.isascii() and token.isprintable()) or " " in token:
        raise ProtocolError("bullet-public token has characters a token cannot have")
    servers = data.get("instanceServers")
    if not isinstance(servers, list) or not servers:
        raise ProtocolError("bullet-public gave no instance server")
    return BulletToken(
        token,
        tuple(_server(s, plain_allowed) for s in servers[:MAX_INSTANCE_SERVERS]),
    )


def _server(server: Any, plain_allowed: bool) -> InstanceServer:
    if not isinstance(server, dict):
        raise ProtocolError(f"instance server is not an object: {server!r:.80}")
    endpoint = server.get("endpoint")
    if not isinstance(endpoint, str) or len(endpoint) > MAX_ENDPOINT_CHARS:
        raise ProtocolError(f"instance server endpoint is not a URL: {endpoint!r:.80}")
    schemes = ("wss", "ws") if plain_allowed else ("wss",)
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
        _ = parts.port  # a malformed port raises here
    except ValueError as exc:
        raise ProtocolError(f"instance server endpoint is not a URL: {endpoint!r:.80}") from exc
    if parts.scheme not in schemes or not host:
        raise ProtocolError(
            f"instance server endpoint {endpoint!r:.80} is not a "
            f"{' or '.join(s + '://' for s in schemes)} URL"
        )
    encrypt = server.get("encrypt", True)
    if not isinstance(encrypt, bool):
        raise ProtocolError(f"instance server encrypt is not a boolean: {encrypt!r:.40}")
    return InstanceServer(
        endpoint=endpoint,
        encrypt=encrypt,
        ping_interval=_seconds(server, "pingInterval", MIN_PING_INTERVAL, MAX_PING_INTERVAL),
        ping_timeout=_seconds(server, "pingTimeout", MIN_PING_TIMEOUT, MAX_PING_TIMEOUT),
    )


def _seconds(server: dict[str, Any], field: str, low: float, high: float) -> float:
    """``server[field]`` (milliseconds, a positive finite number) in seconds, within
    ``[low, high]``."""
    value = server.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"instance server {field} is not a number: {value!r:.40}")
    try:
        milliseconds = float(value)
    except OverflowError:  # an integer beyond float range is not finite either
        milliseconds = math.inf
    if not math.isfinite(milliseconds) or milliseconds <= 0:
        raise ProtocolError(f"instance server {field} is not a positive duration: {value!r:.40}")
    return min(high, max(low, milliseconds / 1000.0))
