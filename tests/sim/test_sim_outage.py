"""The local exchange's outage, request counters and TLS, seen from independent clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
import websocket

from kucandle_gui.sim import LocalExchange
from tests.sim.simclient import WsClient, bullet, wait_until

Connect = Callable[..., WsClient]
BTC_1MIN = "/market/candles:BTC-USDT_1min"
CERTS = Path(__file__).resolve().parent.parent / "feed" / "certs"


def test_an_outage_cuts_live_connections_and_every_new_one_until_it_ends(
    sim: LocalExchange, connect: Connect
) -> None:
    client = connect(sim.base_url)
    token, endpoint = bullet(sim.base_url)
    assert sim.faults.outage(True) == 1
    assert all(opcode != websocket.ABNF.OPCODE_CLOSE for opcode, _ in client.frames_until_closed())
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{sim.base_url}/api/v1/bullet-public", timeout=5)
    with pytest.raises((websocket.WebSocketException, ConnectionError)):
        websocket.create_connection(f"{endpoint}?{urlencode({'token': token})}", timeout=5)
    stats = sim.stats()
    assert stats.connections_cut == 2
    assert stats.rest_requests.get("/api/v1/bullet-public") == 2  # those before it only
    sim.faults.outage(False)
    connect(sim.base_url, connect_id="after").subscribe(BTC_1MIN)
    wait_until(lambda: sim.stats().active_connections == 1, what="connected after the outage")


def test_clear_ends_an_outage(sim: LocalExchange, connect: Connect) -> None:
    sim.faults.outage(True)
    sim.faults.clear()
    connect(sim.base_url)
    assert sim.stats().connections_cut == 0


def test_subscribes_and_unsubscribes_are_counted_granted_or_not(
    sim: LocalExchange, connect: Connect
) -> None:
    client = connect(sim.base_url)
    assert client.subscribe(BTC_1MIN)["type"] == "ack"
    assert client.subscribe("/market/candles:NOPE-USDT_1min", "sub-2")["type"] == "error"
    client.send({"id": "un-1", "type": "unsubscribe", "topic": BTC_1MIN, "response": True})
    assert client.reply_to("un-1")["type"] == "ack"
    stats = sim.stats()
    assert (stats.subscribe_requests, stats.unsubscribe_requests) == (2, 1)


def test_with_a_certificate_it_serves_https_and_names_a_wss_endpoint(
    make_exchange: Callable[..., LocalExchange],
) -> None:
    sim = make_exchange(tls=(str(CERTS / "server.pem"), str(CERTS / "server.key")))
    assert sim.base_url.startswith("https://127.0.0.1:")
    ca = str(CERTS / "ca.pem")
    reply = requests.post(f"{sim.base_url}/api/v1/bullet-public", timeout=5, verify=ca).json()
    server = reply["data"]["instanceServers"][0]
    assert server["endpoint"].startswith("wss://127.0.0.1:") and server["encrypt"] is True
    query = urlencode({"token": reply["data"]["token"], "connectId": "tls"})
    ws = websocket.create_connection(
        f"{server['endpoint']}?{query}", timeout=5, sslopt={"ca_certs": ca}
    )
    try:
        assert '"welcome"' in ws.recv()
    finally:
        ws.close()
    with pytest.raises(requests.exceptions.SSLError):  # no store but the test CA's knows it
        requests.get(f"{sim.base_url}/api/v1/timestamp", timeout=5)
