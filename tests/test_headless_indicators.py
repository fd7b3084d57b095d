"""``kucandle-gui --headless --indicator …`` against the local exchange, real sockets.

The printed values are checked against an independent implementation, talipp (the oracle):
the series is rebuilt from the printed candle lines (the last line per start time), talipp
computes every indicator over it, and the last values printed for each candle must equal
talipp's within 1e-9 relative. MACD's three lines are differences of price EMAs: near a zero
crossing no implementation (talipp's included) has relative precision, so they are compared
within 1e-9 of the price level instead. RSI is in points of a 0..100 scale, and compared within
1e-9 of that scale (1e-7 points), not relative to itself near 0: the values are exact to that
much, and what moves less is not printed again (see ``headless_indicators``). RSI is Wilder's
(seeded with the mean gain and loss of the first N changes), computed with talipp's SMMA fed
the gains and losses; VWAP starts again at each UTC day (a talipp VWAP per day).

The exchange starts at a fixed moment (1h30 into a UTC day, so the history crosses a day
boundary and VWAP's reset is exercised) and, where a test needs the output to be exactly
known, with its clock standing still: nothing moves but what the test injects.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from itertools import pairwise
from typing import Any

import pytest
from talipp.indicators import BB, EMA, MACD, SMA, SMMA, VWAP
from talipp.ohlcv import OHLCV

from kucandle_gui.feed import CandleSeries, CandleUpdate
from kucandle_gui.headless import run_headless
from kucandle_gui.headless_indicators import _PRUNE_SLACK, HeadlessIndicators
from kucandle_gui.model import SeriesKey
from kucandle_gui.model.indicators import parse_indicator_spec
from kucandle_gui.protocol import Candle, candle_push_message
from kucandle_gui.sim import LocalExchange
from kucandle_gui.stopping import StopRequest
from tests.app_process import TIMEOUT, AppProcess
from tests.helpers import fast_feed_config, fast_sim_config, numpy_walk
from tests.sim.simclient import wait_until
from tests.test_headless import FIELDS, HeadlessRun, Lines, finished

DAY = 86_400
MINUTE = 60
#: Simulated start of the exchange: 1 h 30 min and 5 s into a UTC day.
START = 20_255 * DAY + 90 * MINUTE + 5
#: Candles of history the runs load: they reach back into the day before ``START``.
HISTORY = 200
#: Every kind of indicator, two of one kind.
ALL = ("sma:50", "ema:20", "ema:9", "bb:20:2", "vwap", "rsi:14", "macd:12:26:9", "volsma:20")
RELATIVE = 1e-9
#: RSI's scale: it is compared within ``RELATIVE`` of it (1e-7 points).
RSI_SCALE = 100.0
WAIT = 30.0


# -- the oracle ----------------------------------------------------------------------------------


def _none_or(value: float | None) -> float | None:
    return None if value is None else float(value)


def talipp_values(spec: str, candles: Sequence[dict[str, Any]]) -> list[Any]:
    """talipp's values of ``spec`` at each of ``candles`` (oldest first), as printed: a
    number, None, or a list of them for several outputs."""
    kind, *params = spec.split(":")
    closes = [c["close"] for c in candles]
    n = int(params[0]) if params else 0
    if kind == "sma":
        return [_none_or(v) for v in SMA(n, closes)]
    if kind == "ema":
        return [_none_or(v) for v in EMA(n, closes)]
    if kind == "volsma":
        return [_none_or(v) for v in SMA(n, [c["volume"] for c in candles])]
    if kind == "bb":
        bands = BB(n, float(params[1]), closes)
        return [[None] * 3 if b is None else [b.lb, b.cb, b.ub] for b in bands]
    if kind == "macd":
        fast, slow, signal = map(int, params)
        lines = MACD(fast, slow, signal, closes)
        return [
            [None] * 3 if m is None else [m.macd, _none_or(m.signal), _none_or(m.histogram)]
            for m in lines
        ]
    if kind == "rsi":
        return wilder_rsi(n, closes)
    if kind == "vwap":
        out: list[Any] = []
        day, vwap = None, VWAP()
        for c in candles:
            if c["time"] // DAY != day:
                day, vwap = c["time"] // DAY, VWAP()
            vwap.add(OHLCV(c["open"], c["high"], c["low"], c["close"], c["volume"]))
            out.append(_none_or(vwap[-1]))
        return out
    raise AssertionError(f"no oracle for {spec}")


def wilder_rsi(n: int, closes: Sequence[float]) -> list[float | None]:
    """Wilder's RSI: talipp's SMMA of the gains and of the losses (the first value, at candle
    ``n``, from the mean of the first ``n`` changes); 100 while nothing was lost."""
    changes = [b - a for a, b in pairwise(closes)]
    gains = SMMA(n, [max(d, 0.0) for d in changes])
    losses = SMMA(n, [max(-d, 0.0) for d in changes])
    out: list[float | None] = [None]
    for gain, loss in zip(gains, losses, strict=True):
        if gain is None:
            out.append(None)
        else:
            out.append(100.0 if loss == 0 else 100.0 - 100.0 / (1.0 + gain / loss))
    return out[: len(closes)]


def same(spec: str, printed: Any, truth: Any, price: float) -> bool:
    """Whether a printed value is talipp's: None where talipp has none, else within 1e-9
    relative, or of the price level ``price`` for MACD, or of RSI's 0..100 scale for RSI."""
    if isinstance(truth, list):
        return isinstance(printed, list) and all(
            same(spec, p, t, price) for p, t in zip(printed, truth, strict=True)
        )
    if truth is None or printed is None:
        return truth is None and printed is None
    scale = price if spec.startswith("macd") else RSI_SCALE if spec.startswith("rsi") else 0.0
    floor = RELATIVE * scale
    return math.isclose(printed, truth, rel_tol=RELATIVE, abs_tol=floor)


