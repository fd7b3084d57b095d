"""RestClient against a hostile HTTP server: every reply bounded in size, time, count and
range, every value checked, no credentials in any message.

No timed assertions: a test that needs a deadline gives the client a small one and asserts
the failure it reports; without the bound, the test would hang (and time out) or fail.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kucandle_gui.feed.events import NetworkFailure
from kucandle_gui.feed.rest import (
    CANDLES_REPLY_LIMIT,
    MAX_RETRY_HINT,
    SMALL_REPLY_LIMIT,
    SYMBOLS_REPLY_LIMIT,
    Cancelled,
    ExchangeUnreachable,
    KucoinApiError,
    RestClient,
    RestError,
)
from kucandle_gui.protocol import (
    MAX_CANDLES_PER_REQUEST,
    MAX_PING_INTERVAL,
    MAX_PING_TIMEOUT,
    MAX_TOKEN_CHARS,
    MIN_PING_INTERVAL,
    MIN_PING_TIMEOUT,
)
from kucandle_gui.urls import QUOTE_LIMIT
from tests.feed.hostile import (
    HostileServer,
    candle_pages,
    endless_body,
    gzip_bomb,
    json_reply,
    ok,
    raw_reply,
    redirect,
    row,
    silent_listener,
    trickled_body,
    trickled_headers,
)

BULLET = "/api/v1/bullet-public"
CANDLES = "/api/v1/market/candles"
SYMBOLS = "/api/v2/symbols"
TIMESTAMP = "/api/v1/timestamp"
#: A minute boundary: the end of the ranges asked for.
END = 1_700_000_040
#: Connect and read timeouts no test waits for: only the whole-response deadline can end it.
NEVER = 1000.0
SERVER = {
    "endpoint": "wss://ws.example/endpoint",
    "encrypt": True,
    "protocol": "websocket",
    "pingInterval": 18000,
    "pingTimeout": 10000,
}


class BadRows:
    """An ``on_bad_rows`` callback that keeps what it is told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int, str]] = []

    def __call__(self, symbol: str, timeframe: str, dropped: int, reason: str) -> None:
        self.calls.append((symbol, timeframe, dropped, reason))


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def make_client() -> Iterator[Callable[..., RestClient]]:
    """Clients with quick retries (``overrides`` win), closed after the test."""
    made: list[RestClient] = []

    def make(api_url: str, **overrides: Any) -> RestClient:
        options: dict[str, Any] = {"retry_base": 0.01, "retry_cap": 0.05, "max_attempts": 2}
        client = RestClient(api_url, **(options | overrides))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def bad_rows() -> BadRows:
    return BadRows()


@pytest.fixture
def rest(
    hostile: HostileServer, make_client: Callable[..., RestClient], bad_rows: BadRows
) -> RestClient:
    return make_client(hostile.base_url, on_bad_rows=bad_rows)


def minutes(first: int, count: int) -> list[int]:
    """``count`` minute starts going back from ``first``, newest first (KuCoin's order)."""
    return [first - 60 * i for i in range(count)]


# -- candle paging ------------------------------------------------------------------------------


def test_a_page_of_rows_outside_the_range_ends_the_load_without_asking_again(
    hostile: HostileServer, rest: RestClient, bad_rows: BadRows
) -> None:
    hostile.route(
        CANDLES, candle_pages(lambda s, e: [row(t) for t in minutes(e + 60 * 1500, 1500)])
    )
    with pytest.raises(KucoinApiError) as caught:
        rest.candles("BTC-USDT", "1min", END - 3600, END)
    assert caught.value.code == "malformed"
    assert caught.value.failure is NetworkFailure.SERVER
    assert len(hostile.asked(CANDLES)) == 1
    [(symbol, timeframe, dropped, reason)] = bad_rows.calls
    assert (symbol, timeframe, dropped) == ("BTC-USDT", "1min", 1500)
    assert "outside" in reason


