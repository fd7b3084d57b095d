"""``kucandle-gui --headless --alert …`` against the local exchange, real sockets.

The simulated market is deterministic: a test reads the candles of the coming minutes (as they
will be once closed) and picks prices that a known future candle is the first to reach. The
run's firings are then matched against that oracle: the candle named, once, and nothing for a
price no candle reaches. The exchange starts at a fixed moment, so every run picks the same
prices (the pairs and conditions below are ones that market reaches soon).
"""

from __future__ import annotations

import json
import math
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest

from kucandle_gui.model import parse_alert_spec
from kucandle_gui.sim import LocalExchange
from tests.app_process import AppProcess, window_env
from tests.helpers import fast_sim_config
from tests.sim.simclient import wait_until
from tests.test_headless import FIELDS, HeadlessRun, finished

ALERT_FIELDS = {"type", "symbol", "condition", "price", "candle_time", "reached_at", "late"}
#: Simulated seconds per real second: a minute of candles a second (a slow machine still arms
#: its alerts long before the candles the oracle picks).
CLOCK = 60.0
MINUTE = 60
#: Simulated start of the exchange: 5 s into a minute.
START = 1_749_999_965
#: The candle open when the exchange starts: the earliest one a run may arm its alerts at.
FIRST = START // MINUTE * MINUTE
#: Simulated minutes from a test's start to the first candle an alert may be reached by: the
#: run arms its alerts when the history is in, well within this (a few real seconds).
LEAD = 8
#: Simulated minutes of candles searched for a price to alert on.
HORIZON = 40
#: Longest wait for a line, in real seconds.
WAIT = 30.0


@pytest.fixture
def market() -> Iterator[LocalExchange]:
    """The fast local exchange, its clock sped up so that a minute passes in a second; not
    started: a test reads its future first (computing a day of trades takes a while, and the
    clock runs from the start), then starts it."""
    exchange = LocalExchange(fast_sim_config(clock_speed=CLOCK, start_time=START))
    yield exchange
    exchange.stop()


# -- the oracle ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An alert, and the start of the candle that will be the first to reach its price."""

    symbol: str
    condition: str
    price: float
    candle_time: int

    @property
    def spec(self) -> str:
        return f"{self.symbol} {self.condition} {self.price!r}"

    def matches(self, line: dict[str, Any]) -> bool:
        return (line["symbol"], line["condition"], line["price"]) == (
            self.symbol,
            self.condition,
            self.price,
        )


def targets(
    exchange: LocalExchange, symbol: str, condition: str, *, exact: bool, lead: int = LEAD
) -> list[Target]:
    """Prices that a candle at least ``lead`` minutes after ``FIRST`` is the first since
    ``FIRST`` to reach: through its wick (strictly beyond its open and close and short of its
    high, or low) or, ``exact``, at its high (low) itself; oldest candle first."""
    above = condition == "above"
    sign = 1.0 if above else -1.0
    end = FIRST + HORIZON * MINUTE
    found: list[Target] = []
    reached = -math.inf  # the farthest high (or low, negated) since FIRST
    for c in exchange.market.candles(symbol, "1min", FIRST, end, now=end + 2 * MINUTE):
        extreme = sign * (c.high if above else c.low)
        body = sign * (max(c.open, c.close) if above else min(c.open, c.close))
        floor = reached if exact else max(reached, body)
        if c.time >= FIRST + lead * MINUTE and extreme > floor:
            price = extreme if exact else (floor + extreme) / 2
            found.append(Target(symbol, condition, sign * price, c.time))
        reached = max(reached, extreme)
    return found


def first_target(exchange: LocalExchange, symbol: str, condition: str, **kwargs: Any) -> Target:
    found = targets(exchange, symbol, condition, **kwargs)
    assert found, f"{symbol} makes no new {condition} extreme in {HORIZON} minutes"
    return found[0]


def beyond_every_candle(exchange: LocalExchange, symbol: str, end: int) -> float:
    """A price above the high of every candle from ``FIRST`` to ``end``."""
    rows = exchange.market.candles(symbol, "1min", FIRST, end, now=end + 2 * MINUTE)
    return max(c.high for c in rows) * 1.5


# -- a run ---------------------------------------------------------------------------------------


