"""The 24 h statistics protocol (``/market/snapshot`` pushes, ``/market/stats``,
``/market/allTickers``) against KuCoin's own payloads (``tests/data``, sources in SOURCES.md)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kucandle_gui import protocol
from kucandle_gui.protocol import (
    OtherMessage,
    ProtocolError,
    SnapshotPush,
    Ticker,
    UnknownPairError,
    parse_all_tickers,
    parse_server_message,
    parse_ticker_stats,
    snapshot_push_message,
    ticker_stats_record,
)

SAMPLES = Path(__file__).parent / "data"
SYMBOL_PUSH = "ws-snapshot-symbol.docs-new.json"


def sample_text(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def sample(name: str) -> Any:
    return json.loads(sample_text(name))


def stats() -> dict[str, Any]:
    return sample("rest-stats.docs-new.json")["data"]


def all_tickers() -> dict[str, Any]:
    return sample("rest-alltickers.docs-new.json")["data"]


def push_with(**fields: Any) -> str:
    """The documented BTC-USDT push with some of ``data.data``'s fields replaced (``...`` as
    a value removes the field)."""
    frame = sample(SYMBOL_PUSH)
    for key, value in fields.items():
        if value is ...:
            del frame["data"]["data"][key]
        else:
            frame["data"]["data"][key] = value
    return json.dumps(frame)


# --- the documented payloads -----------------------------------------------------------


def test_symbol_push_sample() -> None:
    message = parse_server_message(sample_text(SYMBOL_PUSH))
    assert message == SnapshotPush(
        topic="/market/snapshot:BTC-USDT",
        symbol="BTC-USDT",
        ticker=Ticker(
            symbol="BTC-USDT",
            last=67158.1,
            change_rate=0.0047,
            change_price=315.2,
            high=67611.8,
            low=65257.1,
            volume=2227.69895852,
            turnover=147972941.078575073,
            time=1729758286011,
        ),
        sequence="14691517895",
    )
    assert message.ticker.open == pytest.approx(66842.9)


def test_market_topic_push_is_not_a_ticker() -> None:
    """``/market/snapshot:BTC`` pushes a whole market, pair by pair: not a topic this client
    subscribes, so its frames are passed over, never counted as data nor as errors."""
    message = parse_server_message(sample_text("ws-snapshot-market.docs-new.json"))
    assert isinstance(message, OtherMessage)
    assert message.raw["data"]["data"]["symbol"] == "CHR-BTC"


def test_stats_sample() -> None:
    assert parse_ticker_stats(stats()) == Ticker(
        "BTC-USDT", 66981.5, -0.0114, -778.1, 68107.7, 66683.3, 1738.02898182,
        117321982.415978333, 1729175612158,
    )  # fmt: skip


def test_all_tickers_sample() -> None:
    tickers, dropped = parse_all_tickers(all_tickers(), max_rows=100)
    assert dropped == 0
    assert tickers == [
        Ticker(
            "BTC-USDT", 67193.0, -0.0014, -98.5, 68321.4, 66683.3, 1836.03034612,
            124068431.06726933, 1729173207043,
        )
    ]  # fmt: skip


def test_exported_from_the_package() -> None:
    for name in (
        "SnapshotPush",
        "Ticker",
        "parse_all_tickers",
        "parse_ticker_stats",
        "snapshot_push_message",
        "ticker_stats_record",
        "snapshot_topic",
        "parse_snapshot_topic",
    ):
        assert name in protocol.__all__


# --- writer → parser -------------------------------------------------------------------

TICKERS = [
    Ticker("BTC-USDT", 67158.1, 0.0047, 315.2, 67611.8, 65257.1, 2227.69895852, 1.5e8,
           1729758286011),
    Ticker("CHR-BTC", 2.698e-06, 0.02, 5.3e-08, 2.746e-06, 2.558e-06, 6824.948, 0.0178950964952,
           1729785948008),
    Ticker("ETH-USDT", 2500.0, -0.1234, -352.01, 2900.5, 2450.0, 0.30000000000000004, 750.75,
           1_700_000_000_000),
    Ticker("QUIET-USDT", 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1_700_000_000_000),
    Ticker("TINY-USDT", 1.2345678901234567e-05, 0.12345678, 1e-9, 2e-05, 1e-05, 1e12, 1.25e7,
           1_700_000_000_000),
]  # fmt: skip


@pytest.mark.parametrize("ticker", TICKERS, ids=lambda t: t.symbol)
def test_push_round_trip(ticker: Ticker) -> None:
    text = snapshot_push_message(ticker, 42)
    assert parse_server_message(text) == SnapshotPush(
        f"/market/snapshot:{ticker.symbol}", ticker.symbol, ticker, "42"
    )


def test_push_has_kucoins_shape() -> None:
    """Nested ``data.data``, JSON numbers, the 24 h figures with 20 decimals, an exact open."""
    text = snapshot_push_message(TICKERS[0], 7)
    ours = json.loads(text)
    theirs = sample(SYMBOL_PUSH)
    assert ours.keys() == theirs.keys()
    assert ours["data"].keys() == theirs["data"].keys()
    assert set(ours["data"]["data"]) <= set(theirs["data"]["data"])
    assert ours["data"]["sequence"] == "7"
    assert '"changePrice":315.20000000000000000000' in text
    assert '"open":66842.90000000000000000000' in text
    assert '"vol":2227.69895852000000000000' in text
    assert '"changeRate":0.0047,' in text
    assert '"lastTradedPrice":67158.1,' in text
    assert ours["data"]["data"]["close"] == ours["data"]["data"]["lastTradedPrice"]


@pytest.mark.parametrize("ticker", TICKERS, ids=lambda t: t.symbol)
def test_stats_round_trip(ticker: Ticker) -> None:
    record = ticker_stats_record(ticker)
    assert all(isinstance(v, str) for k, v in record.items() if k != "time")
    assert parse_ticker_stats(json.loads(json.dumps(record))) == ticker


def test_all_tickers_round_trip() -> None:
    rows = [{k: v for k, v in ticker_stats_record(t).items() if k != "time"} for t in TICKERS]
    time = 1_700_000_000_000
    tickers, dropped = parse_all_tickers({"time": time, "ticker": rows}, max_rows=10)
    assert dropped == 0
    assert tickers == [replace(t, time=time) for t in TICKERS]


# --- what must not pass ----------------------------------------------------------------

BAD_FIELDS: list[dict[str, Any]] = [
    {"lastTradedPrice": ...},
    {"lastTradedPrice": None},
    {"lastTradedPrice": "abc"},
    {"lastTradedPrice": -1.0},
    {"lastTradedPrice": True},
    {"lastTradedPrice": [1.0]},
    {"high": {"v": 1}},
    {"low": -0.5},
    {"low": 70000.0},  # above the high
    {"vol": -1},
    {"volValue": "1e999"},
    {"volValue": "nan"},
    {"volValue": "1_000"},
    {"volValue": " 12"},
    {"changeRate": -1.5},  # a fall of more than 100 %
    {"changeRate": "Infinity"},
    {"changePrice": None},
    {"symbol": "ETH-USDT"},  # not the topic's
    {"symbol": "btc-usdt"},
    {"symbol": 7},
    {"symbol": ...},
    {"datetime": 1729758286.011},
    {"datetime": 1729758286},  # seconds
    {"datetime": 1729758286011000000},  # ns
    {"datetime": "soon"},
    {"datetime": True},
    {"datetime": ...},
]


@pytest.mark.parametrize("fields", BAD_FIELDS, ids=repr)
def test_bad_push_fields(fields: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        parse_server_message(push_with(**fields))


def test_numbers_beyond_a_float() -> None:
    text = sample_text(SYMBOL_PUSH).replace(
        '"vol":2227.69895852000000000000', '"vol":1' + "0" * 400
    )
    with pytest.raises(ProtocolError):
        parse_server_message(text)
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        text = sample_text(SYMBOL_PUSH).replace(
            '"high":67611.80000000000000000000', f'"high":{literal}'
        )
        with pytest.raises(ProtocolError):
            parse_server_message(text)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "x",
        {"sequence": "1"},
        {"sequence": "1", "data": []},
        {"sequence": "1", "data": None},
    ],
    ids=repr,
)
def test_push_without_nested_data(data: Any) -> None:
    frame = sample(SYMBOL_PUSH)
    frame["data"] = data
    with pytest.raises(ProtocolError):
        parse_server_message(json.dumps(frame))


@pytest.mark.parametrize("sequence", [None, "", "12a", "-5", 1.5, True, "²", "9" * 41, -3, [1]])
def test_bad_sequence(sequence: Any) -> None:
    frame = sample(SYMBOL_PUSH)
    frame["data"]["sequence"] = sequence
    with pytest.raises(ProtocolError):
        parse_server_message(json.dumps(frame))


def test_sequence_as_a_number_is_kept_as_text() -> None:
    frame = sample(SYMBOL_PUSH)
    frame["data"]["sequence"] = 15
    message = parse_server_message(json.dumps(frame))
    assert isinstance(message, SnapshotPush) and message.sequence == "15"


@pytest.mark.parametrize(
    "topic",
    ["/market/snapshot:BTC-USDT,ETH-USDT", "/market/snapshot:", "/market/snapshot:btc-usdt"],
)
def test_push_on_a_topic_that_is_not_one_pair(topic: str) -> None:
    frame = sample(SYMBOL_PUSH)
    frame["topic"] = topic
    with pytest.raises(ProtocolError):
        parse_server_message(json.dumps(frame))


def test_other_subjects_and_topics_are_not_tickers() -> None:
    frame = sample(SYMBOL_PUSH)
    for changes in ({"subject": "trade.ticker"}, {"topic": "/market/ticker:BTC-USDT"}):
        assert isinstance(parse_server_message(json.dumps({**frame, **changes})), OtherMessage)


@pytest.mark.parametrize(
    "changes",
    [{"last": None}, {"symbol": None}, {"symbol": "BTC_USDT"}, {"time": None}, {"time": "x"},
     {"high": "-1"}, {"vol": "1e999"}, {"changeRate": "0.1.2"}, {"last": []}],
    ids=repr,
)  # fmt: skip
def test_bad_stats(changes: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        parse_ticker_stats({**stats(), **changes})


def test_stats_numbers_may_come_as_numbers() -> None:
    """Strings are KuCoin's spelling; a JSON number is the same value and is taken."""
    assert parse_ticker_stats({**stats(), "last": 66981.5, "time": "1729175612158"}).last == 66981.5