def test_a_server_that_repeats_its_page_cannot_keep_the_load_going(
    hostile: HostileServer, rest: RestClient
) -> None:
    """The same full page whatever is asked: the next page must end before its oldest row,
    so the repeat has no good row left and the load ends."""
    page = [row(t) for t in minutes(END, MAX_CANDLES_PER_REQUEST)]
    hostile.route(CANDLES, candle_pages(lambda s, e: page))
    with pytest.raises(KucoinApiError, match="no good row"):
        rest.candles("BTC-USDT", "1min", END - 10 * 86400, END)
    asked = hostile.asked(CANDLES)
    assert len(asked) == 2
    assert int(asked[1]["endAt"]) == END - 60 * (MAX_CANDLES_PER_REQUEST - 1) - 1


def test_a_load_stops_at_the_page_cap(
    hostile: HostileServer, make_client: Callable[..., RestClient]
) -> None:
    """Full pages with one good row each: every page moves on, by one candle only."""

    def crawling(start: int, end: int) -> list[Any]:
        newest = end // 60 * 60
        return [row(newest)] + [["malformed"]] * (MAX_CANDLES_PER_REQUEST - 1)

    hostile.route(CANDLES, candle_pages(crawling))
    rest = make_client(hostile.base_url, max_pages=3)
    with pytest.raises(RestError, match="3 pages"):
        rest.candles("BTC-USDT", "1min", END - 86400, END)
    assert len(hostile.asked(CANDLES)) == 3


def test_rows_off_the_candle_starts_are_dropped_and_the_good_ones_kept(
    hostile: HostileServer, rest: RestClient, bad_rows: BadRows
) -> None:
    good = minutes(END, 10)
    rows = [row(t) for t in good[:5]] + [row(good[5] + 17)] + [row(t) for t in good[5:]]
    hostile.route(CANDLES, candle_pages(lambda s, e: rows))
    candles = rest.candles("BTC-USDT", "1min", END - 3600, END)
    assert [c.time for c in candles] == sorted(good)
    [(_, _, dropped, reason)] = bad_rows.calls
    assert dropped == 1
    assert "not a 1min candle start" in reason
    assert str(good[5] + 17) in reason


def test_malformed_rows_cost_only_themselves(
    hostile: HostileServer, rest: RestClient, bad_rows: BadRows
) -> None:
    good = minutes(END, 6)
    impossible = row(good[0] - 600)
    impossible[4] = "1000"  # low above high
    bad = [["x"], "garbage", [str(good[0] - 660), "a", "1", "1", "1", "1", "1"], impossible]
    rows = [row(t) for t in good[:3]] + bad + [row(t) for t in good[3:]]
    hostile.route(CANDLES, candle_pages(lambda s, e: rows))
    candles = rest.candles("BTC-USDT", "1min", END - 3600, END)
    assert [c.time for c in candles] == sorted(good)
    assert all(c.low == 99.0 and c.high == 101.0 for c in candles)
    [(_, _, dropped, reason)] = bad_rows.calls
    assert dropped == 4
    assert "malformed" in reason


def test_a_candle_given_twice_with_other_values_is_not_drawn_at_all(
    hostile: HostileServer, rest: RestClient, bad_rows: BadRows
) -> None:
    good = minutes(END, 4)
    rows = [row(good[0]), row(good[1], 100.0), row(good[1], 200.0), row(good[2]), row(good[2])]
    rows.append(row(good[3]))
    hostile.route(CANDLES, candle_pages(lambda s, e: rows))
    candles = rest.candles("BTC-USDT", "1min", END - 3600, END)
    assert [c.time for c in candles] == sorted([good[0], good[2], good[3]])
    [(_, _, dropped, reason)] = bad_rows.calls
    assert dropped == 2
    assert "repeated" in reason


