"""Fixtures of the feed tests: the session and client tests run once per frame reader.

Sessions read frames with ``ReadAheadWebSocket`` when websocket-client has the internals it
needs, else with websocket-client's own ``recv`` (:mod:`kucandle_gui.feed.reader`). Both
must behave alike, so the modules in ``READER_MODULES`` run over each; the other feed tests
open no session, and running them twice would only double their time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kucandle_gui.feed import connection
from kucandle_gui.feed.connection import SessionTimeouts, WsSession
from kucandle_gui.feed.reader import Reader, default_reader
from kucandle_gui.feed.rest import RestClient
from kucandle_gui.sim import LocalExchange

#: Test modules whose sessions run over every reader.
READER_MODULES = ("test_connection", "test_client", "test_client_faults")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rpartition(".")[2]
    if module in READER_MODULES and "frame_reader" in metafunc.fixturenames:
        metafunc.parametrize("frame_reader", [r.value for r in Reader], indirect=True)


@pytest.fixture(autouse=True)
def frame_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Reader:
    """The reader new sessions use in this test: each in turn in ``READER_MODULES``, else
    the one the installed websocket-client allows."""
    installed = default_reader()
    if not hasattr(request, "param"):
        return installed
    reader = Reader(request.param)
    if reader is Reader.READ_AHEAD and installed is not Reader.READ_AHEAD:
        pytest.skip("the installed websocket-client lacks what the read-ahead needs")
    monkeypatch.setattr(connection, "default_reader", lambda: reader)
    return reader


@pytest.fixture
def live_session(exchange: LocalExchange, frame_reader: Reader) -> Iterator[WsSession]:
    """A session with the local exchange, its welcome read; closed after the test."""
    rest = RestClient(exchange.base_url)
    try:
        bullet = rest.bullet_public()
    finally:
        rest.close()
    session = WsSession(bullet, SessionTimeouts(connect=2.0, welcome=2.0, ack=5.0, poll=0.05))
    session.open(lambda: False)
    yield session
    session.close()
