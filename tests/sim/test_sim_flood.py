"""Flood mode (``push_interval == 0``, benchmarks only): replayed states, ahead of the clock.

Every push must be a new state, and every state the market's own candle as of a second later
than the last one: the replay runs ahead of the clock but never invents a candle.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest

from kucandle_gui.protocol import CANDLE_PUSH_END, Candle, candle_start
from kucandle_gui.sim import LocalExchange
from kucandle_gui.sim.flood import CandleReplay
from kucandle_gui.sim.market import Market
from kucandle_gui.sim.symbols import CATALOG
from tests.sim.simclient import WsClient, wait_until

Connect = Callable[..., WsClient]
BTC_1MIN = "/market/candles:BTC-USDT_1min"
ETH_1MIN = "/market/candles:ETH-USDT_1min"
#: Mid-candle for every timeframe up to a day (a minute boundary + 17.4 s).
NOW = 1_750_000_037.4


def is_push(frame: dict) -> bool:
    return frame.get("type") == "message"


def market_states(market: Market, symbol: str, timeframe: str, now: float, count: int):
    """The first ``count`` distinct candle states after ``now``, second by second, as the
    market itself tells them (``Market.candles`` as of each second)."""
    second = math.floor(now)
    start = candle_start(timeframe, second)
    rows = market.candles(symbol, timeframe, start, start, second)
    last = rows[0] if rows else None
    states: list[Candle] = []
    while len(states) < count:
        second += 1
        start = candle_start(timeframe, second)
        rows = market.candles(symbol, timeframe, start, start, second)
        current = rows[0] if rows else None
        if current is not None and current != last:
            states.append(current)
        last = current
    return states


def replayed(replay: CandleReplay, count: int) -> list[Candle]:
    prefixes: list[str] = []
    for _ in range(10_000):
        if len(prefixes) >= count:
            break
        prefixes += replay.take(count - len(prefixes))
    frames = [json.loads(f"{p}1729842192785164840{CANDLE_PUSH_END}") for p in prefixes]
    return [Candle.from_kucoin(f["data"]["candles"]) for f in frames]


@pytest.fixture(scope="module")
def market() -> Market:
    return Market(1, list(CATALOG.values()), NOW - 40 * 86400)


@pytest.mark.parametrize(
    ("symbol", "timeframe", "count"),
    [
        ("BTC-USDT", "1min", 700),  # many rollovers
        ("ETH-USDT", "5min", 600),
        ("SOL-USDT", "1hour", 400),
        ("XRP-USDT", "1day", 300),
        ("ETH-BTC", "1week", 200),  # the week began before the subscription
        ("DOGE-USDT", "1month", 200),
        ("QUIET-USDT", "1min", 40),  # long silences
    ],
)
def test_the_replay_is_the_market_second_by_second(
    market: Market, symbol: str, timeframe: str, count: int
) -> None:
    expected = market_states(market, symbol, timeframe, NOW, count)
    assert replayed(CandleReplay(market, symbol, timeframe, NOW), count) == expected


def test_the_replay_crosses_days(market: Market) -> None:
    before_midnight = (math.floor(NOW / 86400) + 1) * 86400 - 200.5
    expected = market_states(market, "KCS-USDT", "12hour", before_midnight, 150)
    assert expected[-1].time > before_midnight  # the 12-hour candle rolled over at midnight
    assert replayed(CandleReplay(market, "KCS-USDT", "12hour", before_midnight), 150) == expected


def test_a_quiet_pair_gives_what_it_has_without_holding_up_the_caller(market: Market) -> None:
    """Each take reads at most one chunk: a silent stretch gives an empty answer, not a wait."""
    replay = CandleReplay(market, "QUIET-USDT", "1min", NOW)
    answers = [len(replay.take(50)) for _ in range(200)]
    assert 0 in answers and sum(answers) > 0


def test_flood_pushes_distinct_states_ahead_of_a_frozen_clock(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    sim = make_exchange(push_interval=0.0, clock_speed=1e-9)  # the clock does not move
    now = sim.now()
    client = connect(sim.base_url)
    client.subscribe(f"{BTC_1MIN},ETH-USDT_1min")
    flood = [client.recv_until(is_push) for _ in range(600)]
    assert {p["topic"] for p in flood} == {BTC_1MIN, ETH_1MIN}
    for symbol in ("BTC-USDT", "ETH-USDT"):
        pushed = [Candle.from_kucoin(p["data"]["candles"]) for p in flood if symbol in p["topic"]]
        assert len(pushed) > 200 and len(set(pushed)) == len(pushed)
        assert pushed == market_states(sim.market, symbol, "1min", now, len(pushed))
        assert pushed[-1].time > pushed[0].time  # ran into candles the clock has not reached
    times = [p["data"]["time"] for p in flood]
    assert times == sorted(times)  # each stamped when sent
    # The flood yields to the loop: requests are still served while it runs.
    client.send({"id": "still-there", "type": "ping"})
    wait_until(lambda: sim.stats().pongs_sent == 1, what="ping answered during the flood")


def test_after_the_unsubscribe_ack_the_flood_sends_nothing_of_the_topic(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    sim = make_exchange(push_interval=0.0, clock_speed=1e-9)
    client = connect(sim.base_url)
    client.subscribe(f"{BTC_1MIN},ETH-USDT_1min")
    for _ in range(300):
        client.recv_until(is_push)
    client.send({"id": "u", "type": "unsubscribe", "topic": BTC_1MIN, "response": True})
    assert client.reply_to("u") == {"id": "u", "type": "ack"}
    after = [client.recv_until(is_push) for _ in range(300)]
    assert {p["topic"] for p in after} == {ETH_1MIN}


def test_a_stalled_flood_pushes_nothing_until_the_stall_ends(
    make_exchange: Callable[..., LocalExchange], connect: Connect
) -> None:
    sim = make_exchange(push_interval=0.0, clock_speed=1e-9)
    client = connect(sim.base_url)
    client.subscribe(BTC_1MIN)
    client.recv_until(is_push)
    sim.faults.stall()
    # What was in flight drains; then a marker sent through the stall comes last.
    sim.faults.send_raw('{"type": "notice", "id": "marker"}')
    client.recv_until(lambda f: f.get("id") == "marker")
    stalled_at = sim.stats().pushes_sent
    sim.faults.send_raw('{"type": "notice", "id": "marker-2"}')
    client.recv_until(lambda f: f.get("id") == "marker-2")
    assert sim.stats().pushes_sent == stalled_at  # pushes are counted before they are sent
    sim.faults.stall(False)
    client.recv_until(is_push)
