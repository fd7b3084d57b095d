"""``Loopback`` on real sockets: it serves until stopped, says what kept it from listening,
and its stop ends the thread even while a request hangs."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from aiohttp import web

from kucandle_gui.loopback import Loopback

CERTS = Path(__file__).parent / "feed" / "certs"
NAME = "loopback-test"


def hello_app() -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    return app


def get(url: str, context: ssl.SSLContext | None = None) -> str:
    with urllib.request.urlopen(url, timeout=10, context=context) as response:
        return response.read().decode()


def threads_named(name: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == name]


def test_it_serves_from_its_thread_until_stopped() -> None:
    hooks: list[tuple[str, str]] = []

    async def closing() -> None:
        hooks.append(("closing", threading.current_thread().name))

    server = Loopback(
        hello_app,
        name=NAME,
        on_listening=lambda: hooks.append(("listening", threading.current_thread().name)),
        on_closing=closing,
        on_closed=lambda: hooks.append(("closed", threading.current_thread().name)),
    )
    server.start()
    try:
        assert server.running and server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert get(server.base_url + "/") == "hello"
        called = threading.Event()
        server.loop.call_soon_threadsafe(called.set)
        assert called.wait(5)
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
        assert hooks == [("listening", NAME)]
    finally:
        assert server.stop()

    assert hooks == [("listening", NAME), ("closing", NAME), ("closed", NAME)]
    assert not server.running and threads_named(NAME) == []
    with pytest.raises(urllib.error.URLError):
        get(server.base_url + "/")
    with pytest.raises(RuntimeError, match="not listening"):
        server.loop  # noqa: B018


def test_it_serves_https_with_a_certificate() -> None:
    server = Loopback(
        hello_app, name=NAME, tls=(str(CERTS / "server.pem"), str(CERTS / "server.key"))
    )
    server.start()
    try:
        assert server.base_url.startswith("https://")
        trusting = ssl.create_default_context(cafile=str(CERTS / "ca.pem"))
        assert get(server.base_url + "/", trusting) == "hello"
    finally:
        server.stop()


def test_a_port_in_use_is_raised_by_start_and_no_thread_is_left() -> None:
    listening: list[str] = []
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        server = Loopback(
            hello_app, name=NAME, port=port, on_listening=lambda: listening.append("")
        )
        with pytest.raises(OSError) as failure:
            server.start()

    assert failure.value.errno is not None and str(port) in str(failure.value)
    assert listening == [] and not server.running and threads_named(NAME) == []
    assert server.stop()
    server.start()  # the port is free now: the same object starts again
    assert listening == [""]
    server.stop()


def test_a_missing_certificate_is_raised_by_start() -> None:
    server = Loopback(hello_app, name=NAME, tls=("missing.pem", "missing.key"))

    with pytest.raises(FileNotFoundError):
        server.start()

    assert not server.running and threads_named(NAME) == []


def test_stop_ends_the_thread_while_a_request_hangs_and_again_does_nothing() -> None:
    entered = threading.Event()

    async def hang(request: web.Request) -> web.Response:
        entered.set()
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    def hanging_app() -> web.Application:
        app = web.Application()
        app.router.add_get("/", hang)
        return app

    server = Loopback(hanging_app, name=NAME, shutdown_grace=0.1)
    assert server.stop()  # never started: nothing to do
    server.start()
    failures: list[Exception] = []

    def client() -> None:
        try:
            get(server.base_url + "/")
        except Exception as exc:  # the cut is what this thread waits for
            failures.append(exc)

    requesting = threading.Thread(target=client)
    requesting.start()
    assert entered.wait(5)

    assert server.stop()  # the thread ended within STOP_TIMEOUT despite the hanging handler
    requesting.join(10)
    assert not requesting.is_alive() and len(failures) == 1
    assert threads_named(NAME) == []
    assert server.stop()