class AlertRun(HeadlessRun):
    """run_headless with alerts on a thread of its own; stdout and stderr as lines."""

    def __init__(self, exchange: LocalExchange, alerts: Sequence[str], symbol: str) -> None:
        if not exchange.running:
            exchange.start()
        super().__init__(exchange, symbol, alerts=[parse_alert_spec(text) for text in alerts])
        self.symbol = symbol

    def firings(self, lines: list[str] | None = None) -> list[dict[str, Any]]:
        return [o for o in _objects(self.out.lines if lines is None else lines) if "type" in o]

    def candles(self) -> list[dict[str, Any]]:
        return [o for o in _objects(self.out.lines) if "type" not in o]

    def wait_firings(self, n: int) -> list[dict[str, Any]]:
        return self.firings(self.out.wait_for(lambda lines: len(self.firings(lines)) >= n, WAIT))

    def wait_candle(self, start: int) -> None:
        """Until the printed series has a candle starting at ``start`` or later: every candle
        the feed delivered before it (of any series) has been evaluated."""
        self.out.wait_for(
            lambda lines: any(o.get("time", 0) >= start for o in _objects(lines[-20:])), WAIT
        )

    def wait_said(self, wanted: Callable[[str], bool]) -> list[str]:
        """The stderr lines for which ``wanted`` holds, once there is one."""
        lines = self.err.wait_for(lambda lines: any(map(wanted, lines)), WAIT)
        return [line for line in lines if wanted(line)]


def _objects(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines]


def alert_run(
    exchange: LocalExchange, *alerts: str, symbol: str = "BTC-USDT"
) -> AbstractContextManager[AlertRun]:
    return finished(AlertRun(exchange, alerts, symbol))


def armed_in_time(run: AlertRun, exchange: LocalExchange, symbol: str, first: int) -> None:
    """The oracle holds only if the run armed its alerts of ``symbol`` before the candle at
    ``first`` began: they arm once the history of the pair's 1min series is in."""
    run.wait_said(lambda line: line.startswith(f"history: {symbol} 1min"))
    assert exchange.now() < first - MINUTE, "the run started too slowly for this test's oracle"


# -- tests ---------------------------------------------------------------------------------------


def test_a_wick_and_an_exact_high_fire_once_each_and_an_unreached_price_never(market):
    wick = first_target(market, "BTC-USDT", "above", exact=False)
    exact = first_target(market, "BTC-USDT", "above", exact=True)
    end = max(wick.candle_time, exact.candle_time) + 3 * MINUTE
    never = Target("BTC-USDT", "above", beyond_every_candle(market, "BTC-USDT", end), 0)
    began = time.time()
    with alert_run(market, wick.spec, exact.spec, never.spec) as run:
        armed_in_time(run, market, "BTC-USDT", min(wick.candle_time, exact.candle_time))
        run.wait_firings(2)
        run.wait_candle(end)
        code = run.finish()
    ended = time.time()
    assert code == 0
    fired = run.firings()
    assert len(fired) == 2, fired
    for target in (wick, exact):
        [line] = [f for f in fired if target.matches(f)]
        assert set(line) == ALERT_FIELDS
        assert line["type"] == "alert"
        assert line["candle_time"] == target.candle_time
        assert line["late"] is False
        assert began <= line["reached_at"] <= ended  # wall time, when it was seen live
    assert not any(never.matches(f) for f in fired)
    # The alerts' series is the printed one: held twice, subscribed and printed once.
    candles = run.candles()
    assert candles and all(set(c) == FIELDS for c in candles)
    assert {(c["symbol"], c["timeframe"]) for c in candles} == {("BTC-USDT", "1min")}
    assert run.err.lines.count("subscription: BTC-USDT 1min: subscribed") == 1


def test_a_price_reached_during_an_outage_fires_once_late_after_the_backfill(market):
    target = first_target(market, "BTC-USDT", "above", exact=False)
    with alert_run(market, target.spec, symbol="ETH-USDT") as run:
        armed_in_time(run, market, "BTC-USDT", target.candle_time)
        wait_until(lambda: market.now() >= target.candle_time - 45, WAIT, "the minute before")
        market.faults.outage(True)
        assert market.now() < target.candle_time, "the outage must cover the whole candle"
        wait_until(lambda: market.now() >= target.candle_time + 2 * MINUTE, WAIT, "the candle")
        market.faults.outage(False)
        [line] = run.wait_firings(1)
        run.wait_candle(target.candle_time + 5 * MINUTE)
        code = run.finish()
    assert code == 0
    assert target.matches(line)
    assert line["candle_time"] == target.candle_time  # the first candle that reached it
    assert line["late"] is True
    assert line["reached_at"] == target.candle_time  # found by the backfill: the candle's time
    assert run.firings() == [line]  # once, not again on the live pushes after the reconnect
    assert any(s.startswith("backfill: BTC-USDT 1min") for s in run.err.lines)
    # Only the printed series' candles are printed, not those of the alert's pair.
    assert {(c["symbol"], c["timeframe"]) for c in run.candles()} == {("ETH-USDT", "1min")}