# -- size -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("declared", [None, 10**12], ids=["unannounced", "announced"])
def test_an_endless_body_is_cut_at_the_limit_and_the_connection_dropped(
    hostile: HostileServer, rest: RestClient, declared: int | None
) -> None:
    hostile.route(CANDLES, endless_body(declared))
    with pytest.raises(KucoinApiError) as caught:
        rest.candles("BTC-USDT", "1min", END - 3600, END)
    assert caught.value.failure is NetworkFailure.TOO_LARGE
    assert caught.value.code == "too-large"
    assert str(CANDLES_REPLY_LIMIT) in str(caught.value)
    assert hostile.hung_up.wait(5.0), "the client kept the connection of the endless reply"
    assert len(hostile.asked(CANDLES)) == 1, "a reply too large is not asked for again at once"


def test_a_compressed_bomb_is_cut_at_the_limit_once_inflated(
    hostile: HostileServer, rest: RestClient
) -> None:
    hostile.route(SYMBOLS, gzip_bomb(SYMBOLS_REPLY_LIMIT + 1))
    with pytest.raises(KucoinApiError) as caught:
        rest.symbols()
    assert caught.value.failure is NetworkFailure.TOO_LARGE


def test_a_huge_token_is_cut_at_the_reply_limit(hostile: HostileServer, rest: RestClient) -> None:
    hostile.route(BULLET, ok({"token": "t" * SMALL_REPLY_LIMIT, "instanceServers": [SERVER]}))
    with pytest.raises(KucoinApiError) as caught:
        rest.bullet_public()
    assert caught.value.failure is NetworkFailure.TOO_LARGE


def test_a_token_longer_than_any_real_one_is_malformed(
    hostile: HostileServer, rest: RestClient
) -> None:
    hostile.route(BULLET, ok({"token": "t" * (MAX_TOKEN_CHARS + 1), "instanceServers": [SERVER]}))
    with pytest.raises(KucoinApiError) as caught:
        rest.bullet_public()
    assert caught.value.code == "malformed"
    assert caught.value.failure is NetworkFailure.SERVER


# -- time -----------------------------------------------------------------------------------------


def deadline_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


@pytest.mark.parametrize(
    "behaviour", [trickled_body(0.05), trickled_headers(0.05)], ids=["body", "headers"]
)
def test_a_trickled_reply_fails_at_the_whole_response_deadline(
    hostile: HostileServer, make_client: Callable[..., RestClient], behaviour: Any
) -> None:
    """A byte every 50 ms never trips a read timeout: only the deadline ends it."""
    hostile.route(CANDLES, behaviour)
    hostile.route(TIMESTAMP, ok(1_700_000_000_000))
    rest = make_client(hostile.base_url, timeout=(NEVER, NEVER), deadline=0.5)
    with pytest.raises(ExchangeUnreachable) as caught:
        rest.candles("BTC-USDT", "1min", END - 3600, END)
    assert caught.value.failure is NetworkFailure.TIMEOUT
    assert "within 0.5 s" in str(caught.value)
    assert hostile.hung_up.wait(5.0)
    assert rest.server_time() == 1_700_000_000.0, "the client recovers for the next request"
    assert deadline_threads() == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_server_that_never_answers_fails_at_the_deadline(
    make_client: Callable[..., RestClient], scheme: str
) -> None:
    """Over https the silence falls in the TLS handshake, before any HTTP."""
    with silent_listener() as address:
        rest = make_client(f"{scheme}://{address}", timeout=(NEVER, NEVER), deadline=0.5)
        with pytest.raises(ExchangeUnreachable) as caught:
            rest.bullet_public()
    assert caught.value.failure is NetworkFailure.TIMEOUT
    assert caught.value.host == address


# -- failures, as a person would be told --------------------------------------------------------


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_a_name_that_does_not_resolve_is_a_dns_failure(
    make_client: Callable[..., RestClient],
) -> None:
    rest = make_client("http://user:secret@kucandle-test.invalid")
    with pytest.raises(ExchangeUnreachable) as caught:
        rest.bullet_public()
    assert caught.value.failure is NetworkFailure.DNS
    assert caught.value.host == "kucandle-test.invalid"
    assert "secret" not in str(caught.value)
    assert "kucandle-test.invalid" in str(caught.value)


