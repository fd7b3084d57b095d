"""Fixtures of the local-exchange tests: started exchanges and connected clients, all closed
after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kucandle_gui.sim import LocalExchange
from tests.sim.simclient import WsClient, sim_config


@pytest.fixture
def make_exchange() -> Iterator[Callable[..., LocalExchange]]:
    """Start exchanges with ``sim_config(**overrides)``; all are stopped after the test."""
    started: list[LocalExchange] = []

    def make(**overrides: Any) -> LocalExchange:
        exchange = LocalExchange(sim_config(**overrides)).start()
        started.append(exchange)
        return exchange

    yield make
    for exchange in started:
        exchange.stop()


@pytest.fixture
def sim(make_exchange: Callable[..., LocalExchange]) -> LocalExchange:
    return make_exchange()


@pytest.fixture
def connect() -> Iterator[Callable[..., WsClient]]:
    """``connect(base_url, **kwargs)`` opens a ``WsClient``; all are closed after the test."""
    opened: list[WsClient] = []

    def open_client(base_url: str, **kwargs: Any) -> WsClient:
        client = WsClient.open(base_url, **kwargs)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()
