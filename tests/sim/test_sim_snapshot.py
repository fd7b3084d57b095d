"""24 h statistics of the local exchange over real sockets: ``/market/snapshot`` pushes,
``/market/stats`` and ``/market/allTickers``, all equal to ``LocalExchange.ticker`` and to the
REST 1min candles of the window; and KuCoin's official SDK reading the pushes."""

from __future__ import annotations

import json
import math
import queue
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kucandle_gui import protocol
from kucandle_gui.protocol import (
    Candle,
    ProtocolError,
    SnapshotPush,
    Ticker,
    parse_all_tickers,
    parse_server_message,
    parse_ticker_stats,
)
from kucandle_gui.sim import LocalExchange
from tests.sim.simclient import WsClient, sim_config, wait_until

with warnings.catch_warnings():
    # The SDK's generated models use pydantic 1's Field extras; pydantic 2 warns at import.
    warnings.simplefilter("ignore", DeprecationWarning)
    from kucoin_universal_sdk.api.client import DefaultClient
    from kucoin_universal_sdk.generate.spot.spot_public.model_symbol_snapshot_event import (
        SymbolSnapshotEvent,
    )
    from kucoin_universal_sdk.model.client_option import ClientOptionBuilder
    from kucoin_universal_sdk.model.transport_option import TransportOptionBuilder
    from kucoin_universal_sdk.model.websocket_option import WebSocketClientOptionBuilder

Connect = Callable[..., WsClient]
SNAPSHOT = "/market/snapshot:"
THREE = ("BTC-USDT", "ETH-USDT", "QUIET-USDT")
SAMPLES_DIR = Path(__file__).parents[1] / "data"


def is_snapshot(frame: dict[str, Any], symbol: str | None = None) -> bool:
    return frame.get("subject") == "trade.snapshot" and (
        symbol is None or frame["topic"] == SNAPSHOT + symbol
    )


def parsed(frame: dict[str, Any]) -> SnapshotPush:
    message = parse_server_message(json.dumps(frame))
    assert isinstance(message, SnapshotPush)
    return message


def many(count: int, prefix: str = "C") -> tuple[str, ...]:
    return tuple(f"{prefix}{i}-USDT" for i in range(count))


@pytest.fixture
def snappy(make_exchange: Callable[..., LocalExchange]) -> LocalExchange:
    """Snapshot rounds every 0.1 s."""
    return make_exchange(snapshot_interval=0.1)


@pytest.fixture(scope="module")
def frozen() -> Iterator[LocalExchange]:
    """Simulated time all but stopped: REST answers can be compared with each other."""
    with LocalExchange(sim_config(clock_speed=1e-9)) as exchange:
        yield exchange


def get(exchange: LocalExchange, path: str, **params: Any) -> dict[str, Any]:
    reply = requests.get(exchange.base_url + path, params=params, timeout=10)
    assert reply.status_code == 200
    return reply.json()


# --- pushes ------------------------------------------------------------------------------


def test_pushes_are_the_exchanges_statistics(snappy: LocalExchange, connect: Connect) -> None:
    client = connect(snappy.base_url)
    assert client.subscribe(SNAPSHOT + ",".join(THREE)) == {"id": "sub-1", "type": "ack"}
    seen: dict[str, list[SnapshotPush]] = {symbol: [] for symbol in THREE}
    while min(len(pushes) for pushes in seen.values()) < 3:
        push = parsed(client.recv_until(is_snapshot))
        seen[push.symbol].append(push)
    for symbol, pushes in seen.items():
        for push in pushes:
            assert push.topic == SNAPSHOT + symbol
            assert push.ticker == snappy.ticker(symbol, at=push.ticker.time / 1000)
        sequences = [int(push.sequence) for push in pushes]
        assert sequences == sorted(set(sequences))
        times = [push.ticker.time for push in pushes]
        assert times == sorted(times) and times[0] < times[-1]
    topics = {SNAPSHOT + symbol for symbol in THREE}
    assert snappy.stats().subscriptions == (frozenset(topics),)
    assert snappy.stats().snapshots_sent >= 9