def test_a_closed_port_is_a_refused_connection(make_client: Callable[..., RestClient]) -> None:
    port = free_port()
    with pytest.raises(ExchangeUnreachable) as caught:
        make_client(f"http://127.0.0.1:{port}").bullet_public()
    assert caught.value.failure is NetworkFailure.REFUSED
    assert caught.value.host == f"127.0.0.1:{port}"


def test_plain_http_where_tls_is_expected_is_a_tls_failure(
    hostile: HostileServer, make_client: Callable[..., RestClient]
) -> None:
    rest = make_client(hostile.base_url.replace("http://", "https://"))
    with pytest.raises(ExchangeUnreachable) as caught:
        rest.bullet_public()
    assert caught.value.failure is NetworkFailure.TLS


def test_a_refusal_in_kucoins_own_words_is_no_network_failure(
    hostile: HostileServer, rest: RestClient
) -> None:
    hostile.route(CANDLES, json_reply({"code": "400100", "msg": "This pair is not provided"}))
    with pytest.raises(KucoinApiError) as caught:
        rest.candles("NOPE-USDT", "1min", END - 3600, END)
    assert caught.value.code == "400100"
    assert caught.value.failure is None
    assert caught.value.host == rest.host


# -- values from the server ---------------------------------------------------------------------

BULLET_TEXT = (
    '{"code": "200000", "data": {"token": "abc", "instanceServers": [{"endpoint": %s, '
    '"encrypt": true, "protocol": "websocket", "pingInterval": %s, "pingTimeout": %s}]}}'
)


@pytest.mark.parametrize(
    ("endpoint", "interval", "timeout"),
    [
        ('"wss://ws.example/"', "0", "10000"),
        ('"wss://ws.example/"', "-18000", "10000"),
        ('"wss://ws.example/"', '"NaN"', "10000"),
        ('"wss://ws.example/"', "1e400", "10000"),
        ('"wss://ws.example/"', "null", "10000"),
        ('"wss://ws.example/"', "true", "10000"),
        ('"wss://ws.example/"', "NaN", "10000"),
        ('"wss://ws.example/"', "18000", "0"),
        ('"wss://ws.example/"', "18000", "-1"),
        ('"http://ws.example/"', "18000", "10000"),
        ('"wss:///endpoint"', "18000", "10000"),
        ("42", "18000", "10000"),
    ],
)
def test_bullet_values_out_of_reason_make_a_malformed_reply(
    hostile: HostileServer, rest: RestClient, endpoint: str, interval: str, timeout: str
) -> None:
    body = BULLET_TEXT % (endpoint, interval, timeout)
    hostile.route(BULLET, raw_reply(body.encode(), headers={"Content-Type": "application/json"}))
    with pytest.raises(KucoinApiError) as caught:
        rest.bullet_public()
    assert caught.value.failure is NetworkFailure.SERVER


@pytest.mark.parametrize(
    ("interval", "timeout", "expected"),
    [
        (10**12, 10**12, (MAX_PING_INTERVAL, MAX_PING_TIMEOUT)),
        (1, 1, (MIN_PING_INTERVAL, MIN_PING_TIMEOUT)),
        (18000, 10000, (18.0, 10.0)),
    ],
)
def test_ping_times_are_clamped_to_sane_ranges(
    hostile: HostileServer,
    rest: RestClient,
    interval: int,
    timeout: int,
    expected: tuple[float, float],
) -> None:
    server = SERVER | {"pingInterval": interval, "pingTimeout": timeout}
    hostile.route(BULLET, ok({"token": "abc", "instanceServers": [server]}))
    [got] = rest.bullet_public().servers
    assert (got.ping_interval, got.ping_timeout) == expected


def test_an_absurd_clock_is_a_malformed_reply(hostile: HostileServer, rest: RestClient) -> None:
    for absurd in (10**30, -5, "1700000000000", True):
        hostile.route(TIMESTAMP, ok(absurd))
        with pytest.raises(KucoinApiError) as caught:
            rest.server_time()
        assert caught.value.code == "malformed", absurd