def test_stats_of_an_unknown_pair() -> None:
    """KuCoin answers an unlisted pair with null statistics (time and symbol only)."""
    unknown = {key: None for key in stats()} | {"time": 1729175612158, "symbol": "NOPE-USDT"}
    with pytest.raises(UnknownPairError, match="NOPE-USDT") as caught:
        parse_ticker_stats(unknown)
    assert caught.value.symbol == "NOPE-USDT"
    assert isinstance(caught.value, ProtocolError)


@pytest.mark.parametrize("data", [None, [], {"time": 1729173207043}, {"ticker": []},
                                  {"time": 1, "ticker": []}, {"time": 1729173207043, "ticker": {}}],
                         ids=repr)  # fmt: skip
def test_bad_all_tickers(data: Any) -> None:
    with pytest.raises(ProtocolError):
        parse_all_tickers(data, max_rows=10)


def test_all_tickers_drops_bad_rows_only() -> None:
    data = all_tickers()
    good = data["ticker"][0]
    eth = {**good, "symbol": "ETH-USDT", "last": "2500"}
    data["ticker"] = [
        good,
        {**good, "symbol": "NEW-USDT", "last": None, "high": None},  # no trades yet
        "garbage",
        {**good, "symbol": "SOL-USDT", "vol": "-3"},
        eth,
        {**eth, "last": "2600"},  # listed twice, differently: neither can be believed
        {**good, "symbol": "XRP-USDT"},
    ]
    tickers, dropped = parse_all_tickers(data, max_rows=100)
    assert [t.symbol for t in tickers] == ["BTC-USDT", "XRP-USDT"]
    assert dropped == 5


def test_all_tickers_is_bounded() -> None:
    data = all_tickers()
    row = data["ticker"][0]
    data["ticker"] = [{**row, "symbol": f"C{i}-USDT"} for i in range(50)]
    tickers, dropped = parse_all_tickers(data, max_rows=20)
    assert len(tickers) == 20 and dropped == 30
    assert tickers[-1].symbol == "C19-USDT"


def test_a_repeated_identical_row_counts_once() -> None:
    data = all_tickers()
    data["ticker"] = [data["ticker"][0], copy.deepcopy(data["ticker"][0])]
    tickers, dropped = parse_all_tickers(data, max_rows=10)
    assert len(tickers) == 1 and dropped == 0
