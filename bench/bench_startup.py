"""Start-up benchmark: process start to the first candle painted, ``--demo``, warm disk.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_startup [--runs 5]

Each run is a fresh process (``--probe`` mode of this file) that starts the app the way
``kucandle-gui --demo`` does (``kucandle_gui.app``: application, settings on a throw-away
file, ``build_window`` with the in-process demo exchange, started off the UI thread) and
watches the chart's viewport for the first paint with candles in it. The time counts from the
process's start as the kernel recorded it, so interpreter start-up and every import are
included. One untimed run first warms the disk cache. Prints a table and writes
``bench/results/startup.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def process_age() -> float:
    """Seconds since this process started, from /proc (Linux): includes interpreter start."""
    ticks = os.sysconf("SC_CLK_TCK")
    started = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - started


def probe() -> None:
    """One start: print seconds from process start to the first painted candle, then quit."""
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer

    from kucandle_gui.app import build_window, create_application
    from kucandle_gui.ui.settings import AppSettings

    app = create_application()
    settings_file = Path(tempfile.mkdtemp()) / "settings.ini"
    settings = AppSettings(QSettings(str(settings_file), QSettings.Format.IniFormat))
    window = build_window("http://unused.invalid", "BTC-USDT", "1min", settings=settings, demo=True)
    chart = window.chart

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and chart.drawn_count() > 0:
                print(f"{process_age():.4f}", flush=True)
                QTimer.singleShot(0, window.close)
                QTimer.singleShot(0, app.quit)
            return False

    watcher = FirstPaint()
    chart.graphics_view.viewport().installEventFilter(watcher)
    window.show()
    QTimer.singleShot(20_000, app.quit)  # a start that never paints ends the run (no figure)
    app.exec()
    window.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe()
        return
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    command = [sys.executable, "-m", "bench.bench_startup", "--probe"]
    cwd = Path(__file__).resolve().parent.parent
    times = []
    for run in range(args.runs + 1):
        out = subprocess.run(
            command, env=env, cwd=cwd, capture_output=True, text=True, timeout=60
        ).stdout.split()
        if run and out:  # run 0 only warms the disk cache
            times.append(float(out[0]))
        time.sleep(0.5)  # let the previous process's sockets close before the next start
    import PySide6

    print(f"kucandle-gui start-up benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PySide6 {PySide6.__version__}, "
        f"QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}"
    )
    print(f"command: python -m bench.bench_startup --runs {args.runs}")
    print(
        f"process start → first candle painted (--demo): runs {len(times)}/{args.runs}, "
        f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
        f"max {max(times):.3f} s"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "startup.json").write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(),
                "runs": times,
                "median_s": statistics.median(times),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
