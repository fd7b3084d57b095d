"""``kucandle-gui --headless`` as a user runs it: a real process against the local exchange."""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from kucandle_gui.sim import LocalExchange

FIELDS = {"symbol", "timeframe", "time", "open", "high", "low", "close", "volume", "turnover"}


class HeadlessRun:
    """The process, with its stdout lines delivered through a queue (read with a timeout)."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kucandle_gui", "--headless", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        # The pipe is closed under this thread once a test is done with the process.
        with contextlib.suppress(ValueError):
            for line in self.process.stdout:
                self.lines.put(line)

    def objects(self, n: int, timeout: float = 20.0) -> list[dict[str, object]]:
        return [json.loads(self.lines.get(timeout=timeout)) for _ in range(n)]

    def finish(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(signum)
        _, err = self.process.communicate(timeout=10)
        return self.process.returncode, err


@pytest.fixture
def run() -> Iterator[type[HeadlessRun]]:
    started: list[HeadlessRun] = []

    def start(*args: str) -> HeadlessRun:
        started.append(HeadlessRun(*args))
        return started[-1]

    yield start  # type: ignore[misc]
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait(5)


def test_prints_history_and_live_candles_then_a_summary_on_sigterm(
    run, exchange: LocalExchange
) -> None:
    headless = run("--api-url", exchange.base_url, "--symbol", "ETH-USDT", "--timeframe", "1min")
    objects = headless.objects(80)  # the start-up history alone is about 300 candles
    assert all(set(o) == FIELDS for o in objects)
    assert {(o["symbol"], o["timeframe"]) for o in objects} == {("ETH-USDT", "1min")}
    assert all(o["low"] <= min(o["open"], o["close"]) for o in objects)
    code, err = headless.finish()
    assert code == 0
    assert "summary: messages=" in err and "errors=0" in err and "reconnects=0" in err


def test_sigint_also_ends_cleanly(run, exchange: LocalExchange) -> None:
    headless = run("--api-url", exchange.base_url)
    headless.objects(1)
    code, err = headless.finish(signal.SIGINT)
    assert code == 0
    assert "summary:" in err


def test_unknown_pair_exits_2_with_a_clear_message(run, exchange: LocalExchange) -> None:
    headless = run("--api-url", exchange.base_url, "--symbol", "BTC-USDX")
    code = headless.process.wait(timeout=20)
    err = headless.process.stderr.read()
    assert code == 2
    assert "BTC-USDX" in err and "did you mean BTC-USDT" in err


def test_bad_timeframe_lists_the_valid_ones(run) -> None:
    headless = run("--timeframe", "1m", "--api-url", "http://127.0.0.1:9")
    code = headless.process.wait(timeout=20)
    err = headless.process.stderr.read()
    assert code == 2
    assert "unknown timeframe '1m'" in err and "1min, 3min, 5min" in err


def test_demo_marks_every_candle_as_simulated(run) -> None:
    headless = run("--demo", "--symbol", "SOL-USDT")
    objects = headless.objects(5)
    assert all(o["simulated"] is True and o["symbol"] == "SOL-USDT" for o in objects)
    code, err = headless.finish()
    assert code == 0
    assert "DEMO: simulated prices" in err
