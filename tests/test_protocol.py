"""kucandle_gui.protocol against KuCoin's own payloads (``tests/data``, sources in its
SOURCES.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kucandle_gui import protocol
from kucandle_gui.protocol import (
    Ack,
    Candle,
    CandlePush,
    ErrorMessage,
    OtherMessage,
    Ping,
    Pong,
    ProtocolError,
    Subscribe,
    Unsubscribe,
    Welcome,
)

SAMPLES = Path(__file__).parent / "data"


def sample_text(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def sample(name: str) -> Any:
    return json.loads(sample_text(name))


def push_frame(candles: Any = None, time: Any = 1729842192785164840, **changes: Any) -> str:
    """The documented push with some fields replaced."""
    frame = sample("ws-candles-push.docs-new-2024.json")
    if candles is not None:
        frame["data"]["candles"] = candles
    frame["data"]["time"] = time
    frame.update(changes)
    return json.dumps(frame)


def test_samples_folder_is_there() -> None:
    assert len(list(SAMPLES.glob("*.json"))) >= 25


# --- server frames ---------------------------------------------------------------------


def test_welcome() -> None:
    assert protocol.parse_server_message(sample_text("ws-welcome.docs.json")) == Welcome(
        "hQvf8jkno"
    )


def test_pong_echoes_ping_id() -> None:
    ping = protocol.parse_client_message(sample_text("ws-ping.docs.json"))
    pong = protocol.parse_server_message(sample_text("ws-pong.docs.json"))
    assert pong == Pong("1545910590801")
    assert pong.id == ping.id


def test_ack_id_is_a_string_matching_the_numeric_subscribe_id() -> None:
    subscribe = protocol.parse_client_message(sample_text("ws-subscribe-candles.docs-new.json"))
    ack = protocol.parse_server_message(sample_text("ws-ack.docs.json"))
    assert ack == Ack("1545910660739")
    assert ack.id == subscribe.id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "ws-error-topic-not-found.sammchardy-docstring.json",
            ErrorMessage("1550868034537", 404, "topic /market/ticker:BTC-USDT is not found"),
        ),
        (
            "ws-error-token-expired.cryptofeed-1023.json",
            ErrorMessage("660fd6c84d0eab582c237b51", 401, "token is expired"),
        ),
        (
            "ws-error-token-expired.xchange-4740.json",
            ErrorMessage(None, 401, "token is expired"),
        ),
        (
            "ws-error-type-not-supported.ccxt-comment.json",
            ErrorMessage("1", 415, "type is not supported"),
        ),
        (
            "ws-error-subscription-limit.gocryptotrader-fixture.json",
            ErrorMessage(
                "019ae22f-4718-7da4-846d-999b085cc24a",
                509,
                "exceed max subscription count limitation of 400 per session",
            ),
        ),
    ],
)
def test_error_samples(name: str, expected: ErrorMessage) -> None:
    assert protocol.parse_server_message(sample_text(name)) == expected


@pytest.mark.parametrize(
    ("name", "topic", "timeframe", "candle", "time_ns"),
    [
        (
            "ws-candles-push.docs-new-2024.json",
            "/market/candles:BTC-USDT_1hour",
            "1hour",
            Candle(1729839600, 67644.9, 67724.8, 67243.8, 67437.6, 44.88321441, 3027558.991928447),
            1729842192785164840,
        ),
        (
            "ws-candles-push.legacy-docs-2020.json",
            "/market/candles:BTC-USDT_1hour",
            "1hour",
            Candle(1589968800, 9786.9, 9806.1, 9732.0, 9740.8, 27.45649579, 268280.09830877),
            1589970010253893337,
        ),
        (
            "ws-candles-push.jkorf-fixture-8hour.json",
            "/market/candles:BTC-USDT_8hour",
            "8hour",
            Candle(1589968800, 9786.9, 9806.1, 9732.0, 9740.8, 27.45649579, 268280.09830877),
            1589970010253893337,
        ),
        (
            "ws-candles-push.ccxt-comment-2021.json",
            "/market/candles:BTC-USDT_1min",
            "1min",
            Candle(1624881240, 34138.8, 34138.8, 34097.9, 34121.6, 3.06097133, 104430.955068564),
            1624881284466023700,
        ),
    ],
)
def test_candle_push_samples(
    name: str, topic: str, timeframe: str, candle: Candle, time_ns: int
) -> None:
    """Index 2 is CLOSE, 3 HIGH, 4 LOW; ``time`` stays an exact nanosecond int."""
    push = protocol.parse_server_message(sample_text(name))
    assert push == CandlePush(topic, "trade.candles.update", "BTC-USDT", timeframe, candle, time_ns)
    assert type(push.time_ns) is int


def test_bytes_frames_are_accepted() -> None:
    text = sample_text("ws-candles-push.docs-new-2024.json")
    assert protocol.parse_server_message(text.encode()) == protocol.parse_server_message(text)


def test_candles_add_subject_is_a_push() -> None:
    push = protocol.parse_server_message(push_frame(subject="trade.candles.add"))
    assert isinstance(push, CandlePush)
    assert push.subject == "trade.candles.add"
    assert push.candle.time == 1729839600


@pytest.mark.parametrize(
    "frame",
    [
        '{"id": "1", "type": "notice"}',
        '{"type": "command", "data": {}}',
        '{"topic": "/market/ticker:BTC-USDT", "type": "message", "subject": "trade.ticker",'
        ' "data": {"price": "1"}}',
    ],
)
def test_unknown_types_and_topics_are_other_messages(frame: str) -> None:
    message = protocol.parse_server_message(frame)
    assert isinstance(message, OtherMessage)
    assert message.raw == json.loads(frame)


@pytest.mark.parametrize(
    "frame",
    [
        "",
        "garbage",
        b"\xff\xfe\x00",
        '{"type": "message", "topic": "/market/candles:BTC-USDT_1min"',
        sample_text("ws-candles-push.docs-new-2024.json")[:-40],
        "[1, 2, 3]",
        '"welcome"',
        '{"id": "x"}',
        '{"type": "welcome"}',
        '{"type": "error", "code": "not a number", "data": "x"}',
        '{"type": "message", "subject": "trade.candles.update", "data": {}}',
    ],
)
def test_garbage_and_malformed_frames_raise(frame: str | bytes) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_server_message(frame)


@pytest.mark.parametrize(
    "candles",
    [
        [1729839600, 67644.9, 67437.6, 67724.8, 67243.8, 44.8],
        ["1729839600", "67644.9", "67437.6", "67724.8", "67243.8", "44.8"],
        ["1729839600", "67644.9", "67437.6", "67724.8", "67243.8", "44.8", "3027558.9", "1"],
        ["1729839600", "abc", "67437.6", "67724.8", "67243.8", "44.8", "3027558.9"],
        ["1729839600", "67644.9", "67437.6", "", "67243.8", "44.8", "3027558.9"],
        ["1729839600", "67644.9", "67437.6", None, "67243.8", "44.8", "3027558.9"],
        ["1729839600", "67644.9", "67437.6", "67243.8", "67724.8", "44.8", "3027558.9"],
        ["1729839600", "67644.9", "67437.6", "67724.8", "67243.8", "-1", "3027558.9"],
        ["1729839600", "NaN", "67437.6", "67724.8", "67243.8", "44.8", "3027558.9"],
        ["1729839600", "67644.9", "67437.6", "inf", "67243.8", "44.8", "3027558.9"],
        ["2024-10-25", "67644.9", "67437.6", "67724.8", "67243.8", "44.8", "3027558.9"],
        ["1729839600.5", "67644.9", "67437.6", "67724.8", "67243.8", "44.8", "3027558.9"],
        "1729839600,67644.9,67437.6,67724.8,67243.8,44.8,3027558.9",
        {"time": "1729839600"},
    ],
    ids=[
        "numbers-list-of-6",
        "strings-list-of-6",
        "list-of-8",
        "non-numeric",
        "empty-string",
        "null",
        "high-below-low",
        "negative-volume",
        "nan",
        "inf",
        "start-as-date",
        "start-not-integer",
        "string",
        "object",
    ],
)
def test_impossible_candles_raise(candles: Any) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_server_message(push_frame(candles))


@pytest.mark.parametrize("time", ["1729842192785164840", 1729842192.785, None, True])
def test_push_time_must_be_an_integer(time: Any) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_server_message(push_frame(time=time))


def test_push_for_another_symbol_than_its_topic_raises() -> None:
    frame = json.loads(push_frame())
    frame["data"]["symbol"] = "ETH-USDT"
    with pytest.raises(ProtocolError):
        protocol.parse_server_message(json.dumps(frame))


def test_push_on_a_multi_symbol_topic_raises() -> None:
    topic = "/market/candles:BTC-USDT_1min,ETH-USDT_1min"
    with pytest.raises(ProtocolError):
        protocol.parse_server_message(push_frame(topic=topic))


# --- REST rows ---------------------------------------------------------------------------


def test_rest_candle_rows_newest_first() -> None:
    rows = sample("rest-candles.docs-new.json")["data"]
    candles = [Candle.from_kucoin(row) for row in rows]
    assert [c.time for c in candles] == [1566789720, 1566789660, 1566789600]
    assert candles[0] == Candle(
        1566789720, 10411.5, 10411.5, 10396.3, 10401.9, 29.11357276, 302889.301529914
    )


def test_recorded_rest_candles_are_consistent_hours() -> None:
    rows = sample("rest-candles.ccxt-static-2024-01.json")["data"]
    candles = [Candle.from_kucoin(row) for row in rows]
    assert [c.time for c in candles] == [1706637600, 1706634000, 1706630400]
    assert all(protocol.candle_start("1hour", c.time) == c.time for c in candles)
    # Each hour opens near where the previous (older) one closed.
    assert candles[0].open == candles[1].close == 43396.4
    assert candles[1] == Candle(
        1706634000, 43501.1, 43598.9, 43305.2, 43396.4, 101.11170513, 4390218.48746545
    )


def test_empty_rest_reply_has_no_rows() -> None:
    reply = sample("rest-candles-empty.kucoin-api-docs-125.json")
    assert reply == {"code": protocol.REST_OK, "data": []}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("rest-error-400100-invalid-pair.crypto-candles-fixture.json", "400100"),
        ("rest-error-400100.legacy-docs.json", "400100"),
        ("rest-error-429000.json", "429000"),
    ],
)
def test_rest_error_codes_match_the_constants(name: str, code: str) -> None:
    reply = sample(name)
    assert reply["code"] == code != protocol.REST_OK
    assert code in (protocol.REST_INVALID_PARAMETER, protocol.REST_TOO_MANY_REQUESTS)
    assert "data" not in reply
    assert reply["msg"]


@pytest.mark.parametrize(
    "name",
    ["rest-candles.docs-new.json", "rest-candles.ccxt-static-2024-01.json"],
)
def test_to_kucoin_round_trips_the_sample_rows_exactly(name: str) -> None:
    for row in sample(name)["data"]:
        candle = Candle.from_kucoin(row)
        assert candle.to_kucoin() == row
        assert Candle.from_kucoin(candle.to_kucoin()) == candle


# --- client frames -----------------------------------------------------------------------


def test_ping_sample() -> None:
    assert protocol.parse_client_message(sample_text("ws-ping.docs.json")) == Ping("1545910590801")


def test_subscribe_sample_without_private_channel_field() -> None:
    message = protocol.parse_client_message(sample_text("ws-subscribe-candles.docs-new.json"))
    assert message == Subscribe("1545910660739", "/market/candles:BTC-USDT_1hour", False, True)
    assert protocol.parse_candle_topic(message.topic) == [("BTC-USDT", "1hour")]


def test_subscribe_multi_sample() -> None:
    message = protocol.parse_client_message(sample_text("ws-subscribe-multi.legacy-docs.json"))
    assert message == Subscribe("1545910660739", "/market/ticker:BTC-USDT,ETH-USDT", False, True)


def test_unsubscribe_sample() -> None:
    message = protocol.parse_client_message(sample_text("ws-unsubscribe.legacy-docs.json"))
    assert message == Unsubscribe("1545910840805", "/market/ticker:BTC-USDT,ETH-USDT", False, True)


def test_client_helpers_produce_what_the_server_parses() -> None:
    topic = protocol.candle_topic("BTC-USDT", "1min")
    sent = protocol.subscribe_message("7", topic)
    assert protocol.parse_client_message(sent) == Subscribe("7", topic, False, True)
    sent = protocol.unsubscribe_message("8", topic, response=False)
    assert protocol.parse_client_message(sent) == Unsubscribe("8", topic, False, False)
    assert protocol.parse_client_message(protocol.ping_message("9")) == Ping("9")


def test_server_helpers_produce_what_the_client_parses() -> None:
    candle = Candle(1729839600, 67644.9, 67724.8, 67243.8, 67437.6, 44.88321441, 3027558.99)
    frame = protocol.candle_push_message("BTC-USDT", "1min", candle, 1729842192785164840)
    assert protocol.parse_server_message(frame) == CandlePush(
        "/market/candles:BTC-USDT_1min",
        "trade.candles.update",
        "BTC-USDT",
        "1min",
        candle,
        1729842192785164840,
    )
    assert protocol.parse_server_message(protocol.ack_message("5")) == Ack("5")
    error = protocol.error_message(None, 401, "token is expired")
    assert protocol.parse_server_message(error) == ErrorMessage(None, 401, "token is expired")


@pytest.mark.parametrize(
    ("symbol", "candle", "subject"),
    [
        ("BTC-USDT", Candle(1729839600, 67644.9, 67724.8, 67243.8, 67437.6, 44.88, 3.0e6), None),
        ("SHIB-USDT", Candle(60, 1e-08, 2.5e-08, 1e-08, 2e-08, 1e12, 12345.678), None),
        ("ETH-BTC", Candle(0, 0.05, 0.05, 0.05, 0.05, 0.0, 0.0), "trade.candles.add"),
    ],
)
def test_a_push_is_the_json_of_kucoins_example_however_it_is_built(
    symbol: str, candle: Candle, subject: str | None
) -> None:
    """``candle_push_message`` and the prepared prefix (the simulator's flood) write the very
    bytes ``json.dumps`` writes for the documented push."""
    time_ns = 1729842192785164840
    subject = subject or protocol.CANDLE_SUBJECT
    expected = json.dumps(
        {
            "topic": f"/market/candles:{symbol}_1hour",
            "type": "message",
            "subject": subject,
            "data": {"symbol": symbol, "candles": candle.to_kucoin(), "time": time_ns},
        }
    )
    head = protocol.candle_push_head(symbol, "1hour", subject)
    prepared = protocol.candle_push_prefix(head, candle.to_kucoin())
    assert f"{prepared}{time_ns}{protocol.CANDLE_PUSH_END}" == expected
    assert protocol.candle_push_message(symbol, "1hour", candle, time_ns, subject) == expected


@pytest.mark.parametrize(
    "frame",
    ['{"type": "subscribe", "id": "1"}', '{"type": "unsubscribe", "id": "1", "topic": ""}', "{"],
)
def test_malformed_client_frames_raise(frame: str) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_client_message(frame)


def test_unknown_client_type_is_an_unknown_request() -> None:
    message = protocol.parse_client_message('{"id": 3, "type": "login"}')
    assert message == protocol.UnknownRequest("3", "login")


# --- timeframes, symbols, numbers ----------------------------------------------------------


def test_validate_timeframe() -> None:
    assert protocol.validate_timeframe("1hour") == "1hour"
    with pytest.raises(protocol.InvalidTimeframeError) as info:
        protocol.validate_timeframe("1m")
    message = str(info.value)
    assert "'1m'" in message
    assert all(tf in message for tf in protocol.TIMEFRAMES)


def test_validate_symbol() -> None:
    assert protocol.validate_symbol(" btc-usdt ") == "BTC-USDT"
    for bad in ("BTCUSDT", "BTC/USDT", "BTC-", "-USDT", ""):
        with pytest.raises(protocol.InvalidSymbolError):
            protocol.validate_symbol(bad)


def test_candle_start_plain_timeframes() -> None:
    assert protocol.candle_start("1min", 1729842192.9) == 1729842180
    assert protocol.candle_start("1hour", 1729842192) == 1729839600
    # 2020-05-20 10:20 UTC; the 8-hour candles start at 00:00, 08:00 and 16:00 UTC.
    assert protocol.candle_start("1hour", 1589970010) == 1589968800
    eight = datetime(2020, 5, 20, 8, tzinfo=UTC).timestamp()
    assert protocol.candle_start("8hour", 1589970010) == eight


def test_candle_start_week_begins_on_monday() -> None:
    thursday = datetime(2024, 10, 24, 15, 30, tzinfo=UTC).timestamp()
    start = protocol.candle_start("1week", thursday)
    assert start == datetime(2024, 10, 21, tzinfo=UTC).timestamp()
    assert datetime.fromtimestamp(start, UTC).weekday() == 0
    assert protocol.candle_start("1week", start) == start
    assert protocol.candle_start("1week", start - 1) == start - 7 * 86400


def utc(*fields: int) -> int:
    return int(datetime(*fields, tzinfo=UTC).timestamp())


def test_candle_start_month_is_the_calendar_month() -> None:
    assert protocol.candle_start("1month", utc(2024, 2, 29, 23, 59, 59)) == utc(2024, 2, 1)
    assert protocol.candle_start("1month", utc(2024, 3, 1)) == utc(2024, 3, 1)
    assert protocol.next_candle_start("1month", utc(2024, 2, 1)) == utc(2024, 3, 1)
    assert protocol.next_candle_start("1month", utc(2023, 12, 1)) == utc(2024, 1, 1)


def test_format_number() -> None:
    assert protocol.format_number(0.00001) == "0.00001"
    assert protocol.format_number(67644.0) == "67644"
    assert protocol.format_number(67644.9) == "67644.9"
    assert protocol.format_number(1e22) == "10000000000000000000000"


@pytest.mark.parametrize(
    "name", ["rest-bullet-public.docs-new.json", "rest-bullet-public.legacy-docs.json"]
)
def test_bullet_samples_parse_to_a_token_and_wss_servers(name: str) -> None:
    data = sample(name)["data"]
    bullet = protocol.parse_bullet(data)
    assert bullet.token == data["token"]
    [server] = bullet.servers
    assert server.endpoint.startswith("wss://")
    assert server.ping_interval == data["instanceServers"][0]["pingInterval"] / 1000
    assert server.ping_timeout == data["instanceServers"][0]["pingTimeout"] / 1000


def bullet_with(endpoint: str) -> dict[str, Any]:
    data = sample("rest-bullet-public.docs-new.json")["data"]
    data["instanceServers"][0]["endpoint"] = endpoint
    return data


def test_a_plain_websocket_only_when_the_api_itself_is_plain() -> None:
    """An encrypted API never hands the app over to an unencrypted socket."""
    with pytest.raises(ProtocolError, match="wss://"):
        protocol.parse_bullet(bullet_with("ws://ws.example/"))
    [server] = protocol.parse_bullet(bullet_with("ws://ws.example/"), plain_allowed=True).servers
    assert server.endpoint == "ws://ws.example/"
    for plain in (False, True):
        with pytest.raises(ProtocolError):
            protocol.parse_bullet(bullet_with("http://ws.example/"), plain_allowed=plain)


def test_a_candle_sample_page_is_kept_whole() -> None:
    rows = sample("rest-candles.ccxt-static-2024-01.json")["data"]
    times = [int(row[0]) for row in rows]
    page = protocol.parse_candle_page(rows, "1hour", min(times), max(times))
    assert [c.time for c in page.candles] == times
    assert (page.dropped, page.reason) == (0, "")


def test_a_candle_page_keeps_only_rows_at_the_timeframes_starts() -> None:
    monday = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    thursday = monday + 3 * 86400
    rows = [["x"]] + [Candle(t, 1, 2, 0.5, 1.5, 1, 1).to_kucoin() for t in (monday, thursday)]
    week = protocol.parse_candle_page(rows, "1week", 0, thursday)
    assert [c.time for c in week.candles] == [monday]
    assert week.dropped == 2
    assert "1 malformed" in week.reason and "1 not a 1week candle start" in week.reason
    month = protocol.parse_candle_page(rows, "1month", monday, thursday)
    assert [c.time for c in month.candles] == [monday]
    outside = protocol.parse_candle_page(rows, "1day", monday + 1, thursday)
    assert [c.time for c in outside.candles] == [thursday]
    assert "outside" in outside.reason


def test_a_candle_given_twice_alike_is_kept_once_and_not_counted() -> None:
    row = Candle(60, 1, 2, 0.5, 1.5, 1, 1).to_kucoin()
    page = protocol.parse_candle_page([row, list(row)], "1min", 0, 60)
    assert [c.time for c in page.candles] == [60]
    assert page.dropped == 0
