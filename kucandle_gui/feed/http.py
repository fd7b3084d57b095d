"""HTTP requests with a bounded reply: a size limit and a deadline for the whole response.

``requests``' timeout applies to each read, so a server that trickles a byte every few
seconds holds a request forever, and its body is read whole however long it is. Here every
request has a deadline: a timer shuts the request's socket down when it passes, whatever
phase (TLS handshake, headers, body) the request is in; the socket is found through the
connection classes of the session's pools. The body is streamed and reading stops past a
limit the caller gives; a compressed body is inflated against the same limit. Redirects are
never followed: the caller sees them as a reply that is not the protocol's.

Not covered: name resolution, which the system's resolver bounds, and connections through a
SOCKS proxy, whose pools keep their own connection classes (the per-read timeout still
applies).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import ssl
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .events import NetworkFailure

#: Bytes read from the socket at a time.
CHUNK = 64 * 1024
#: What a request raises when the connection fails or the server breaks HTTP.
_TRANSPORT_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)
#: Causes that tell why a request failed, the most telling first. urllib3's
#: ``NewConnectionError`` is a kind of ``TimeoutError``, which is why a refused connection
#: or a failed name lookup must be looked for first.
_FAILURES: tuple[tuple[NetworkFailure, type | tuple[type, ...]], ...] = (
    (NetworkFailure.DNS, (socket.gaierror, urllib3.exceptions.NameResolutionError)),
    (NetworkFailure.TLS, (ssl.SSLError, urllib3.exceptions.SSLError)),
    (NetworkFailure.REFUSED, ConnectionRefusedError),
    (NetworkFailure.TIMEOUT, (TimeoutError, urllib3.exceptions.TimeoutError, requests.Timeout)),
    # The server hung up or broke the protocol after the connection was made.
    (NetworkFailure.SERVER, (http.client.HTTPException, urllib3.exceptions.ProtocolError)),
)
#: A Content-Length worth reading: ASCII digits, few enough for ``int``.
_DIGITS = re.compile(r"[0-9]{1,30}")
#: Content encodings the session asks for and inflates itself (against the size limit).
_INFLATERS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class HttpFailure(Exception):
    """No usable reply: ``failure`` says why; ``status`` is the HTTP status when the server
    answered (a redirect, a reply too large or cut off), else ``None``."""

    def __init__(self, text: str, failure: NetworkFailure | None, status: int | None = None):
        super().__init__(text)
        self.failure = failure
        self.status = status


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: Any  # requests' case-insensitive mapping
    body: bytes

    def json(self) -> Any:
        """The body as strict JSON (no ``NaN``/``Infinity``); ``ValueError`` if it is not."""
        try:
            return json.loads(self.body.decode("utf-8"), parse_constant=_no_constant)
        except RecursionError as exc:  # nested deeper than any reply of KuCoin's
            raise ValueError("JSON nested too deeply") from exc

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class BoundedSession:
    """A ``requests.Session`` whose requests each have a deadline and a size limit."""

    def __init__(self, timeout: tuple[float, float], deadline: float) -> None:
        self.timeout = timeout
        self.deadline = deadline
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "kucandle-gui"
        self.session.headers["Accept-Encoding"] = ", ".join(_INFLATERS)
        adapter = _WatchedAdapter()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def fetch(self, method: str, url: str, params: dict[str, Any] | None, limit: int) -> Reply:
        """The reply to one request, its body at most ``limit`` bytes (``HttpFailure`` else)."""
        with _Deadline(self.deadline) as deadline:
            try:
                reply = self._fetch(method, url, params, limit)
            except HttpFailure:
                if deadline.expired:
                    raise deadline.failure() from None
                raise
            except _TRANSPORT_ERRORS as exc:
                if deadline.expired:
                    raise deadline.failure() from exc
                raise HttpFailure(str(exc), classify(exc)) from exc
            if deadline.expired:  # the shutdown may pass for an orderly end of the reply
                raise deadline.failure()
            return reply

    def _fetch(self, method: str, url: str, params: dict[str, Any] | None, limit: int) -> Reply:
        response = self.session.request(
            method, url, params=params, timeout=self.timeout, stream=True, allow_redirects=False
        )
        with response:
            status = response.status_code
            if response.is_redirect:
                location = response.headers.get("Location", "")
                raise HttpFailure(
                    f"HTTP {status} redirect to {location[:200]!r}, not followed",
                    NetworkFailure.SERVER,
                    status,
                )
            declared = response.headers.get("Content-Length", "").strip()
            if _DIGITS.fullmatch(declared) and int(declared) > limit:
                raise _too_large(limit, status)
            body = bytearray()
            while chunk := response.raw.read(CHUNK, decode_content=False):
                body += chunk
                if len(body) > limit:
                    raise _too_large(limit, status)
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            return Reply(status, response.headers, _inflate(bytes(body), encoding, limit, status))


def classify(exc: BaseException) -> NetworkFailure | None:
    """What a person is told about a failed request: the most telling cause in its chain."""
    causes = list(_causes(exc))
    for failure, kinds in _FAILURES:
        if any(isinstance(c, kinds) for c in causes):
            return failure
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: causes, contexts, urllib3's ``reason`` and exception args."""
    seen: list[BaseException] = []
    pending = [exc]
    while pending and len(seen) < 32:
        current = pending.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        yield current
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        inner += list(current.args)
        pending += [e for e in inner if isinstance(e, BaseException)]


