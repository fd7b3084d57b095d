"""``kucandle-gui --headless`` as a user runs it: a real process against the local exchange."""

from __future__ import annotations

import json
import signal

from kucandle_gui.sim import LocalExchange
from tests.app_process import AppProcess

FIELDS = {"symbol", "timeframe", "time", "open", "high", "low", "close", "volume", "turnover"}


def headless(*args: str) -> AppProcess:
    return AppProcess("--headless", *args)


def objects(run: AppProcess, n: int) -> list[dict[str, object]]:
    return [json.loads(run.stdout_line()) for _ in range(n)]


def test_prints_history_and_live_candles_then_a_summary_on_sigterm(exchange: LocalExchange):
    args = ("--api-url", exchange.base_url, "--symbol", "ETH-USDT", "--timeframe", "1min")
    with headless(*args) as run:
        found = objects(run, 80)  # the start-up history alone is about 300 candles
        code, err = run.finish(signal.SIGTERM)
    assert all(set(o) == FIELDS for o in found)
    assert {(o["symbol"], o["timeframe"]) for o in found} == {("ETH-USDT", "1min")}
    assert all(o["low"] <= min(o["open"], o["close"]) for o in found)
    assert code == 0
    assert "subscription: ETH-USDT 1min: subscribed" in err
    assert "summary: messages=" in err and "errors=0" in err and "reconnects=0" in err


def test_sigint_also_ends_cleanly(exchange: LocalExchange):
    with headless("--api-url", exchange.base_url) as run:
        objects(run, 1)
        code, err = run.finish(signal.SIGINT)
    assert code == 0
    assert "summary:" in err


def test_unknown_pair_exits_2_with_a_clear_message(exchange: LocalExchange):
    with headless("--api-url", exchange.base_url, "--symbol", "BTC-USDX") as run:
        code, err = run.wait()
    assert code == 2
    assert "BTC-USDX" in err and "did you mean BTC-USDT" in err


def test_demo_marks_every_candle_as_simulated():
    with headless("--demo", "--symbol", "SOL-USDT") as run:
        found = objects(run, 5)
        code, err = run.finish(signal.SIGTERM)
    assert all(o["simulated"] is True and o["symbol"] == "SOL-USDT" for o in found)
    assert code == 0
    assert "DEMO: simulated prices" in err