def test_symbol_records_that_are_no_pairs_are_left_out(
    hostile: HostileServer, rest: RestClient
) -> None:
    good = {"symbol": "BTC-USDT", "name": "BTC-USDT", "baseCurrency": "BTC", "enableTrading": True}
    records = [
        good,
        "garbage",
        {"symbol": "../../etc"},
        {"symbol": 7},
        {"symbol": "ETH-USDT", "enableTrading": "false"},
        {"symbol": "SOL-USDT", "name": "x" * 10_000},
    ]
    hostile.route(SYMBOLS, ok(records))
    assert [s.symbol for s in rest.symbols()] == ["BTC-USDT"]


class CancelOnRetry(logging.Handler):
    """Keeps the delay the client announces for its retry, and cancels the wait at once."""

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self.cancel = cancel
        self.delays: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if found := re.search(r"retrying in ([0-9.]+) s", record.getMessage()):
            self.delays.append(float(found.group(1)))
            self.cancel.set()


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("gw-ratelimit-reset", str(10**15), MAX_RETRY_HINT),
        ("Retry-After", "1e300", MAX_RETRY_HINT),
        ("gw-ratelimit-reset", "nan", None),
        ("Retry-After", "-5", None),
    ],
)
def test_a_rate_limit_hint_is_capped_or_ignored(
    hostile: HostileServer,
    make_client: Callable[..., RestClient],
    header: str,
    value: str,
    expected: float | None,
) -> None:
    """``None``: the hint is no duration and the client's own backoff (≤ 0.05 s) applies."""
    body = {"code": "429000", "msg": "Too Many Requests"}
    hostile.route(CANDLES, json_reply(body, 429, {header: value}))
    cancel = threading.Event()
    rest = make_client(hostile.base_url, cancel=cancel)
    announce = CancelOnRetry(cancel)
    logger = logging.getLogger("kucandle_gui.feed.rest")
    logger.addHandler(announce)
    try:
        with pytest.raises(Cancelled):
            rest.candles("BTC-USDT", "1min", END - 3600, END)
    finally:
        logger.removeHandler(announce)
    [delay] = announce.delays
    if expected is None:
        assert delay <= 0.05
    else:
        assert delay == expected


def test_a_redirect_to_another_host_is_not_followed(
    hostile: HostileServer, rest: RestClient
) -> None:
    with HostileServer() as elsewhere:
        elsewhere.route(BULLET, ok({"token": "stolen", "instanceServers": [SERVER]}))
        target = elsewhere.base_url.replace("http://", "http://user:secret@") + BULLET
        hostile.route(BULLET, redirect(target))
        with pytest.raises(KucoinApiError) as caught:
            rest.bullet_public()
        assert elsewhere.requests == []
    assert caught.value.code == "redirect"
    assert caught.value.failure is NetworkFailure.SERVER
    assert "secret" not in str(caught.value)


# -- messages -----------------------------------------------------------------------------------


def test_credentials_and_long_server_text_never_reach_a_message_or_the_log(
    hostile: HostileServer,
    make_client: Callable[..., RestClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    chatter = "see http://admin:secret@internal.example/ " + "blah " * 2000
    hostile.route(CANDLES, json_reply({"code": "500000", "msg": chatter}, 500))
    rest = make_client(hostile.base_url.replace("http://", "http://user:secret@"))
    with (
        caplog.at_level(logging.WARNING, "kucandle_gui.feed.rest"),
        pytest.raises(KucoinApiError) as caught,
    ):
        rest.candles("BTC-USDT", "1min", END - 3600, END)
    assert "retrying" in caplog.text
    assert "secret" not in caplog.text
    assert "secret" not in str(caught.value)
    assert "internal.example" in caught.value.msg
    assert len(caught.value.msg) <= QUOTE_LIMIT
