"""Feed benchmarks: the simulator's capacity, throughput to the UI thread, end-to-end latency.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_feed [--seconds 10]

The local exchange runs in its own process (as the real one is remote: it must not share our
GIL) in flood mode, which replays each pair's trades second by second ahead of the simulated
clock: every push is a new state of its candle (see ``kucandle_gui.sim.flood``). The app side
is assembled as the window assembles it (``kucandle_gui.app.assemble``): the feed link's
``FeedController``, its worker on a ``QThread`` delivering batches to the UI thread, where the
``MonitorModel`` merges every candle into its series (capped at ``FeedConfig.max_candles``),
one chart model per series. A probe sees each batch once the model has it. Meanwhile a 5 ms
``QTimer`` on the UI thread measures the event loop's longest stall.

1. Simulator: the flood read by a bare websocket-client reader in this process (UTF-8 left
   to ``recv()``'s decode, as the feed does): distinct frames/s the exchange can give.
2. Throughput: the flood on 4 series through the whole path: messages/s parsed and merged
   into the feed's series, candle updates delivered on the UI thread (coalesced per candle
   between two UI turns), batches/s, UI stall. Latency here is time queued behind the
   flood's backlog, not a property of the path.
3. Latency: the exchange paces its flood at 100 and 2,000 pushes/s over 56 series; for each
   candle delivered, the time from the push's send (its ``data.time``) to the candle being in
   the chart model on the UI thread: p50 / p99.

The machine is shared: each run also reports the CPU that other processes used meanwhile.
Prints a table and writes ``bench/results/feed.json`` (``feed-switch-<ms>ms.json`` with
``--switch-interval``).
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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import requests
import websocket
from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from kucandle_gui.app import MonitorParts, assemble
from kucandle_gui.feed import CandleUpdate, FeedConfig
from kucandle_gui.model import MonitorModel

RESULTS = Path(__file__).parent / "results"
SYMBOLS = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "KCS-USDT", "DOGE-USDT", "ETH-BTC"]
LONG_TIMEFRAMES = ["1hour", "2hour", "4hour", "6hour", "8hour", "12hour", "1day", "1week"]
FLOOD_SERIES = [(symbol, "1min") for symbol in SYMBOLS[:4]]
LATENCY_SERIES = [(s, tf) for s in SYMBOLS for tf in LONG_TIMEFRAMES]  # 56 series
WARM_UP = 3.0
#: The UI-thread probe's timer period (ms); a stall is a gap beyond it.
TICK_MS = 5


# -- the exchange and the machine --------------------------------------------------------------


@contextmanager
def exchange_process(*args: str) -> Iterator[tuple[str, int]]:
    """``python -m kucandle_gui.sim`` in its own process; yields (REST base URL, pid)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kucandle_gui.sim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip(), process.pid
    finally:
        process.terminate()
        process.wait(10)


def flood_args(rate: float = 0.0) -> list[str]:
    return ["--push-interval", "0", "--flood-rate", f"{rate:g}"]


