"""Watchlist benchmarks: the whole app's CPU with 50 and 300 watched pairs, and the UI's cost of
one 300-row update.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_watchlist [--seconds 60]

1. CPU: the local exchange runs in its own process (as the real one is remote) listing the
   pairs, at KuCoin's cadence: a snapshot of every watched pair every 2 s, candle pushes of the
   chart's pair every 0.25 s. The app is the window as ``kucandle-gui`` builds it
   (``build_window``, offscreen), its watchlist set to N pairs; once every row has values, the
   CPU time of this process (the app: UI thread, feed thread, worker) is measured over
   ``--seconds``, with the exchange's and other processes' CPU beside it.
2. One 300-row update on the UI thread: 300 new tickers applied to the watchlist model, then
   the event loop run once, in which the table updates its rows and repaints what is visible
   (the window is shown; a paint counter on the table's viewport checks that every step
   painted); median of 200.

Prints a table and writes ``bench/results/watchlist.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication

from bench.bench_feed import (
    CpuMeter,
    exchange_process,
    header,
    machine,
    run_for,
    write_results,
)
from kucandle_gui.protocol import Ticker
from kucandle_gui.ui.main_window import MainWindow

#: Watched pairs; 0 is the chart alone, for reference.
SIZES = (0, 50, 300)
#: Real pairs first, then made-up ones the local exchange lists as well.
REAL = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "KCS-USDT", "DOGE-USDT", "ETH-BTC"]


def pairs(count: int) -> list[str]:
    return (REAL + [f"P{n:03d}-USDT" for n in range(count)])[:count]


def wait_until(done: Callable[[], bool], timeout: float) -> bool:
    """Run the event loop until ``done()`` (checked every 0.1 s) or ``timeout``."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        run_for(0.1)
    return True


def make_window(api_url: str, settings_dir: str) -> MainWindow:
    from kucandle_gui.app import build_window
    from kucandle_gui.ui.settings import AppSettings

    store = QSettings(os.path.join(settings_dir, "settings.ini"), QSettings.Format.IniFormat)
    window = build_window(api_url, "BTC-USDT", "1min", settings=AppSettings(store))
    window.resize(1400, 800)
    window.show()
    return window


def measure_cpu(app: QApplication, count: int, seconds: float, settings_dir: str) -> dict:
    symbols = pairs(count)
    listed = symbols or REAL[:1]  # the chart's pair at least
    with exchange_process("--symbols", ",".join(listed)) as (url, pid):
        window = make_window(url, settings_dir)
        watchlist = window.monitor.watchlist
        watchlist.set_symbols(symbols)
        filled = wait_until(
            lambda: all(
                (row := watchlist.row(s)) is not None and row.ticker is not None for s in symbols
            ),
            60.0,
        )
        run_for(3.0)  # settle: first values, history
        meter = CpuMeter([os.getpid(), pid])
        run_for(seconds)
        cpu = meter.stop()
        window.close()
        window.shutdown()
        app.processEvents()
    return {"pairs": count, "all_rows_filled": filled, **cpu}


def tickers(symbols: list[str], step: int) -> list[Ticker]:
    now = int(time.time() * 1000) + step
    return [
        Ticker(s, 100.0 + step + i, 0.01 * ((step + i) % 7 - 3), 1.0, 200.0, 50.0, 1e4, 1e6, now)
        for i, s in enumerate(symbols)
    ]


class PaintCounter(QObject):
    """Counts the paint events of the widget it filters."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def measure_update(app: QApplication, settings_dir: str, reps: int = 200) -> dict:
    symbols = pairs(300)
    window = make_window("http://127.0.0.1:9", settings_dir)  # nothing listens: no feed
    watchlist = window.monitor.watchlist
    watchlist.set_symbols(symbols)
    counter = PaintCounter()
    window.watchlist_panel.table.viewport().installEventFilter(counter)
    app.processEvents()
    times, unpainted = [], 0
    for step in range(reps + 5):
        batch = tickers(symbols, step)
        paints = counter.paints
        start = time.perf_counter()
        watchlist.apply_tickers(batch)
        app.processEvents()
        elapsed = time.perf_counter() - start
        unpainted += counter.paints == paints
        if step >= 5:
            times.append(elapsed)
    window.close()
    window.shutdown()
    return {
        "update_300_rows_ms": statistics.median(times) * 1e3,
        "reps": reps,
        "steps_without_paint": unpainted,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    import tempfile

    app = QApplication.instance() or QApplication(sys.argv[:1])
    info = machine()
    command = "QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_watchlist " + " ".join(
        sys.argv[1:]
    )
    with tempfile.TemporaryDirectory() as settings_dir:
        update = measure_update(app, settings_dir)
        cpu = [measure_cpu(app, n, args.seconds, settings_dir) for n in SIZES]
    print(header("Watchlist benchmark", command, info))
    print(f"one 300-row update + repaint (median of {update['reps']}): ", end="")
    painted = f"{update['steps_without_paint']} steps without a paint"
    print(f"{update['update_300_rows_ms']:.2f} ms ({painted})")
    print(f"{'pairs':>6} | {'app CPU':>8} | {'exchange':>8} | {'others':>7} | rows filled")
    for row in cpu:
        print(
            f"{row['pairs']:>6} | {row['cpu_app'] * 100:7.2f}% | {row['cpu_exchange'] * 100:7.2f}%"
            f" | {row['cpu_others'] * 100:6.2f}% | {row['all_rows_filled']}"
        )
    path = write_results("watchlist.json", {"machine": info, "update": update, "cpu": cpu})
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
