"""A hostile HTTP server for the REST client's tests, on a real loopback socket.

Each path answers as the test scripts it (``HostileServer.route``): endless or trickled
bodies, trickled headers, redirects, compressed bombs, replies with out-of-range values. The
server records what it was asked (``requests``) and whether a client hung up on a reply it
was still writing (``hung_up``). Writers that never end on their own stop when the client
hangs up or the server stops: no thread outlives a test.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: Writes the whole answer to one request; ``query`` holds its parameters.
Behaviour = Callable[["Handler", dict[str, str]], None]


class HostileServer:
    """Scripted answers per path on 127.0.0.1; use as a context manager."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.stop = threading.Event()
        #: Set when a client closed the connection while a reply was still being written.
        self.hung_up = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.hostile = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, path: str, behaviour: Behaviour) -> None:
        self.routes[path] = behaviour

    def asked(self, path: str) -> list[dict[str, str]]:
        """The queries of the requests made to ``path`` so far, in order."""
        return [query for _, p, query in self.requests if p == path]

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5.0)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    @property
    def hostile(self) -> HostileServer:
        return self.server.hostile

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests assert on what matters

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.hostile.requests.append((self.command, parts.path, query))
        behaviour = self.hostile.routes.get(parts.path)
        if behaviour is None:
            self.send_json({"code": "404000", "msg": "no such path"}, 404)
            return
        try:
            behaviour(self, query)
        except (BrokenPipeError, ConnectionResetError):
            self.hostile.hung_up.set()
            self.close_connection = True

    # -- writing helpers ------------------------------------------------------------------

    def send_bytes(
        self, body: bytes, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_json(
        self, payload: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.send_bytes(json.dumps(payload).encode(), status, headers)

    def write_until_stopped(self, piece: bytes, every: float = 0.0) -> None:
        """Write ``piece`` again and again (``every`` seconds apart) until the client hangs
        up or the server stops."""
        while not self.hostile.stop.is_set():
            self.wfile.write(piece)
            self.wfile.flush()
            if every:
                self.hostile.stop.wait(every)
        self.close_connection = True


# -- behaviours -------------------------------------------------------------------------------


def ok(data: Any) -> Behaviour:
    """KuCoin's success envelope around ``data``."""
    return json_reply({"code": "200000", "data": data})


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Behaviour:
    return lambda handler, query: handler.send_json(payload, status, headers)


def raw_reply(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Behaviour:
    return lambda handler, query: handler.send_bytes(body, status, headers)


def endless_body(declared: int | None = None) -> Behaviour:
    """A 200 whose body never ends (``declared``: the Content-Length it claims, if any)."""

    def answer(handler: Handler, query: dict[str, str]) -> None:
        handler.send_response(200)
        if declared is not None:
            handler.send_header("Content-Length", str(declared))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.write_until_stopped(b'{"code":"200000","data":[' + b" " * 65536)

    return answer


def trickled_body(every: float) -> Behaviour:
    """A 200 that announces a body and then sends one byte of it every ``every`` seconds."""

    def answer(handler: Handler, query: dict[str, str]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        handler.write_until_stopped(b" ", every)

    return answer


def trickled_headers(every: float) -> Behaviour:
    """A status line, then header bytes one at a time, every ``every`` seconds, never done."""

    def answer(handler: Handler, query: dict[str, str]) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        handler.write_until_stopped(b"a", every)

    return answer


def redirect(location: str, status: int = 302) -> Behaviour:
    return raw_reply(b"", status, {"Location": location})


def gzip_bomb(size: int) -> Behaviour:
    """A small gzip body that inflates to ``size`` bytes."""
    body = gzip.compress(b" " * size, compresslevel=9)
    return raw_reply(body, 200, {"Content-Encoding": "gzip", "Content-Type": "application/json"})


def candle_pages(page: Callable[[int, int], list[Any]]) -> Behaviour:
    """Candle pages made by ``page(startAt, endAt)``."""

    def answer(handler: Handler, query: dict[str, str]) -> None:
        rows = page(int(query["startAt"]), int(query["endAt"]))
        handler.send_json({"code": "200000", "data": rows})

    return answer


def row(time: int, price: float = 100.0) -> list[str]:
    """A well-formed KuCoin candle row starting at ``time``."""
    return [str(time), str(price), str(price), str(price + 1), str(price - 1), "2", "200"]


@contextmanager
def silent_listener() -> Iterator[str]:
    """``host:port`` of a TCP listener that accepts connections and never says a word (not
    even the TLS handshake's); connections are closed when the block ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5.0)
        for sock in accepted:
            sock.close()
        listener.close()
