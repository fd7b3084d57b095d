"""Layout benchmark: four charts at once — update + repaint, the app's CPU, memory per cell.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_layout [--seconds 60] [--quick]

1. Update + repaint: a 2x2 ``ChartGrid`` (the window's chart area) shown at 1400x800,
   offscreen, its four cells on four 1min series of 100,000 candles each. One step: one push
   to each series (a live update of its forming candle, within its high/low, through
   ``MonitorModel.apply`` as the feed link delivers it), every cell's coalesced redraw run
   (``flush``), then the whole grid rendered into a ``QImage`` (every cell repainted, with its
   header and frame, and the splitters). Median and p90 of 200 steps; the same rendering only
   the four charts (what a push makes dirty in the window), and one cell alone in the same
   size, for reference. The candles are put in each series as one bulk load (``set_arrays``
   of a random walk, then the history marked loaded): the columns a history load leaves,
   without the network.
2. CPU: the window as ``kucandle-gui`` builds it (``build_window``, offscreen, 1400x800) with
   a 2x2 layout of four live series (the issue's ``--layout 2x2 --symbol
   BTC-USDT,ETH-USDT,SOL-USDT,XRP-USDT --timeframe 1min,5min,1hour,1day``) and a 50-pair
   watchlist; the local exchange in its own process at KuCoin-like rates: a push round every
   second (a candle push per series whenever trades changed it, at most one a second) and a
   snapshot of every watched pair every 2 s. Once every row and every cell has values, the
   CPU time of this process (UI thread, feed thread, worker) over ``--seconds``, with the
   exchange's and other processes' CPU beside it; the same window with one cell, for
   reference. The messages received and the candle updates delivered are counted: the rates
   are what was measured.
3. Memory per extra cell: the grid's layout grown from 1 to 2, 3 and 4 cells, each new cell on
   a series of its own filled with 100,000 candles as in 1 and drawn; RSS after each step, the
   difference per cell, and how much of it the candle columns are.

Prints a table and writes ``bench/results/layout.json``. Targets: update + repaint of all four
≤ 4 ms at the median; the app's CPU with four live cells and 50 pairs ≤ 3 % of one core.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if __package__ in (None, ""):  # run as a script: import this checkout, not an installed copy
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse
import gc
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from bench.bench_chart import Renderer, introduce, live_ticks, make_arrays, summary, timed
from bench.bench_feed import CpuMeter, exchange_process, rss_mb, run_for, write_results
from bench.bench_watchlist import pairs, wait_until
from kucandle_gui.app import MonitorParts, assemble_workspace, build_window
from kucandle_gui.model import CellSpec, LayoutKind, SeriesKey, WorkspaceSpec
from kucandle_gui.ui.cells import ChartGrid
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.settings import AppSettings

SIZE = (1400, 800)
CANDLES = 100_000
#: The series of parts 1 and 3 (1min: the random walk's candles are a minute apart).
SERIES = (("BTC-USDT", "1min"), ("ETH-USDT", "1min"), ("SOL-USDT", "1min"), ("XRP-USDT", "1min"))
#: The live cells of part 2, as the issue's command line opens them.
LIVE = (("BTC-USDT", "1min"), ("ETH-USDT", "5min"), ("SOL-USDT", "1hour"), ("XRP-USDT", "1day"))
WATCHED = 50
#: Real seconds between the exchange's push rounds: at most one candle push a second a series.
PUSH_INTERVAL = 1.0
#: Longest wait for every row and cell to have values, in seconds.
READY_TIMEOUT = 60.0
#: After everything has values: first live candles, older history asked by the charts.
SETTLE = 3.0
UPDATE_TARGET_MS = 4.0
CPU_TARGET = 0.03
RESULTS_NAME = "layout.json"


def workspace_spec(layout: LayoutKind, series: Sequence[tuple[str, str]]) -> WorkspaceSpec:
    return WorkspaceSpec(layout, tuple(CellSpec(SeriesKey.of(*each)) for each in series))


# -- 1 and 3: a grid without a feed ----------------------------------------------------------------


def open_grid(app: QApplication, spec: WorkspaceSpec) -> tuple[MonitorParts, ChartGrid]:
    """The chart area on ``spec``, shown offscreen; its feed link is never started."""
    parts = assemble_workspace(spec)
    grid = ChartGrid(parts.workspace, parts.monitor)
    grid.resize(*SIZE)
    grid.show()
    app.processEvents()
    return parts, grid


def fill(app: QApplication, parts: MonitorParts, grid: ChartGrid) -> None:
    """:data:`CANDLES` in every shown cell's series that has none, as a history load leaves
    them; every cell then drawn."""
    for cell in grid.cells:
        series = cell.model.series
        if len(series.candles):
            continue
        seed = SERIES.index(tuple(series.key)) + 1
        series.candles.set_arrays(**make_arrays(CANDLES, seed=seed))
        series.changed.emit()
        parts.monitor.history_loaded(*series.key)
    for cell in grid.cells:
        cell.chart.flush()
    app.processEvents()


def close_grid(app: QApplication, parts: MonitorParts, grid: ChartGrid) -> None:
    grid.close()
    parts.workspace.close()
    parts.link.close()
    grid.deleteLater()
    app.processEvents()
    gc.collect()


def measure_update(
    app: QApplication, layout: LayoutKind, reps: int, *, whole: bool = True
) -> dict[str, Any]:
    """One push to each series shown, every redraw flushed, then the whole grid rendered
    (``whole``), or only each cell's chart: what a push makes dirty in the window (the
    headers, frames and splitters are not repainted for it). Per step."""
    parts, grid = open_grid(app, workspace_spec(layout, SERIES[: layout.cells]))
    fill(app, parts, grid)
    renders = [Renderer(grid)] if whole else [Renderer(cell.chart) for cell in grid.cells]
    for render in renders:
        render()
    monitor = parts.monitor
    feeds: list[tuple[SeriesKey, Iterator[Any]]] = [
        (cell.model.key, iter(live_ticks(cell.model.series.candles.last(), reps + 10)))
        for cell in grid.cells
    ]
    last: dict[SeriesKey, Any] = {}

    def step() -> None:
        for key, ticks in feeds:
            last[key] = tick = next(ticks)
            monitor.apply(key.symbol, key.timeframe, [tick])
        for cell in grid.cells:
            cell.chart.flush()
        for render in renders:
            render()

    timing = timed(step, reps)
    # Every step redrew what it pushed: each chart shows its series' last push.
    for cell in grid.cells:
        assert cell.chart.last_price() == last[cell.model.key].close, cell.model.key
    drawn = [cell.chart.drawn_count() for cell in grid.cells]
    close_grid(app, parts, grid)
    return {
        "cells": layout.cells,
        "rendered": "grid" if whole else "charts",
        **summary("update_repaint", timing),
        "drawn": drawn,
    }


def measure_memory(app: QApplication) -> dict[str, Any]:
    """RSS as the layout grows from 1 to 4 cells, each new one on its own filled series."""
    # Three spare cells: they come back in order as the layout grows.
    parts, grid = open_grid(app, workspace_spec(LayoutKind.SINGLE, SERIES))
    render = Renderer(grid)
    steps = []
    for layout in (LayoutKind.SINGLE, LayoutKind.SIDE_BY_SIDE, LayoutKind.THREE, LayoutKind.GRID):
        parts.workspace.set_layout(layout)
        app.processEvents()
        fill(app, parts, grid)
        render()
        gc.collect()
        columns = sum(cell.model.series.candles.capacity for cell in grid.cells) * 7 * 8
        steps.append({"cells": layout.cells, "rss_mb": rss_mb(), "columns_mb": columns / 2**20})
    close_grid(app, parts, grid)
    extra = [b["rss_mb"] - a["rss_mb"] for a, b in pairwise(steps)]
    columns = steps[1]["columns_mb"] - steps[0]["columns_mb"]
    return {
        "steps": steps,
        "per_extra_cell_mb": extra,
        "mean_per_extra_cell_mb": sum(extra) / len(extra),
        "columns_per_cell_mb": columns,
    }


# -- 2: the window at real rates -----------------------------------------------------------------


def make_window(api_url: str, settings_dir: str, spec: WorkspaceSpec) -> MainWindow:
    """The window as ``kucandle-gui`` builds it, on its own settings with the watchlist."""
    path = os.path.join(settings_dir, f"settings-{spec.layout.cells}.ini")
    settings = AppSettings(QSettings(path, QSettings.Format.IniFormat))
    settings.watchlist = pairs(WATCHED)
    window = build_window(api_url, settings=settings, workspace=spec)
    window.resize(*SIZE)
    window.show()
    return window


def everything_has_values(window: MainWindow) -> bool:
    rows = window.monitor.watchlist.rows()
    cells = window.grid.cells
    return all(row.ticker is not None for row in rows) and all(
        cell.chart.candle_count() > 0 and cell.model.series.subscribed for cell in cells
    )


def measure_cpu(app: QApplication, spec: WorkspaceSpec, seconds: float, settings_dir: str) -> dict:
    listed = list(dict.fromkeys([*pairs(WATCHED), *(cell.key.symbol for cell in spec.cells)]))
    args = ("--symbols", ",".join(listed), "--push-interval", f"{PUSH_INTERVAL:g}")
    with exchange_process(*args) as (url, pid):
        window = make_window(url, settings_dir, spec)
        ready = wait_until(lambda: everything_has_values(window), READY_TIMEOUT)
        run_for(SETTLE)
        controller = window.link.controller
        assert controller is not None
        updates = Counter[tuple[str, str]]()

        def delivered(symbol: str, timeframe: str, candles: list[Any]) -> None:
            updates[(symbol, timeframe)] += len(candles)

        controller.candlesChanged.connect(delivered)
        messages = controller.metrics().messages
        meter = CpuMeter([os.getpid(), pid])
        run_for(seconds)
        cpu = meter.stop()
        messages = controller.metrics().messages - messages
        controller.candlesChanged.disconnect(delivered)
        window.close()
        window.shutdown()
        app.processEvents()
    return {
        "cells": spec.layout.cells,
        "series": [str(cell.key) for cell in spec.shown],
        "watched": WATCHED,
        "everything_had_values": ready,
        "seconds": seconds,
        # Candle pushes and snapshots received; candle updates (pushes, a few merged when two
        # of a candle came between two turns of the UI thread) delivered to the model.
        "messages_per_s": messages / seconds,
        "candle_updates_per_series_s": {
            str(cell.key): updates[tuple(cell.key)] / seconds for cell in spec.shown
        },
        **cpu,
    }


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="CPU measuring time")
    parser.add_argument("--quick", action="store_true", help="50 update steps, 10 s of CPU")
    args = parser.parse_args(argv)
    reps = 50 if args.quick else 200
    seconds = 10.0 if args.quick else args.seconds
    app = QApplication.instance() or QApplication(sys.argv[:1])
    load_start = os.getloadavg()
    info, command, started = introduce("Layout benchmark")
    print(f"  widget:   {SIZE[0]}x{SIZE[1]}, {CANDLES:,} candles a series")
    print()

    memory = measure_memory(app)  # first: the cleanest heap
    four = measure_update(app, LayoutKind.GRID, reps)
    charts = measure_update(app, LayoutKind.GRID, reps, whole=False)
    one = measure_update(app, LayoutKind.SINGLE, reps)
    with tempfile.TemporaryDirectory() as settings_dir:
        cpu = [
            measure_cpu(app, workspace_spec(LayoutKind.GRID, LIVE), seconds, settings_dir),
            measure_cpu(app, workspace_spec(LayoutKind.SINGLE, LIVE[:1]), seconds, settings_dir),
        ]
    load_end = os.getloadavg()

    print(f"1. One push to each series + every cell redrawn + one repaint (of {reps} steps)")
    print(
        f"{'cells':>6} | {'rendered':>8} | {'median ms':>9} {'(cpu)':>7} | {'p90 ms':>7} | "
        "drawn per cell"
    )
    for row in (four, charts, one):
        print(
            f"{row['cells']:>6} | {row['rendered']:>8} | {row['update_repaint_ms']:9.3f} "
            f"{row['update_repaint_cpu_ms']:7.3f} | {row['update_repaint_p90_ms']:7.3f} | "
            f"{', '.join(map(str, row['drawn']))}"
        )
    print()
    print(f"2. CPU over {seconds:g} s, {WATCHED} watched pairs, exchange in its own process")
    print(
        f"{'cells':>6} | {'app CPU':>8} | {'exchange':>8} | {'others':>7} | {'msgs/s':>6} | "
        "candle updates/s by cell"
    )
    for row in cpu:
        rates = ", ".join(f"{rate:.2f}" for rate in row["candle_updates_per_series_s"].values())
        print(
            f"{row['cells']:>6} | {row['cpu_app'] * 100:7.2f}% | {row['cpu_exchange'] * 100:7.2f}%"
            f" | {row['cpu_others'] * 100:6.2f}% | {row['messages_per_s']:6.1f} | {rates}"
            f"{'' if row['everything_had_values'] else '  (not every value came!)'}"
        )
    print()
    print("3. RSS as the layout grows, each new cell on its own series of 100k candles")
    for step in memory["steps"]:
        print(
            f"   {step['cells']} cell(s): {step['rss_mb']:7.1f} MB "
            f"(candle columns {step['columns_mb']:.1f} MB)"
        )
    extra = ", ".join(f"{x:.1f}" for x in memory["per_extra_cell_mb"])
    print(
        f"   per extra cell: {extra} MB (mean {memory['mean_per_extra_cell_mb']:.1f} MB; "
        f"its candle columns {memory['columns_per_cell_mb']:.1f} MB)"
    )
    print()
    print(f"load average (1, 5, 15 min): start {load_start}, end {load_end}")
    targets = {
        "update_repaint_4_cells_le_4ms": four["update_repaint_ms"] <= UPDATE_TARGET_MS,
        "cpu_4_cells_50_pairs_le_3pct": cpu[0]["cpu_app"] <= CPU_TARGET,
    }
    print("Targets")
    for name, ok in targets.items():
        print(f"  {'PASS' if ok else 'MISS'}  {name}")
    path = write_results(
        RESULTS_NAME,
        {
            "date": started.isoformat(timespec="seconds"),
            "command": command,
            "machine": info,
            "widget_size": SIZE,
            "candles_per_series": CANDLES,
            "repetitions": reps,
            "update_repaint": [four, charts, one],
            "cpu": cpu,
            "push_interval_s": PUSH_INTERVAL,
            "memory": memory,
            "targets": targets,
            "load_average_start": load_start,
            "load_average_end": load_end,
        },
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
