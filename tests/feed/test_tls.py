"""wss:// trusts what https trusts, against the local exchange serving TLS.

The exchange's certificate (for 127.0.0.1) is signed by a test CA that no system or certifi
store knows: only a CA file naming it lets a client in. ``certs/`` holds that CA's
certificate and the server's certificate and key, valid for a hundred years; the CA's key was
thrown away. To make new ones: ``openssl req -x509`` a CA (``basicConstraints=critical,CA:TRUE``,
``keyUsage=critical,keyCertSign,cRLSign``), then a server certificate it signs with
``subjectAltName=IP:127.0.0.1,DNS:localhost`` and ``extendedKeyUsage=serverAuth``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests.certs

from kucandle_gui.feed import (
    ConnectionState,
    ErrorEvent,
    ErrorKind,
    FeedClient,
    NetworkFailure,
    StatusEvent,
)
from kucandle_gui.feed.connection import tls_options
from kucandle_gui.sim import LocalExchange
from tests.helpers import Consumer, EventRecorder, fast_feed_config, fast_sim_config

CERTS = Path(__file__).parent / "certs"
BTC = ("BTC-USDT", "1min")


@pytest.fixture
def tls_exchange() -> Iterator[LocalExchange]:
    config = fast_sim_config(tls=(str(CERTS / "server.pem"), str(CERTS / "server.key")))
    with LocalExchange(config) as exchange:
        yield exchange


@pytest.fixture(autouse=True)
def no_ca_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the machine running the tests sets, each test starts from certifi's file."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


def test_with_the_ca_file_rest_trusts_the_websocket_gets_through_too(
    tls_exchange: LocalExchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REST reads the CA file from ``REQUESTS_CA_BUNDLE``; a WebSocket on OpenSSL's default
    paths instead would get its token over https and then fail every wss:// connect."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(CERTS / "ca.pem"))
    events = EventRecorder()
    with FeedClient(
        tls_exchange.base_url, [BTC], config=fast_feed_config(), listener=events
    ) as feed:
        Consumer(feed).pump_until(lambda: feed.metrics().messages > 0)
        metrics = feed.metrics()
    live = events.wait_for(lambda e: isinstance(e, StatusEvent) and e.state is ConnectionState.LIVE)
    assert live.reason.startswith("wss://127.0.0.1:")
    assert (metrics.connect_attempts, metrics.errors) == (0, 0)
    assert tls_exchange.stats().connects == 1


def test_without_it_the_exchange_is_refused_as_tls_failure(tls_exchange: LocalExchange) -> None:
    events = EventRecorder()
    with FeedClient(tls_exchange.base_url, [BTC], config=fast_feed_config(), listener=events):
        failed = events.wait_for(lambda e: isinstance(e, ErrorEvent))
    assert (failed.kind, failed.failure, failed.host) == (
        ErrorKind.UNREACHABLE,
        NetworkFailure.TLS,
        tls_exchange.base_url.removeprefix("https://"),
    )
    assert tls_exchange.stats().connects == 0


def test_a_session_names_the_ca_file_or_directory_rest_uses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert tls_options() == {"ca_certs": requests.certs.where()}
    monkeypatch.setenv("CURL_CA_BUNDLE", str(CERTS / "ca.pem"))
    assert tls_options() == {"ca_certs": str(CERTS / "ca.pem")}
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(CERTS))  # first, and a directory
    assert tls_options() == {"ca_cert_path": str(CERTS)}
