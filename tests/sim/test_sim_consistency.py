"""What the pushes said equals what REST and ``truth()`` say afterwards, over real sockets and
several candle rollovers on an accelerated clock; and late updates really come late."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from kucandle_gui.protocol import TIMEFRAME_SECONDS, Candle, candle_start, parse_candle_topic
from kucandle_gui.sim import LocalExchange
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.symbols import CATALOG
from tests.sim.simclient import START, WsClient

Connect = Callable[..., WsClient]
BUSY = [s for s in CATALOG if s != "QUIET-USDT"]


def collect(client: WsClient, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict]:
    """Pushes in arrival order until ``done(pushes)``."""
    received: list[dict[str, Any]] = []
    while not done(received):
        received.append(client.recv_until(lambda f: f.get("type") == "message", timeout=10))
    return received


def newest_start(received: list[dict[str, Any]], topic: str) -> int:
    return max((int(p["data"]["candles"][0]) for p in received if p["topic"] == topic), default=0)


def rest_candles(sim: LocalExchange, symbol: str, timeframe: str, first: int, last: int) -> list:
    params = {"type": timeframe, "symbol": symbol, "startAt": first, "endAt": last}
    reply = requests.get(f"{sim.base_url}/api/v1/market/candles", params=params, timeout=5).json()
    return [Candle.from_kucoin(row) for row in reversed(reply["data"])]


def check_against_history(
    sim: LocalExchange, received: list[dict[str, Any]], topic: str, subscribed_at: float, last: int
) -> int:
    """Every closed candle up to ``last`` agrees between pushes, REST and truth; returns how
    many candles were checked."""
    ((symbol, timeframe),) = parse_candle_topic(topic)
    first = candle_start(timeframe, subscribed_at)
    latest: dict[int, Candle] = {}
    for push in (p for p in received if p["topic"] == topic):
        candle = Candle.from_kucoin(push["data"]["candles"])
        assert latest.get(candle.time) != candle, f"identical repeat on {topic}"
        latest[candle.time] = candle
    history = rest_candles(sim, symbol, timeframe, first, last)
    assert history == sim.truth(symbol, timeframe, first, last)
    for candle in history:
        if candle.time > first:  # the candle open at subscribe time pushes only if it changed
            assert candle.time in latest, f"{topic}: no push for {candle.time}"
        if candle.time in latest:
            assert latest[candle.time] == candle, f"{topic}: last push != history"
    return len(history)


def test_pushes_agree_with_rest_and_truth_over_minute_rollovers(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    sim = make_exchange(clock_speed=120.0, push_interval=0.1)
    client = connect(sim.base_url)
    topics = [f"/market/candles:{s}_1min" for s in ("BTC-USDT", "ETH-BTC", "QUIET-USDT")]
    subscribed_at = sim.now()
    client.subscribe("/market/candles:" + ",".join(t.split(":")[1] for t in topics))
    first = candle_start("1min", subscribed_at)
    received = collect(client, lambda r: newest_start(r, topics[0]) >= first + 5 * 60)
    checked = [
        check_against_history(sim, received, t, subscribed_at, first + 3 * 60) for t in topics
    ]
    assert checked[0] >= 3 and checked[1] >= 3  # busy pairs trade (nearly) every minute


def test_pushes_agree_with_history_when_rounds_span_whole_periods(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    # 90 simulated seconds per round: 1min candles close between rounds, catch-up pushes them.
    # Start 20 minutes before an hour ends, so that the 1hour candle closes in 1.3 s.
    hour_end = candle_start("1hour", START) + 3600
    sim = make_exchange(start_time=hour_end - 1200, clock_speed=900.0, push_interval=0.1)
    client = connect(sim.base_url)
    kinds = ("1min", "5min", "15min", "1hour")
    subscribed_at = sim.now()
    client.subscribe("/market/candles:" + ",".join(f"SOL-USDT_{k}" for k in kinds))
    hour = candle_start("1hour", subscribed_at)
    received = collect(client, lambda r: newest_start(r, "/market/candles:SOL-USDT_1hour") > hour)
    for kind in kinds:
        topic = f"/market/candles:SOL-USDT_{kind}"
        last_closed = newest_start(received, topic) - TIMEFRAME_SECONDS[kind]
        assert check_against_history(sim, received, topic, subscribed_at, last_closed) >= 1


def late_start(market: Market) -> int:
    """A simulated start 30 s into a minute after which at least three of the next four
    rollovers of busy pairs are late ones."""
    boundary = int(START) // 60 * 60
    while True:
        rollovers = [boundary + 60 * k for k in range(1, 5)]
        late = sum(market.is_late_rollover(s, "1min", r) for s in BUSY for r in rollovers)
        if late >= 3:
            return boundary + 30
        boundary += 60


def test_late_updates_arrive_after_the_next_candle_and_only_on_late_rollovers(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    start = late_start(Market(1, list(CATALOG.values()), START))
    sim = make_exchange(start_time=start, clock_speed=120.0, push_interval=0.1)
    client = connect(sim.base_url)
    client.subscribe("/market/candles:" + ",".join(f"{s}_1min" for s in BUSY))
    first = candle_start("1min", sim.now())
    received = collect(
        client, lambda r: newest_start(r, "/market/candles:BTC-USDT_1min") >= first + 5 * 60
    )
    late_ones = 0
    newest: dict[str, int] = {}
    for push in received:
        symbol, start = push["data"]["symbol"], int(push["data"]["candles"][0])
        if start < newest.get(symbol, 0):
            late_ones += 1
            assert start + 60 == newest[symbol]
            assert sim.market.is_late_rollover(symbol, "1min", newest[symbol])
            assert (
                Candle.from_kucoin(push["data"]["candles"])
                == sim.truth(symbol, "1min", start, start)[0]
            )
        newest[symbol] = max(start, newest.get(symbol, 0))
    assert late_ones >= 1