def assert_values_are_talipps(lines: Sequence[dict[str, Any]], specs: Sequence[str]) -> None:
    """The last line printed per candle carries talipp's values over the series those lines
    make."""
    last = {line["time"]: line for line in lines}
    series = [last[t] for t in sorted(last)]
    price = max(c["close"] for c in series)
    for spec in specs:
        truth = talipp_values(spec, series)
        assert any(t is not None for t in truth), f"{spec}: never defined in {len(series)}"
        for candle, expected in zip(series, truth, strict=True):
            assert same(spec, candle[spec], expected, price), (spec, candle, expected)


def _no_nan(text: str) -> float:
    raise AssertionError(f"{text} printed")


def parse(lines: Sequence[str]) -> list[dict[str, Any]]:
    """JSON lines, refusing NaN and infinities (not JSON)."""
    return [json.loads(line, parse_constant=_no_nan) for line in lines]


# -- a run ---------------------------------------------------------------------------------------


class IndicatorRun(HeadlessRun):
    """run_headless with indicators on a thread of its own; ``HISTORY`` candles of history."""

    def __init__(self, exchange: LocalExchange, specs: Sequence[str], symbol: str) -> None:
        self.out, self.err = Lines(), Lines()
        self._stop = StopRequest()
        self._codes: list[int] = []
        indicators = [parse_indicator_spec(text) for text in specs]

        def run() -> None:
            self._codes.append(
                run_headless(
                    exchange.base_url,
                    symbol,
                    "1min",
                    out=self.out,
                    err=self.err,
                    stop=self._stop,
                    config=fast_feed_config(history_candles=HISTORY),
                    indicators=indicators,
                )
            )

        self._thread = threading.Thread(target=run)
        self._thread.start()

    def candles(self, lines: Sequence[str] | None = None) -> list[dict[str, Any]]:
        return parse(self.out.lines if lines is None else lines)

    def wait_history(self) -> int:
        """Until every candle of the history is printed (and the series subscribed); how
        many candles that is."""
        said = self.err.wait_for(
            lambda lines: (
                any(s.startswith("history: ") for s in lines)
                and any(s.endswith(": subscribed") for s in lines)
            ),
            WAIT,
        )
        [history] = [s for s in said if s.startswith("history: ")]
        count = int(history.split(": ")[2].split()[0])
        self.out.wait_for(lambda lines: len({c["time"] for c in self.candles(lines)}) >= count)
        return count


def indicator_run(
    exchange: LocalExchange, *specs: str, symbol: str = "BTC-USDT"
) -> AbstractContextManager[IndicatorRun]:
    return finished(IndicatorRun(exchange, specs, symbol))


@pytest.fixture
def live() -> Iterator[LocalExchange]:
    """The fast local exchange (a simulated minute per real second), from ``START``."""
    with LocalExchange(fast_sim_config(start_time=START)) as running:
        yield running


@pytest.fixture
def still() -> Iterator[LocalExchange]:
    """The local exchange at ``START`` with its clock standing still: no candle moves."""
    with LocalExchange(fast_sim_config(start_time=START, clock_speed=0.0)) as running:
        yield running


# -- tests ---------------------------------------------------------------------------------------