def _busy_jiffies() -> int:
    """CPU time (clock ticks) every CPU of the machine spent busy since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # minus idle and iowait


def _process_jiffies(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


class CpuMeter:
    """CPU used by the given processes, and by every other process, over a window (in CPUs)."""

    def __init__(self, pids: list[int]) -> None:
        self._pids = pids
        self._tick = os.sysconf("SC_CLK_TCK")
        self._start = self._read()

    def _read(self) -> tuple[float, int, list[int]]:
        return time.monotonic(), _busy_jiffies(), [_process_jiffies(p) for p in self._pids]

    def stop(self) -> dict[str, float]:
        t0, busy0, own0 = self._start
        t1, busy1, own1 = self._read()
        scale = self._tick * (t1 - t0)
        own = [(b - a) / scale for a, b in zip(own0, own1, strict=True)]
        return {
            "cpu_app": own[0],
            "cpu_exchange": own[1] if len(own) > 1 else 0.0,
            "cpu_others": max(0.0, (busy1 - busy0) / scale - sum(own)),
        }


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process in MB (VmRSS)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def machine() -> dict[str, Any]:
    import aiohttp
    import PySide6

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "websocket_client": websocket.__version__,
        "aiohttp": aiohttp.__version__,
        "switch_interval_s": sys.getswitchinterval(),
        "load_average": os.getloadavg(),
    }


def header(title: str, command: str, info: dict[str, Any]) -> str:
    return (
        f"{title}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"machine: {info['platform']}, {info['cpus']} x {info['cpu']}\n"
        f"software: Python {info['python']}, PySide6 {info['pyside6']}, websocket-client "
        f"{info['websocket_client']}, aiohttp {info['aiohttp']}, GIL switch interval "
        f"{info['switch_interval_s'] * 1000:g} ms\n"
        f"load average before: {' '.join(f'{x:.2f}' for x in info['load_average'])}\n"
        f"command: {command}"
    )


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


# -- 1. the simulator alone ----------------------------------------------------------------------


def measure_raw_reader(url: str, pid: int, series: list[tuple[str, str]], seconds: float):
    """Frames/s (and frames that differ from their topic's previous one) a bare reader gets."""
    data = requests.post(f"{url}/api/v1/bullet-public", timeout=5).json()["data"]
    endpoint = data["instanceServers"][0]["endpoint"]
    query = urlencode({"token": data["token"], "connectId": "raw-reader"})
    ws = websocket.create_connection(f"{endpoint}?{query}", timeout=5, skip_utf8_validation=True)
    try:
        assert json.loads(ws.recv())["type"] == "welcome"
        topic = "/market/candles:" + ",".join(f"{s}_{tf}" for s, tf in series)
        ws.send(json.dumps({"id": "1", "type": "subscribe", "topic": topic, "response": True}))
        recv = ws.recv
        warm_until = time.monotonic() + 1.0
        while time.monotonic() < warm_until:
            recv()
        last: dict[str, str] = {}
        frames = distinct = 0
        meter = CpuMeter([os.getpid(), pid])
        started = time.monotonic()
        deadline = started + seconds
        while True:
            frame = recv()
            frames += 1
            # The topic is the first field; the state is everything before "time".
            topic_end = frame.find(",")
            state = frame[topic_end : frame.rfind('"time"')]
            if last.get(frame[:topic_end]) != state:
                distinct += 1
                last[frame[:topic_end]] = state
            if not frames & 1023 and time.monotonic() >= deadline:
                break
        elapsed = time.monotonic() - started
        cpu = meter.stop()
    finally:
        ws.close(timeout=1)
    return {"frames_per_s": frames / elapsed, "distinct_per_s": distinct / elapsed, **cpu}


# -- 2. and 3. through the app's path ----------------------------------------------------------


class Probe(QObject):
    """UI-thread side: sees each batch once the model has it; records latencies and stalls."""

    def __init__(self, monitor: MonitorModel, keep_latencies: bool = True) -> None:
        super().__init__()
        self.monitor = monitor
        #: Off for memory runs: a million latencies would be what grows.
        self.keep_latencies = keep_latencies
        self.delivered = 0
        self.batches = 0
        self.latencies_ms: list[float] = []
        self.max_stall_ms = 0.0
        #: When the longest stall ended, in seconds since ``reset()``.
        self.max_stall_at = 0.0
        self.stalls_over_20ms = 0
        self.recording = False
        self._reset_at = 0
        self._clock = QElapsedTimer()
        self._clock.start()
        self._last_tick = 0
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    def held_candles(self) -> int:
        """Candles held by the model, all series."""
        monitor = self.monitor
        return sum(len(monitor.series(key).candles) for key in monitor.wanted())

    @Slot(list)
    def on_batch(self, batch: list[CandleUpdate]) -> None:
        if self.recording:
            now = time.time_ns()  # every candle of the batch is in its model now
            self.batches += 1
            self.delivered += len(batch)
            if self.keep_latencies:
                self.latencies_ms.extend((now - u.pushed_ns) / 1e6 for u in batch if u.pushed_ns)

    def _tick(self) -> None:
        elapsed = self._clock.elapsed()
        if self.recording and self._last_tick:
            stall = elapsed - self._last_tick - TICK_MS
            if stall > self.max_stall_ms:
                self.max_stall_ms = stall
                self.max_stall_at = (elapsed - self._reset_at) / 1000
            self.stalls_over_20ms += stall > 20
        self._last_tick = elapsed

    def reset(self) -> None:
        self.delivered = self.batches = self.stalls_over_20ms = 0
        self.latencies_ms = []
        self.max_stall_ms = self.max_stall_at = 0.0
        self._reset_at = self._clock.elapsed()
        self.recording = True


def run_for(seconds: float) -> None:
    """Run the UI event loop, idle unless events come, for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


@contextmanager
def app_feed(
    url: str, series: list[tuple[str, str]], config: FeedConfig, keep_latencies: bool = True
) -> Iterator[tuple[MonitorParts, Probe]]:
    """The app's parts on ``series`` (one chart model each), fed from ``url``, with a probe."""
    parts = assemble(*series[0], config)
    for symbol, timeframe in series[1:]:
        parts.monitor.add_chart(symbol, timeframe)
    probe = Probe(parts.monitor, keep_latencies)
    controller = parts.link.start(url)
    assert controller is not None
    # Emitted after the batch went into the model: the latency ends there.
    controller.batchDelivered.connect(probe.on_batch)
    try:
        yield parts, probe
    finally:
        parts.link.close()


def measure(url: str, pid: int, series: list[tuple[str, str]], seconds: float) -> dict[str, float]:
    """Run a controller on ``series`` for a warm-up and then ``seconds``; return the figures."""
    config = FeedConfig(history_candles=10)
    with app_feed(url, series, config) as (parts, probe):
        feed = parts.link.controller
        run_for(WARM_UP)  # connect, subscribe, history, warm caches
        before = feed.metrics()
        probe.reset()
        meter = CpuMeter([os.getpid(), pid])
        started = time.monotonic()
        run_for(seconds)
        elapsed = time.monotonic() - started
        cpu = meter.stop()
        probe.recording = False
        after = feed.metrics()
    latencies = sorted(probe.latencies_ms) or [float("nan")]
    return {
        "messages_per_s": (after.messages - before.messages) / elapsed,
        "delivered_per_s": probe.delivered / elapsed,
        "batches_per_s": probe.batches / elapsed,
        "coalesced_per_s": (after.coalesced - before.coalesced) / elapsed,
        "latency_p50_ms": statistics.median(latencies),
        "latency_p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "latency_max_ms": latencies[-1],
        "max_ui_stall_ms": probe.max_stall_ms,
        "ui_stalls_over_20ms": probe.stalls_over_20ms,
        "errors": after.errors - before.errors,
        **cpu,
    }


# -- the report ------------------------------------------------------------------------------------


def report(results: dict[str, dict[str, float]], command: str, info: dict[str, Any]) -> None:
    print(header("kucandle-gui feed benchmark", command, info))
    raw = {k: v for k, v in results.items() if "frames_per_s" in v}
    for name, r in raw.items():
        print(
            f"{name}: {r['frames_per_s']:,.0f} frames/s, {r['distinct_per_s']:,.0f} distinct/s "
            f"(CPU: exchange {r['cpu_exchange']:.2f}, reader {r['cpu_app']:.2f}, "
            f"others {r['cpu_others']:.2f})"
        )
    print(
        f"{'run':34} {'msg/s':>7} {'deliv/s':>8} {'batch/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'stall ms':>8} {'>20ms':>5} {'err':>3} {'CPU app/exch/others':>20}"
    )
    for name, r in results.items():
        if name in raw:
            continue
        cpu = f"{r['cpu_app']:.2f}/{r['cpu_exchange']:.2f}/{r['cpu_others']:.2f}"
        print(
            f"{name:34} {r['messages_per_s']:7.0f} {r['delivered_per_s']:8.0f} "
            f"{r['batches_per_s']:7.0f} {r['latency_p50_ms']:7.2f} {r['latency_p99_ms']:7.2f} "
            f"{r['max_ui_stall_ms']:8.0f} {r['ui_stalls_over_20ms']:5.0f} {r['errors']:3.0f} "
            f"{cpu:>20}"
        )
    print(
        "msg/s: pushes parsed and merged by the feed; deliv/s: candle updates applied on the UI\n"
        "thread (coalesced per candle between UI turns); flood latency = time queued behind the\n"
        "flood's backlog; CPU in CPUs (app process / exchange process / every other process)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per run")
    parser.add_argument(
        "--only", choices=["exchange", "throughput", "latency"], action="append", help="runs"
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        help="sys.setswitchinterval for this process, in s (default: the interpreter's, 5 ms); "
        "results go to feed-switch-<ms>ms.json",
    )
    args = parser.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    runs = args.only or ["exchange", "throughput", "latency"]
    command = "QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_feed " + " ".join(
        sys.argv[1:]
    )
    info = machine()
    app = QApplication.instance() or QApplication(sys.argv)
    assert app is not None
    results: dict[str, dict[str, float]] = {}
    names = ", ".join(f"{s} {tf}" for s, tf in FLOOD_SERIES)
    if "exchange" in runs:
        with exchange_process(*flood_args()) as (url, pid):
            results[f"exchange -> raw reader ({names})"] = measure_raw_reader(
                url, pid, FLOOD_SERIES, args.seconds
            )
    if "throughput" in runs:
        with exchange_process(*flood_args()) as (url, pid):
            results["throughput (flood, 4 series)"] = measure(url, pid, FLOOD_SERIES, args.seconds)
    if "latency" in runs:
        for rate in (100, 2000):
            with exchange_process(*flood_args(rate)) as (url, pid):
                results[f"latency ({rate} msg/s, {len(LATENCY_SERIES)} series)"] = measure(
                    url, pid, LATENCY_SERIES, args.seconds
                )
    report(results, command, info)
    name = "feed.json"
    if args.switch_interval:
        name = f"feed-switch-{args.switch_interval * 1000:g}ms.json"
    path = write_results(
        name,
        {
            "date": datetime.now(UTC).isoformat(),
            "command": command,
            "machine": info,
            "seconds": args.seconds,
            "flood_series": FLOOD_SERIES,
            "latency_series": len(LATENCY_SERIES),
            "results": results,
        },
    )
    print(f"written: {path}")


if __name__ == "__main__":
    main()