def test_push_has_kucoins_shape(snappy: LocalExchange, connect: Connect) -> None:
    client = connect(snappy.base_url)
    client.subscribe(SNAPSHOT + "BTC-USDT")
    client.ws.settimeout(5)
    while True:  # the raw text, to see the numbers as written
        text = client.ws.recv()
        if '"trade.snapshot"' in text:
            break
    frame = json.loads(text)
    assert frame["type"] == "message" and frame["topic"] == "/market/snapshot:BTC-USDT"
    assert set(frame["data"]) == {"sequence", "data"}
    inner = frame["data"]["data"]
    assert inner["symbol"] == "BTC-USDT" and inner["close"] == inner["lastTradedPrice"]
    for key in ("changePrice", "high", "low", "open", "vol", "volValue"):  # as KuCoin writes
        assert re.search(rf'"{key}":-?[0-9]+\.[0-9]{{20}}[,}}]', text), key
    ticker = parsed(frame).ticker
    assert inner["open"] == pytest.approx(ticker.open)
    scale = 10  # BTC-USDT's price increment is 0.1: prices are whole ticks
    for value in (ticker.last, ticker.high, ticker.low, ticker.change_price):
        assert round(value * scale) / scale == value


def test_unsubscribe_stops_pushes(snappy: LocalExchange, connect: Connect) -> None:
    client = connect(snappy.base_url)
    client.subscribe(SNAPSHOT + "BTC-USDT,ETH-USDT")
    client.recv_until(lambda f: is_snapshot(f, "ETH-USDT"))
    client.send(
        {"id": "unsub", "type": "unsubscribe", "topic": SNAPSHOT + "ETH-USDT", "response": True}
    )
    assert client.reply_to("unsub") == {"id": "unsub", "type": "ack"}
    after_ack = len(client.frames)
    for _ in range(3):  # three rounds later
        client.recv_until(lambda f: is_snapshot(f, "BTC-USDT"))
    assert not any(is_snapshot(f, "ETH-USDT") for f in client.frames[after_ack:])
    assert snappy.stats().subscriptions == (frozenset({SNAPSHOT + "BTC-USDT"}),)


def test_a_stall_silences_snapshots(snappy: LocalExchange, connect: Connect) -> None:
    client = connect(snappy.base_url)
    client.subscribe(SNAPSHOT + "BTC-USDT")
    client.recv_until(is_snapshot)
    snappy.faults.stall()
    stalled_at = round(snappy.now() * 1000)  # rounded as push times are: no push is later
    client.send({"id": "during-stall", "type": "ping"})
    wait_until(lambda: snappy.stats().client_messages == 2, what="ping seen after the stall")
    # A round that saw the stall ends every earlier one (rounds follow each other), so the
    # pushes counted by then are all that will come; they are counted before being sent.
    wait_until(lambda: snappy.stats().snapshot_rounds_stalled, what="a round silenced")
    sent = snappy.stats().snapshots_sent
    while sum(map(is_snapshot, client.frames)) < sent:  # those still in flight
        client.recv_until(is_snapshot)
    assert all(f["data"]["data"]["datetime"] <= stalled_at for f in client.frames if is_snapshot(f))
    silenced = snappy.stats().snapshot_rounds_stalled
    wait_until(lambda: snappy.stats().snapshot_rounds_stalled >= silenced + 2, what="2 rounds")
    assert snappy.stats().snapshots_sent == sent
    snappy.faults.stall(False)
    frame = client.recv_until(is_snapshot)  # the next one: nothing stale was left behind
    assert frame["data"]["data"]["datetime"] > stalled_at
    assert not any(f.get("id") == "during-stall" for f in client.frames)  # no pong either