def test_every_candle_line_carries_talipps_values_through_live_updates(live):
    with indicator_run(live, *ALL) as run:
        run.wait_history()
        first = START // MINUTE * MINUTE
        run.out.wait_for(
            lambda lines: any(c["time"] >= first + 3 * MINUTE for c in run.candles(lines[-5:]))
        )
        code = run.finish()
    assert code == 0
    lines = run.candles()
    assert all(set(line) == FIELDS | set(ALL) for line in lines)
    assert all(len(line["bb:20:2"]) == 3 and len(line["macd:12:26:9"]) == 3 for line in lines)
    times = [line["time"] for line in lines]
    assert len(times) > len(set(times))  # the forming candles were printed again and again
    assert min(times) // DAY < max(times) // DAY  # VWAP started again at midnight
    assert_values_are_talipps(lines, ALL)


def test_after_an_outage_the_backfill_leaves_talipps_values_on_every_candle(live):
    with indicator_run(live, *ALL) as run:
        run.wait_history()
        live.faults.outage(True)
        cut = live.now()
        wait_until(lambda: live.now() >= cut + 3 * MINUTE, WAIT, "three minutes without link")
        live.faults.outage(False)
        run.err.wait_for(lambda lines: any(s.startswith("backfill: ") for s in lines), WAIT)
        back = live.now() // MINUTE * MINUTE
        run.out.wait_for(
            lambda lines: any(c["time"] >= back + 2 * MINUTE for c in run.candles(lines[-5:]))
        )
        code = run.finish()
    assert code == 0
    lines = run.candles()
    times = sorted({line["time"] for line in lines})
    held = live.market.candles("BTC-USDT", "1min", times[0], times[-1], now=live.now())
    assert times == [c.time for c in held]  # the gap was filled
    assert_values_are_talipps(lines, ALL)


def late_update(candle: dict[str, Any]) -> Candle:
    """The candle as a late push changes it: more volume, a close 1% higher."""
    close = candle["close"] * 1.01
    volume = candle["volume"] + 1.0
    return Candle(
        candle["time"],
        candle["open"],
        max(candle["high"], close),
        candle["low"],
        close,
        volume,
        candle["turnover"] + close,
    )


@pytest.mark.parametrize(
    ("specs", "reach"),
    [(("sma:3", "volsma:3"), 2), (ALL, None)],
    ids=["without-memory", "with-memory"],
)
def test_a_late_update_of_a_past_candle_reprints_the_later_candles_whose_values_changed(
    still, specs, reach
):
    """``reach``: how many later candles the change reaches (None: all, EMA's memory)."""
    with indicator_run(still, *specs) as run:
        count = run.wait_history()
        history = run.candles()
        series = sorted({c["time"]: c for c in history}.values(), key=lambda c: c["time"])
        assert len(series) == count
        k = count - 30
        changed = late_update(series[k])
        frame = candle_push_message("BTC-USDT", "1min", changed, START * 10**9)
        assert still.faults.send_raw(frame) == 1
        run.out.wait_for(lambda lines: len(lines) > len(history), WAIT)
        code = run.finish()
    assert code == 0
    lines = run.candles()
    assert lines[: len(history)] == history  # nothing else moved
    update, *reprinted = lines[len(history) :]
    assert {k: update[k] for k in FIELDS - {"symbol", "timeframe"}} == changed.as_dict()
    # Later candles only, each once, in time order, with the candle as held.
    later = series[k + 1 :]
    expected = later if reach is None else later[:reach]
    assert [c["time"] for c in reprinted] == [c["time"] for c in expected]
    for line, before in zip(reprinted, expected, strict=True):
        assert {f: line[f] for f in FIELDS} == {f: before[f] for f in FIELDS}
        assert any(line[s] != before[s] for s in specs)  # printed again: its values changed
    assert_values_are_talipps(lines, specs)


def test_without_the_flag_candle_lines_carry_no_indicator(still):
    with finished(HeadlessRun(still, "BTC-USDT")) as run:
        run.out.wait_for(lambda lines: len(lines) >= 50)
        code = run.finish()
    assert code == 0
    assert all(set(line) == FIELDS for line in parse(run.out.lines))