def test_twenty_alerts_on_five_pairs_each_fire_once_on_the_candle_that_reached_them(market):
    pairs = ("BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "DOGE-USDT")
    wanted: list[Target] = []
    for symbol in pairs:  # each pair's four soonest, whichever way its price goes
        found = [
            t
            for condition in ("above", "below")
            for exact in (False, True)
            for t in targets(market, symbol, condition, exact=exact)
        ]
        wanted += sorted(found, key=lambda t: t.candle_time)[:4]
    assert len({(t.symbol, t.price) for t in wanted}) == 20  # each alert told apart by its line
    assert {t.condition for t in wanted} == {"above", "below"}
    with alert_run(market, *(t.spec for t in wanted), symbol="KCS-USDT") as run:
        for symbol in pairs:
            armed_in_time(run, market, symbol, min(t.candle_time for t in wanted))
        run.wait_firings(20)
        run.wait_candle(max(t.candle_time for t in wanted) + 3 * MINUTE)
        code = run.finish()
    assert code == 0
    fired = run.firings()
    assert len(fired) == 20
    for target in wanted:
        [line] = [f for f in fired if target.matches(f)]
        assert (line["candle_time"], line["late"]) == (target.candle_time, False), target
    assert {c["symbol"] for c in run.candles()} == {"KCS-USDT"}


def test_an_alert_already_past_its_price_is_said_once_and_waits(market):
    price = round(market.ticker("ETH-USDT").last * 10)  # far above: the price is already below
    with alert_run(market, f"ETH-USDT below {price}") as run:
        said = run.wait_said(lambda line: "already past it" in line)
        run.wait_candle(FIRST + 5 * MINUTE)
        code = run.finish()
    assert code == 0
    [notice] = said
    assert notice.startswith(f"alert: ETH-USDT falls to {price}: the price is already past it")
    assert "fires once the price has gone back" in notice
    assert sum("already past it" in line for line in run.err.lines) == 1
    assert run.firings() == []  # it would fire only after the price went above it again


def test_an_alert_on_a_pair_the_exchange_refuses_is_reported_and_the_rest_goes_on(market):
    target = first_target(market, "SOL-USDT", "above", exact=False)
    with alert_run(market, "NOPE-USDT above 1", target.spec) as run:
        armed_in_time(run, market, "SOL-USDT", target.candle_time)
        said = run.wait_said(lambda line: "NOPE-USDT" in line and line.startswith("error: "))
        [line] = run.wait_firings(1)
        code = run.finish()
    assert code == 0  # the printed series was served: a refused alert pair is no reason to stop
    assert "the other alerts go on" in said[0]
    assert (line["symbol"], line["candle_time"]) == ("SOL-USDT", target.candle_time)


# -- the command line ------------------------------------------------------------------------------


def test_the_command_line_prints_the_firing_beside_the_candles(market):
    # A process takes longer to start than a thread: a candle further off.
    target = first_target(market, "ETH-USDT", "above", exact=True, lead=2 * LEAD)
    market.start()
    args = ("--api-url", market.base_url, "--symbol", "ETH-USDT", "--alert", target.spec)
    with AppProcess("--headless", *args) as run:
        run.stderr_line(lambda line: line.startswith("history: ETH-USDT 1min"))
        assert market.now() < target.candle_time - MINUTE, "the run started too slowly"
        found = [json.loads(run.stdout_line())]
        while "type" not in found[-1]:
            found.append(json.loads(run.stdout_line()))
        code, err = run.finish(signal.SIGTERM)
    assert code == 0 and "Traceback" not in err
    *candles, line = found
    assert candles and all(set(c) == FIELDS for c in candles)
    assert set(line) == ALERT_FIELDS
    assert target.matches(line)
    assert line["candle_time"] == target.candle_time


@pytest.mark.parametrize(
    ("alert", "said"),
    [
        ("BTC-USDT around 7", "alert 'BTC-USDT around 7': invalid condition 'around': expected"),
        ("BTC-USDT above", 'expected "PAIR above|below PRICE [every 1m|10m|2h]", e.g. "BTC-'),
        ("BTCUSDT above 7", "invalid pair 'BTCUSDT': expected BASE-QUOTE"),
        ("BTC-USDT above -5", "the price must be a positive finite number, got '-5'"),
        ("BTC-USDT above 7 every 0s", "the cool-down must be a positive finite number"),
    ],
)
def test_a_malformed_alert_exits_2_saying_what_is_valid(alert, said):
    with AppProcess("--headless", "--alert", "BTC-USDT above 70000", "--alert", alert) as run:
        code, err = run.wait()
    assert code == 2
    assert "argument --alert: invalid alert" in err and said in err
    assert "Traceback" not in err


def test_an_alert_without_headless_exits_2_pointing_at_the_alerts_panel(tmp_path):
    with AppProcess("--alert", "BTC-USDT above 70000", env=window_env(tmp_path)) as run:
        code, err = run.wait()
    assert code == 2
    assert "argument --alert: only with --headless (the window has an Alerts panel)" in err
    assert not (tmp_path / "config").exists()  # the window never started