def test_garbage_and_drops_reach_snapshot_subscribers(
    snappy: LocalExchange, connect: Connect
) -> None:
    client = connect(snappy.base_url)
    client.subscribe(SNAPSHOT + "BTC-USDT")
    client.recv_until(is_snapshot)
    garbage = '{"topic":"/market/snapshot:BTC-USDT","type":"message","subject":"trade.snapshot"}'
    assert snappy.faults.send_raw(garbage) == 1
    frame = client.recv_until(lambda f: is_snapshot(f) and "data" not in f)
    with pytest.raises(ProtocolError):
        parse_server_message(json.dumps(frame))
    client.recv_until(lambda f: is_snapshot(f) and "data" in f)  # pushes go on
    assert snappy.faults.drop_connections() == 1
    client.frames_until_closed()
    again = connect(snappy.base_url, connect_id="again")
    again.subscribe(SNAPSHOT + "BTC-USDT")
    push = parsed(again.recv_until(is_snapshot))
    assert push.ticker == snappy.ticker("BTC-USDT", at=push.ticker.time / 1000)


def test_an_outage_cuts_snapshot_subscribers_and_rest(
    snappy: LocalExchange, connect: Connect
) -> None:
    client = connect(snappy.base_url)
    client.subscribe(SNAPSHOT + "BTC-USDT")
    client.recv_until(is_snapshot)
    assert snappy.faults.outage() == 1
    client.frames_until_closed()
    with pytest.raises(requests.ConnectionError):
        requests.get(snappy.base_url + "/api/v1/market/allTickers", timeout=5)
    snappy.faults.outage(False)
    assert get(snappy, "/api/v1/market/allTickers")["code"] == "200000"
    again = connect(snappy.base_url, connect_id="after-outage")
    again.subscribe(SNAPSHOT + "BTC-USDT")
    again.recv_until(is_snapshot)


# --- refusals ----------------------------------------------------------------------------


def test_an_unlisted_pair_refuses_the_whole_request(
    snappy: LocalExchange, connect: Connect
) -> None:
    client = connect(snappy.base_url)
    reply = client.subscribe(SNAPSHOT + "BTC-USDT,NOPE-USDT")
    assert reply == {
        "id": "sub-1",
        "type": "error",
        "code": 404,
        "data": "topic /market/snapshot:NOPE-USDT is not found",
    }
    assert snappy.stats().subscriptions == (frozenset(),)
    market = client.subscribe(SNAPSHOT + "USDS", "sub-2")  # whole markets are not served
    assert (market["type"], market["code"]) == ("error", 404)
    empty = client.subscribe(SNAPSHOT + "BTC-USDT,,ETH-USDT", "sub-3")
    assert (empty["type"], empty["code"]) == ("error", 400)