def test_older_history_reprints_what_it_changed_and_the_cap_is_followed():
    """Without the network: a series at its cap takes older history (the values of every
    candle after it change through EMA's memory, SMA's only for its period): only the older
    candles the cap keeps are printed, then the later ones whose values changed. New candles
    then push the oldest out, each printed once, and what is remembered of the printed lines
    stays bounded by the cap."""
    key = SeriesKey("BTC-USDT", "1min")
    cap = 150
    walk = numpy_walk(1500, seed=7)
    columns = CandleSeries("BTC-USDT", "1min", max_candles=cap)
    delivered = columns.merge(walk[100:200])  # what the feed delivers: the changed candles
    indicators = HeadlessIndicators(key, columns, [parse_indicator_spec("sma:5")])
    first = parse(indicators.lines([CandleUpdate(*key, c) for c in delivered], {}))
    assert [c["time"] for c in first] == [c.time for c in walk[100:200]]
    assert first[3]["sma:5"] is None and first[4]["sma:5"] is not None
    delivered = columns.merge(walk[:100])
    assert len(columns) == cap and delivered == walk[50:100]  # the cap cut the 50 oldest
    older = parse(indicators.lines([CandleUpdate(*key, c) for c in delivered], {"x": 1}))
    # The 50 older candles kept, then the 4 whose SMA 5 was not defined before.
    assert [c["time"] for c in older] == [c.time for c in walk[50:104]]
    assert all(c["x"] == 1 for c in older)
    newer: list[dict[str, Any]] = []
    for candle in walk[200:]:  # each pushes the oldest out: nothing else to print
        delivered = columns.merge([candle])
        newer += parse(indicators.lines([CandleUpdate(*key, c) for c in delivered], {}))
    assert [c["time"] for c in newer] == [c.time for c in walk[200:]]
    assert len(columns) == cap and columns.first_time() == walk[-cap].time
    assert len(indicators._printed) <= cap + _PRUNE_SLACK  # what was printed is forgotten
    assert_values_are_talipps(first + older + newer, ["sma:5"])


def test_an_rsi_near_0_is_exact_to_1e_9_of_its_scale_after_a_late_update():
    """RSI is in points of 0..100 and exact to 1e-9 of that scale, not relative to itself
    near 0. After a long fall (RSI 0) a late gain decays through Wilder's smoothing towards 0:
    the candles whose RSI moved by less than 1e-12 of the scale (1e-10 points) are not
    printed again, and what stays printed for them is within 1e-7 points, though not within
    1e-9 of a value that small."""
    key = SeriesKey("BTC-USDT", "1min")
    start = 1_700_000_040
    candles = [
        Candle(start + MINUTE * i, 1000.0 - i, 1000.0 - i, 999.0 - i, 999.0 - i, 1.0, 1.0)
        for i in range(800)
    ]
    columns = CandleSeries("BTC-USDT", "1min", max_candles=None)
    columns.merge(candles)
    indicators = HeadlessIndicators(key, columns, [parse_indicator_spec("rsi:14")])
    lines = parse(indicators.lines([CandleUpdate(*key, c) for c in candles], {}))
    assert {line["rsi:14"] for line in lines[15:]} == {0.0}  # nothing gained: RSI 0
    old = candles[50]
    late = Candle(old.time, old.open, 1100.0, old.low, 1000.0, old.volume + 1, old.turnover)
    delivered = columns.merge([late])
    reprinted = parse(indicators.lines([CandleUpdate(*key, c) for c in delivered], {}))
    assert reprinted[0]["time"] == late.time
    times = [line["time"] for line in reprinted[1:]]
    assert times == [c.time for c in candles[51 : 51 + len(times)]]  # later ones, in order
    assert 0 < len(times) < len(candles) - 51  # not the candles the gain barely moved
    truth = dict(zip((c.time for c in candles), wilder_rsi(14, list(columns.close)), strict=True))
    stale = [c for c in candles[51 + len(times) :] if truth[c.time] != 0.0]
    assert stale and all(0 < truth[c.time] <= 1e-10 for c in stale)
    assert_values_are_talipps(lines + reprinted, ["rsi:14"])


def test_the_command_line_prints_each_indicator_once_under_its_spec(exchange: LocalExchange):
    args = ("--api-url", exchange.base_url, "--symbol", "ETH-USDT")
    specs = ("--indicator", "EMA:20", "--indicator", " ema:20 ", "--indicator", "macd:12:26:9")
    with AppProcess("--headless", *args, *specs) as run:
        found: list[dict[str, Any]] = []
        # The history's oldest candles have no EMA yet; later ones have MACD's signal line.
        while not (
            any(line["ema:20"] is None for line in found)
            and any(line["macd:12:26:9"][1] is not None for line in found)
        ):
            found.append(json.loads(run.stdout_line(TIMEOUT)))
        code, err = run.finish()
    assert code == 0 and "Traceback" not in err
    assert all(set(line) == FIELDS | {"ema:20", "macd:12:26:9"} for line in found)
    assert all(isinstance(line["ema:20"], float | None) for line in found)