def _inflate(body: bytes, encoding: str, limit: int, status: int) -> bytes:
    if encoding in ("", "identity"):
        return body
    if encoding not in _INFLATERS:
        raise HttpFailure(
            f"reply in an encoding not asked for: {encoding[:40]!r}", NetworkFailure.SERVER, status
        )
    inflater = zlib.decompressobj(_INFLATERS[encoding])
    try:
        plain = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise HttpFailure(
            f"{encoding} reply cannot be inflated: {exc}", NetworkFailure.SERVER, status
        ) from exc
    if len(plain) > limit:
        raise _too_large(limit, status)
    return plain


def _too_large(limit: int, status: int) -> HttpFailure:
    return HttpFailure(f"reply larger than {limit} bytes", NetworkFailure.TOO_LARGE, status)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


# -- the deadline -------------------------------------------------------------------------

_current = threading.local()


class _Deadline:
    """The deadline of the calling thread's request: when it passes, the timer shuts down
    the sockets the request's connection registered (``watch``), which ends any read."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        _current.deadline = None
        self._timer.cancel()
        self._timer.join()
        with self._lock:
            for sock in self._socks:
                sock.close()
            self._socks.clear()

    def failure(self) -> HttpFailure:
        return HttpFailure(f"no complete reply within {self.seconds:g} s", NetworkFailure.TIMEOUT)

    def watch(self, sock: socket.socket) -> None:
        # A duplicate of the descriptor: it names the same connection even after TLS has
        # taken the original over, and closing it later leaves the connection open.
        try:
            duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type, sock.proto)
        except OSError:
            return
        with self._lock:
            self._socks.append(duplicate)
            if self.expired:
                _shut(duplicate)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)


def _watch(sock: socket.socket | None) -> None:
    deadline: _Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _Watched:
    """Connection mixin: registers the socket with the deadline of the request using it."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)  # a kept-alive connection: its socket is already there
        super().request(*args, **kwargs)


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {
    "http": (HTTPConnectionPool, _WatchedHTTPPool),
    "https": (HTTPSConnectionPool, _WatchedHTTPSPool),
}


class _WatchedAdapter(HTTPAdapter):
    """Pools whose connections register their sockets with the running request's deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _use_watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_watched_pools(manager)
        return manager


def _use_watched_pools(manager: Any) -> None:
    classes = dict(manager.pool_classes_by_scheme)
    for scheme, (stock, watched) in _WATCHED_POOLS.items():
        if classes.get(scheme) is stock:
            classes[scheme] = watched
    manager.pool_classes_by_scheme = classes
