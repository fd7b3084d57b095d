"""RestClient against the local exchange's REST server, with HTTP faults injected."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest

from kucandle_gui.feed.rest import (
    Cancelled,
    ExchangeUnreachable,
    KucoinApiError,
    RestClient,
)
from kucandle_gui.protocol import MAX_CANDLES_PER_REQUEST, candle_start
from kucandle_gui.sim import LocalExchange
from tests.helpers import fast_sim_config
from tests.sim.simclient import START

CANDLES = "/api/v1/market/candles"


def client_of(exchange: LocalExchange) -> RestClient:
    return RestClient(exchange.base_url, retry_base=0.01, retry_cap=0.05, max_attempts=4)


@pytest.fixture
def rest(exchange: LocalExchange) -> Iterator[RestClient]:
    client = client_of(exchange)
    yield client
    client.close()


@pytest.fixture(scope="module")
def frozen() -> Iterator[LocalExchange]:
    """Simulated time all but stopped at ``START``, far from the wall clock.

    Whether the open candle exists depends on the moment: a minute has no candle until its
    first trade, and some minutes have none at all (as on KuCoin). A running clock started at
    the wall clock would make that, and so these tests, depend on when they run.
    """
    with LocalExchange(fast_sim_config(start_time=START, clock_speed=1e-9)) as exchange:
        yield exchange


@pytest.fixture
def frozen_rest(frozen: LocalExchange) -> Iterator[RestClient]:
    client = client_of(frozen)
    yield client
    client.close()


def test_bullet_public_gives_a_token_and_the_instance_server(rest: RestClient) -> None:
    bullet = rest.bullet_public()
    assert bullet.token
    server = bullet.servers[0]
    assert server.endpoint.startswith("ws://127.0.0.1:")
    assert server.ping_interval == pytest.approx(0.4)
    assert server.ping_timeout == pytest.approx(0.8)
    assert rest.bullet_public().token != bullet.token


def test_candles_page_backwards_over_the_1500_row_cap(
    rest: RestClient, exchange: LocalExchange
) -> None:
    end = candle_start("1min", exchange.now()) - 600
    start = end - 2 * MAX_CANDLES_PER_REQUEST * 60
    candles = rest.candles("BTC-USDT", "1min", start, end)
    times = [c.time for c in candles]
    assert times == sorted(set(times))
    assert len(candles) > MAX_CANDLES_PER_REQUEST
    assert candles == exchange.truth("BTC-USDT", "1min", start, end)
    assert exchange.stats().rest_requests[CANDLES] >= 2


def test_recent_candles_end_with_the_open_candle(
    frozen_rest: RestClient, frozen: LocalExchange
) -> None:
    now = frozen_rest.server_time()
    assert abs(now - frozen.now()) < 120  # the exchange's clock, not the local one
    assert abs(now - time.time()) > 86400
    open_start = candle_start("1min", now)
    assert frozen.truth("ETH-USDT", "1min", open_start, open_start), "ETH-USDT traded by now"
    candles = frozen_rest.recent_candles("ETH-USDT", "1min", 100, now)
    assert 80 <= len(candles) <= 101
    assert candles[-1].time == candle_start("1min", now)
    assert candles == frozen.truth("ETH-USDT", "1min", int(now) - 100 * 60, int(now))


def test_recent_candles_of_a_silent_minute_end_with_the_last_traded_one(
    frozen_rest: RestClient, frozen: LocalExchange
) -> None:
    """No trade yet in the open minute: no open candle, as on KuCoin; nothing is made up."""
    now = frozen_rest.server_time()
    open_start = candle_start("1min", now)
    assert not frozen.truth("QUIET-USDT", "1min", open_start, open_start), "QUIET-USDT is silent"
    candles = frozen_rest.recent_candles("QUIET-USDT", "1min", 100, now)
    assert candles
    assert candles[-1].time < open_start
    assert candles == frozen.truth("QUIET-USDT", "1min", int(now) - 100 * 60, int(now))


def test_unknown_pair_raises_with_the_exchange_code_and_message(
    rest: RestClient, exchange: LocalExchange
) -> None:
    with pytest.raises(KucoinApiError) as caught:
        rest.candles("NOPE-USDT", "1min", 0, int(exchange.now()))
    assert caught.value.code == "400100"
    assert "not provided" in caught.value.msg
    assert exchange.stats().rest_requests[CANDLES] == 1, "a client error is not retried"


def test_rate_limit_is_retried_after_the_servers_hint(
    rest: RestClient, exchange: LocalExchange
) -> None:
    exchange.faults.rest_rate_limit(CANDLES, count=2, reset_ms=50)
    now = int(exchange.now())
    candles = rest.candles("BTC-USDT", "1min", now - 3600, now)
    assert candles
    assert exchange.stats().rest_requests[CANDLES] == 3


def test_server_errors_and_malformed_replies_are_retried(
    rest: RestClient, exchange: LocalExchange
) -> None:
    exchange.faults.rest_server_error(CANDLES, count=1)
    exchange.faults.rest_malformed(CANDLES, count=1)
    now = int(exchange.now())
    assert rest.candles("BTC-USDT", "1min", now - 3600, now)
    assert exchange.stats().rest_requests[CANDLES] == 3


def test_persistent_rate_limit_gives_up_with_a_typed_error(
    rest: RestClient, exchange: LocalExchange
) -> None:
    exchange.faults.rest_rate_limit(CANDLES, count=10, reset_ms=10)
    with pytest.raises(KucoinApiError) as caught:
        rest.candles("BTC-USDT", "1min", 0, int(exchange.now()))
    assert caught.value.code == "429000"
    assert caught.value.http_status == 429
    assert exchange.stats().rest_requests[CANDLES] == rest.max_attempts


def test_symbols_list_the_pairs(rest: RestClient) -> None:
    symbols = {s.symbol: s for s in rest.symbols()}
    assert symbols["BTC-USDT"].enable_trading
    assert symbols["BTC-USDT"].base_currency == "BTC"
    assert symbols["BTC-USDT"].quote_currency == "USDT"


def test_unreachable_exchange_raises_a_typed_error() -> None:
    client = RestClient("http://127.0.0.1:9", timeout=(1.0, 1.0))
    with pytest.raises(ExchangeUnreachable):
        client.bullet_public()


def test_cancel_interrupts_a_retry_wait(exchange: LocalExchange) -> None:
    cancel = threading.Event()
    client = RestClient(exchange.base_url, retry_base=30.0, retry_cap=30.0, cancel=cancel)
    exchange.faults.rest_server_error(CANDLES, count=5)
    waiting = threading.Event()
    announce = _OnRecord("retrying in", waiting)
    logging.getLogger("kucandle_gui.feed.rest").addHandler(announce)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.candles("BTC-USDT", "1min", 0, int(exchange.now()))
        except BaseException as exc:  # the test inspects it
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    try:
        assert waiting.wait(5.0), "the client never started its retry wait"
        cancel.set()
        worker.join(5.0)
    finally:
        logging.getLogger("kucandle_gui.feed.rest").removeHandler(announce)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert exchange.stats().rest_requests[CANDLES] == 1


class _OnRecord(logging.Handler):
    """Sets ``event`` when a log record containing ``text`` is emitted."""

    def __init__(self, text: str, event: threading.Event) -> None:
        super().__init__()
        self.text = text
        self.event = event

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()
