"""RestClient against the local exchange's REST server, with HTTP faults injected."""

from __future__ import annotations

import logging
import threading

import pytest

from kucandle_gui.feed.rest import (
    Cancelled,
    ExchangeUnreachable,
    KucoinApiError,
    RestClient,
)
from kucandle_gui.protocol import MAX_CANDLES_PER_REQUEST, candle_start
from kucandle_gui.sim import LocalExchange

CANDLES = "/api/v1/market/candles"


@pytest.fixture
def rest(exchange: LocalExchange):
    client = RestClient(exchange.base_url, retry_base=0.01, retry_cap=0.05, max_attempts=4)
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


def test_recent_candles_end_with_the_open_candle(rest: RestClient, exchange: LocalExchange) -> None:
    now = rest.server_time()
    assert abs(now - exchange.now()) < 120  # the exchange's clock, not the local one
    candles = rest.recent_candles("ETH-USDT", "1min", 100, now)
    assert 80 <= len(candles) <= 101
    assert candles[-1].time == candle_start("1min", now)


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
