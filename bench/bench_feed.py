"""Feed benchmarks: throughput to the UI thread, and end-to-end latency.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_feed [--seconds 10]

The local exchange runs in its own process (as the real one is remote: it must not share our
GIL), the app side is the real ``FeedController`` on a ``QThread`` delivering to a slot on the
UI thread, which applies every candle to a store keyed by start time (what the chart's model
does). Meanwhile a 5 ms QTimer on the UI thread measures the event loop's longest stall.

1. Throughput: the exchange pushes as fast as the socket takes (flood); messages/s parsed by
   the feed, candle changes/s delivered on the UI thread, UI stall.
2. Latency: the exchange pushes about 100 and 2,000 messages/s; for each candle delivered on
   the UI thread, local receive time minus the push's exchange timestamp: p50 / p99.

Prints a table and writes ``bench/results/feed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from kucandle_gui.feed import CandleUpdate, FeedConfig
from kucandle_gui.worker import FeedController

RESULTS = Path(__file__).parent / "results"
SYMBOLS = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "KCS-USDT", "DOGE-USDT", "ETH-BTC"]
LONG_TIMEFRAMES = ["1hour", "2hour", "4hour", "6hour", "8hour", "12hour", "1day", "1week"]


@contextmanager
def exchange_process(*args: str):
    """``python -m kucandle_gui.sim`` in its own process; yields its REST base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kucandle_gui.sim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(10)


class Probe(QObject):
    """UI-thread side: applies batches, records latencies, watches event-loop stalls."""

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str, int], object] = {}
        self.delivered = 0
        self.latencies_ms: list[float] = []
        self.max_stall_ms = 0.0
        self.recording = False
        self._clock = QElapsedTimer()
        self._clock.start()
        self._last_tick = 0
        self._ticker = QTimer(self)
        self._ticker.setInterval(5)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    @Slot(list)
    def on_batch(self, batch: list[CandleUpdate]) -> None:
        now = time.time_ns()
        for update in batch:
            self.store[(update.symbol, update.timeframe, update.candle.time)] = update.candle
        if self.recording:
            self.delivered += len(batch)
            self.latencies_ms.extend((now - u.pushed_ns) / 1e6 for u in batch if u.pushed_ns)

    def _tick(self) -> None:
        elapsed = self._clock.elapsed()
        if self.recording and self._last_tick:
            self.max_stall_ms = max(self.max_stall_ms, elapsed - self._last_tick - 5)
        self._last_tick = elapsed

    def reset(self) -> None:
        self.delivered = 0
        self.latencies_ms = []
        self.max_stall_ms = 0.0
        self.recording = True


def run_for(seconds: float) -> None:
    """Run the UI event loop, idle unless events come, for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def measure(url: str, series: list[tuple[str, str]], seconds: float) -> dict[str, float]:
    """Run a controller on ``series`` for a warm-up and then ``seconds``; return the figures."""
    config = FeedConfig(history_candles=10)
    controller = FeedController(url, *series[0], config=config)
    probe = Probe()
    # The probe sees every batch, of every series, exactly as the controller does.
    controller._worker.batchReady.connect(probe.on_batch)
    controller.start()
    for symbol, timeframe in series[1:]:
        controller._worker.feed.subscribe(symbol, timeframe)
    run_for(3.0)  # connect, subscribe, history, warm caches
    messages_before = controller._worker.feed.metrics().messages
    probe.reset()
    started = time.monotonic()
    run_for(seconds)
    elapsed = time.monotonic() - started
    metrics = controller._worker.feed.metrics()
    controller.stop()
    latencies = sorted(probe.latencies_ms) or [float("nan")]
    return {
        "messages_per_s": (metrics.messages - messages_before) / elapsed,
        "delivered_per_s": probe.delivered / elapsed,
        "coalesced_total": metrics.coalesced,
        "latency_p50_ms": statistics.median(latencies),
        "latency_p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max_ui_stall_ms": probe.max_stall_ms,
        "errors": metrics.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert app is not None
    wide = [(s, tf) for s in SYMBOLS for tf in LONG_TIMEFRAMES]  # 56 series
    results: dict[str, dict[str, float]] = {}
    # Flood: a fast clock so that nearly every push is a new state of its candle.
    with exchange_process("--push-interval", "0", "--speed", "20000") as url:
        results["throughput (flood, 4 series)"] = measure(url, wide[:4], args.seconds)
    for rate in (100, 2000):
        interval = len(wide) / rate
        with exchange_process("--push-interval", f"{interval:.4f}", "--speed", "2000") as url:
            results[f"latency (~{rate} msg/s, {len(wide)} series)"] = measure(
                url, wide, args.seconds
            )
    report(results, args.seconds)


def report(results: dict[str, dict[str, float]], seconds: float) -> None:
    import PySide6

    header = (
        f"{'run':38} {'msg/s':>9} {'deliv/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'stall ms':>9} {'errors':>6}"
    )
    print(f"kucandle-gui feed benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PySide6 {PySide6.__version__}"
    )
    print(f"command: QT_QPA_PLATFORM=offscreen python -m bench.bench_feed --seconds {seconds:g}")
    print(header)
    for name, r in results.items():
        print(
            f"{name:38} {r['messages_per_s']:9.0f} {r['delivered_per_s']:9.0f} "
            f"{r['latency_p50_ms']:8.2f} {r['latency_p99_ms']:8.2f} "
            f"{r['max_ui_stall_ms']:9.1f} {r['errors']:6.0f}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "feed.json").write_text(
        json.dumps(
            {"date": datetime.now(UTC).isoformat(), "seconds": seconds, "results": results},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