def test_more_than_100_pairs_in_one_request(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    symbols = many(101)
    sim = make_exchange(symbols=symbols, snapshot_interval=60.0)
    client = connect(sim.base_url)
    reply = client.subscribe(SNAPSHOT + ",".join(symbols))
    assert (reply["type"], reply["code"]) == ("error", 509)
    assert client.subscribe(SNAPSHOT + ",".join(symbols[:100]), "sub-2")["type"] == "ack"
    assert len(sim.stats().subscriptions[0]) == 100


def test_400_topics_per_connection_count_candles_and_snapshots(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    symbols = many(201)
    sim = make_exchange(symbols=symbols, snapshot_interval=60.0, push_interval=60.0)
    client = connect(sim.base_url)
    first, second = symbols[:100], symbols[100:200]
    requests_ = [
        "/market/candles:" + ",".join(f"{s}_1min" for s in first),
        "/market/candles:" + ",".join(f"{s}_1min" for s in second),
        SNAPSHOT + ",".join(first),
        SNAPSHOT + ",".join(second),
    ]
    for n, topic in enumerate(requests_):
        assert client.subscribe(topic, f"sub-{n}")["type"] == "ack"
    assert len(sim.stats().subscriptions[0]) == 400
    full = "exceed max subscription count limitation of 400 per session"
    assert client.subscribe(SNAPSHOT + symbols[200], "more-1")["data"] == full
    assert client.subscribe(f"/market/candles:{symbols[200]}_1min", "more-2")["data"] == full
    # Already subscribed pairs take no new room.
    assert client.subscribe(SNAPSHOT + first[0], "again")["type"] == "ack"
    client.send(
        {"id": "unsub", "type": "unsubscribe", "topic": SNAPSHOT + first[0], "response": True}
    )
    assert client.reply_to("unsub")["type"] == "ack"
    assert client.subscribe(SNAPSHOT + symbols[200], "fits")["type"] == "ack"
    assert len(sim.stats().subscriptions[0]) == 400


# --- REST --------------------------------------------------------------------------------


def test_stats_are_the_exchanges_statistics(frozen: LocalExchange) -> None:
    for symbol in frozen.market.symbols:
        reply = get(frozen, "/api/v1/market/stats", symbol=symbol)
        assert reply["code"] == "200000"
        data = reply["data"]
        ticker = parse_ticker_stats(data)
        assert ticker == frozen.ticker(symbol, at=data["time"] / 1000)
        assert all(isinstance(data[k], str) for k in ("last", "high", "vol", "changeRate"))
        assert float(data["averagePrice"]) == pytest.approx(ticker.turnover / ticker.volume)


def test_stats_has_kucoins_shape(frozen: LocalExchange) -> None:
    ours = get(frozen, "/api/v1/market/stats", symbol="BTC-USDT")
    theirs = json.loads((SAMPLES_DIR / "rest-stats.docs-new.json").read_text(encoding="utf-8"))
    assert list(ours) == list(theirs)
    assert list(ours["data"]) == list(theirs["data"])


def test_all_tickers_are_the_exchanges_statistics(frozen: LocalExchange) -> None:
    reply = get(frozen, "/api/v1/market/allTickers")
    tickers, dropped = parse_all_tickers(reply["data"], max_rows=1000)
    assert dropped == 0
    at = reply["data"]["time"] / 1000
    assert tickers == [frozen.ticker(symbol, at=at) for symbol in frozen.market.symbols]
    theirs = json.loads((SAMPLES_DIR / "rest-alltickers.docs-new.json").read_text(encoding="utf-8"))
    sample_row = theirs["data"]["ticker"][0]
    assert set(reply["data"]["ticker"][0]) <= set(sample_row)
    assert set(sample_row) - set(reply["data"]["ticker"][0]) == {"bestBidSize", "bestAskSize"}


def test_stats_of_an_unlisted_pair_are_null_as_on_kucoin(frozen: LocalExchange) -> None:
    reply = get(frozen, "/api/v1/market/stats", symbol="NOPE-USDT")
    assert reply["code"] == "200000"
    data = reply["data"]
    assert data["symbol"] == "NOPE-USDT" and isinstance(data["time"], int)
    assert all(value is None for key, value in data.items() if key not in ("symbol", "time"))
    with pytest.raises(protocol.UnknownPairError, match="NOPE-USDT"):
        parse_ticker_stats(data)
    assert get(frozen, "/api/v1/market/stats")["code"] == protocol.REST_INVALID_PARAMETER


def test_rest_faults_apply_to_the_statistics(sim: LocalExchange) -> None:
    sim.faults.rest_server_error("/api/v1/market/stats")
    sim.faults.rest_rate_limit("/api/v1/market/allTickers")
    url = sim.base_url + "/api/v1/market/"
    assert requests.get(url + "stats?symbol=BTC-USDT", timeout=5).status_code == 500
    assert requests.get(url + "allTickers", timeout=5).status_code == 429
    assert requests.get(url + "stats?symbol=BTC-USDT", timeout=5).json()["code"] == "200000"
    assert requests.get(url + "allTickers", timeout=5).json()["code"] == "200000"


@pytest.mark.parametrize("symbol", ["BTC-USDT", "XRP-USDT", "QUIET-USDT"])
def test_the_window_adds_up_the_rest_candles(frozen: LocalExchange, symbol: str) -> None:
    """open/last/high/low/volumes of the 24 h window = those of its 1440 1min candles."""
    stats = get(frozen, "/api/v1/market/stats", symbol=symbol)["data"]
    ticker = parse_ticker_stats(stats)
    minute = ticker.time // 60_000 * 60
    rows = get(
        frozen,
        "/api/v1/market/candles",
        symbol=symbol,
        type="1min",
        startAt=minute - 1439 * 60,
        endAt=minute,
    )["data"]
    candles = [Candle.from_kucoin(row) for row in reversed(rows)]
    assert candles[0].time >= minute - 1439 * 60 and candles[-1].time <= minute
    assert 0 < len(candles) <= 1440
    open_, last = candles[0].open, candles[-1].close
    assert ticker.last == last
    assert ticker.high == max(c.high for c in candles)
    assert ticker.low == min(c.low for c in candles)
    assert ticker.change_price == pytest.approx(last - open_, abs=1e-9)
    assert ticker.open == pytest.approx(open_)
    assert ticker.change_rate == round((last - open_) / open_, 4)
    assert ticker.volume == pytest.approx(math.fsum(c.volume for c in candles), rel=1e-12)
    assert ticker.turnover == pytest.approx(math.fsum(c.turnover for c in candles), rel=1e-12)


def test_ticker_moves_with_the_clock(make_exchange: Callable[..., LocalExchange]) -> None:
    """A second later the window has moved: the truth is a function of time, and the same
    moment always gives the same numbers."""
    sim = make_exchange()
    now = sim.now()
    first = sim.ticker("BTC-USDT", at=now)
    assert sim.ticker("BTC-USDT", at=now) == first
    day_later = sim.ticker("BTC-USDT", at=now + 86400)
    assert day_later != first and day_later.time == first.time + 86_400_000
    assert isinstance(first, Ticker)
    with pytest.raises(KeyError):
        sim.ticker("NOPE-USDT")


# --- KuCoin's official client ------------------------------------------------------------


def test_the_official_sdk_reads_the_pushes(snappy: LocalExchange) -> None:
    """``kucoin-universal-sdk``'s own WebSocket client, pointed at the local exchange
    (bullet-public, connect, subscribe), gets the same numbers as the exchange's truth."""
    client = DefaultClient(
        ClientOptionBuilder()
        .set_spot_endpoint(snappy.base_url)
        .set_transport_option(TransportOptionBuilder().build())
        .set_websocket_client_option(WebSocketClientOptionBuilder().build())
        .build()
    )
    ws = client.ws_service().new_spot_public_ws()
    ws.start()
    try:
        events: queue.Queue[tuple[str, str, SymbolSnapshotEvent]] = queue.Queue()
        ws.symbol_snapshot("ETH-USDT", lambda *event: events.put(event))
        sequences = []
        for _ in range(2):
            topic, subject, event = events.get(timeout=10)
            assert (topic, subject) == ("/market/snapshot:ETH-USDT", "trade.snapshot")
            data = event.data
            assert data is not None and data.datetime is not None
            truth = snappy.ticker("ETH-USDT", at=data.datetime / 1000)
            assert (
                data.symbol,
                data.last_traded_price,
                data.close,
                data.change_rate,
                data.change_price,
                data.high,
                data.low,
                data.vol,
                data.vol_value,
                data.datetime,
            ) == (
                truth.symbol,
                truth.last,
                truth.last,
                truth.change_rate,
                truth.change_price,
                truth.high,
                truth.low,
                truth.volume,
                truth.turnover,
                truth.time,
            )
            assert data.open == pytest.approx(truth.open)
            sequences.append(int(event.sequence or 0))
        assert 0 < sequences[0] < sequences[1]
    finally:
        ws.stop()
