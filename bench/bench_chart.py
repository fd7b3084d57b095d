"""Chart benchmark: cost of a live update / an append, and of a zoomed-out repaint.

Run from the repository root (offscreen)::

    .venv/bin/python -m bench.bench_chart            # or: python bench/bench_chart.py
    .venv/bin/python -m bench.bench_chart --quick    # fewer repetitions
    .venv/bin/python -m bench.bench_chart --skip-baseline-1m

1. Histories of 1k, 10k, 100k and 1M candles, view on the newest ~300: the median time to
   apply one live-candle update *and* repaint, and to append a new candle *and* repaint. The
   repaint is forced by rendering the whole chart widget into a ``QImage`` with ``render()``.
   Measured in the same run against pyqtgraph's example approach (the BASELINE below: one
   QPicture of every candle, rebuilt on every update), in a plain ``PlotWidget``.
2. Zoomed out: 1M candles all in view, time per full repaint — after a pan of a few pixels
   (buckets and y fit recomputed) and without one (cached frame).

Prints the machine, the command and the date, a table, and writes ``bench/results/chart.json``.
Targets: ≤ 2 ms median at 100k; 1M within 1.5x of 1k; ≥ 50x faster than the baseline at
100k; zoomed-out repaint of 1M ≤ 30 ms.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if __package__ in (None, ""):  # run as a script: import this checkout, not an installed copy
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse
import gc
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import PySide6
from PySide6 import QtCore, QtGui
from PySide6.QtWidgets import QApplication, QWidget

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart

T0 = 1_600_000_020
TF = 60
VIEW_CANDLES = 300
SIZE = (1200, 700)
SIZES = (1_000, 10_000, 100_000, 1_000_000)
RESULTS = Path(__file__).resolve().parent / "results" / "chart.json"


# ---------------------------------------------------------------------- BASELINE
# pyqtgraph's examples/customGraphicsItem.py, copied for comparison: every update rebuilds one
# QPicture of *every* candle (O(n) Python calls), and paint replays all of it.


class BaselineCandlestickItem(pg.GraphicsObject):
    """BASELINE — pyqtgraph's example CandlestickItem (not our chart)."""

    def __init__(self, data: list[tuple[float, float, float, float, float]]) -> None:
        pg.GraphicsObject.__init__(self)
        self.data = data  # (time, open, close, min, max)
        self.generatePicture()

    def generatePicture(self) -> None:
        self.picture = QtGui.QPicture()
        p = QtGui.QPainter(self.picture)
        p.setPen(pg.mkPen("w"))
        w = (self.data[1][0] - self.data[0][0]) / 3.0
        for t, open_, close, low, high in self.data:
            p.drawLine(QtCore.QPointF(t, low), QtCore.QPointF(t, high))
            if open_ > close:
                p.setBrush(pg.mkBrush("r"))
            else:
                p.setBrush(pg.mkBrush("g"))
            p.drawRect(QtCore.QRectF(t - w, open_, w * 2, close - open_))
        p.end()

    def paint(self, p, *args) -> None:
        p.drawPicture(0, 0, self.picture)

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self.picture.boundingRect())


# ---------------------------------------------------------------------- data


def make_arrays(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 10_000 + np.cumsum(rng.normal(0, 5, n))
    open_ = np.r_[10_000.0, close[:-1]]
    high = np.maximum(open_, close) + rng.random(n) * 5
    low = np.minimum(open_, close) - rng.random(n) * 5
    volume = rng.random(n) * 10
    return {
        "time": T0 + np.arange(n, dtype=np.int64) * TF,
        "open": open_,
        "high": high,
        "low": low,
        "close": close,
        "volume": volume,
        "turnover": volume * close,
    }


def live_ticks(last: Candle, count: int, seed: int = 2) -> list[Candle]:
    """Ticks of the newest candle that stay within its high/low (no y refit: the common case)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        close = last.low + (last.high - last.low) * float(rng.random())
        out.append(Candle(last.time, last.open, last.high, last.low, close, last.volume + k, 0.0))
    return out


# ---------------------------------------------------------------------- timing helpers


class Renderer:
    """Forces a full paint of a widget into a reused QImage."""

    def __init__(self, widget: QWidget) -> None:
        self.widget = widget
        self.image = QtGui.QImage(widget.size(), QtGui.QImage.Format.Format_ARGB32_Premultiplied)

    def __call__(self) -> None:
        # QWidget.render explicitly: QGraphicsView overrides render() with a scene-only variant.
        QWidget.render(self.widget, self.image)


class Timing:
    """Wall-clock and CPU (this thread) times of repeated steps; medians in milliseconds.

    The CPU time of the main thread shows the work itself when other processes compete for
    the cores (wall time then includes waiting for a core).
    """

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    @property
    def ms(self) -> float:
        return statistics.median(self.wall) * 1e3

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1e3

    @property
    def p90_ms(self) -> float:
        return float(np.percentile(self.wall, 90)) * 1e3


def timed(step, reps: int, warmup: int = 3) -> Timing:
    for _ in range(warmup):
        step()
    gc.collect()
    timing = Timing()
    for _ in range(reps):
        c = time.thread_time()
        t = time.perf_counter()
        step()
        timing.wall.append(time.perf_counter() - t)
        timing.cpu.append(time.thread_time() - c)
    return timing


def summary(prefix: str, timing: Timing) -> dict[str, float]:
    return {
        f"{prefix}_ms": timing.ms,
        f"{prefix}_cpu_ms": timing.cpu_ms,
        f"{prefix}_p90_ms": timing.p90_ms,
    }


def show(widget: QWidget, app: QApplication) -> None:
    widget.resize(*SIZE)
    widget.show()
    app.processEvents()


# ---------------------------------------------------------------------- ours


def bench_ours(
    app: QApplication,
    n: int,
    reps: int,
    prepare: Callable[[CandleChart], None] | None = None,
) -> dict[str, float]:
    """Live update and append + repaint; ``prepare`` adds to the chart once its history is
    in (the indicators benchmark adds its studies). ``open_ms``: history in to first paint."""
    arrays = make_arrays(n)
    chart = CandleChart()
    show(chart, app)
    chart.set_series("BTC-USDT", "1min", TF)
    opened = time.perf_counter()
    chart.set_history_arrays(**arrays)
    if prepare is not None:
        prepare(chart)
    chart.flush()
    newest = int(arrays["time"][-1])
    chart.price_view.setXRange(newest - (VIEW_CANDLES - 0.5) * TF, newest + 3 * TF, padding=0)
    chart.flush()
    app.processEvents()
    render = Renderer(chart)
    render()
    open_ms = (time.perf_counter() - opened) * 1e3
    assert chart.follow_live()

    ticks = iter(live_ticks(chart.store.last(), reps + 10))

    def live_step() -> None:
        chart.apply(next(ticks))
        chart.flush()
        render()

    live = timed(live_step, reps)
    drawn = chart.drawn_count()

    state = {"t": newest, "price": float(arrays["close"][-1])}

    def append_step() -> None:
        state["t"] += TF
        p = state["price"]
        chart.apply(Candle(state["t"], p, p + 2, p - 2, p + 1, 1.0, 0.0))
        chart.flush()
        render()

    append = timed(append_step, reps)
    assert chart.follow_live() and chart.visible_candles()[-1].time == state["t"]
    chart.close()
    chart.deleteLater()
    app.processEvents()
    return {
        **summary("live", live),
        **summary("append", append),
        "drawn": drawn,
        "open_ms": open_ms,
    }


def bench_baseline(app: QApplication, n: int, reps: int) -> dict[str, float]:
    arrays = make_arrays(n)
    data = list(
        zip(
            arrays["time"].astype(float).tolist(),
            arrays["open"].tolist(),
            arrays["close"].tolist(),
            arrays["low"].tolist(),
            arrays["high"].tolist(),
            strict=True,
        )
    )
    plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
    show(plot, app)
    item = BaselineCandlestickItem(data)
    plot.addItem(item)
    newest = data[-1][0]
    view = plot.getViewBox()
    view.setXRange(newest - (VIEW_CANDLES - 0.5) * TF, newest + 3 * TF, padding=0)
    tail = arrays["close"][-VIEW_CANDLES:]
    view.setYRange(float(tail.min()) - 50, float(tail.max()) + 50, padding=0)
    app.processEvents()
    render = Renderer(plot)
    render()
    t, o, _c, lo, hi = data[-1]
    last = Candle(int(t), o, hi, lo, o, 1, 0)
    ticks = iter([(t, o, c.close, lo, hi) for c in live_ticks(last, 99)])

    def live_step() -> None:
        item.data[-1] = next(ticks)
        item.generatePicture()
        item.informViewBoundsChanged()
        item.update()
        render()

    warmup = 1 if n >= 100_000 else 2
    live = timed(live_step, reps, warmup=warmup)
    state = {"t": newest}

    def append_step() -> None:
        state["t"] += TF
        item.data.append((state["t"], o, o + 1, o - 2, o + 2))
        item.generatePicture()
        item.informViewBoundsChanged()
        item.update()
        view.translateBy(x=TF)  # follow, as our chart does
        render()

    append = timed(append_step, reps, warmup=warmup)
    plot.close()
    plot.deleteLater()
    app.processEvents()
    return {**summary("live", live), **summary("append", append), "reps": reps}


def bench_zoomed_out(app: QApplication, n: int, reps: int) -> dict[str, float]:
    arrays = make_arrays(n)
    chart = CandleChart()
    show(chart, app)
    chart.set_series("BTC-USDT", "1min", TF)
    chart.set_history_arrays(**arrays)
    chart.flush()
    t = arrays["time"]
    box = chart.price_view
    # Every candle in view but 4 px at each end, so that the 3 px pans stay inside the data
    # (the view may not go past the data's margins).
    px = (float(t[-1]) - float(t[0])) / box.width()
    chart.price_view.setXRange(float(t[0]) + 4 * px, float(t[-1]) - 4 * px, padding=0)
    chart.flush()
    app.processEvents()
    render = Renderer(chart)
    render()
    px = (box.viewRange()[0][1] - box.viewRange()[0][0]) / box.width()
    direction = {"sign": 1.0}

    def pan_step() -> None:  # a drag of 3 px: buckets, y fit and axes recomputed
        direction["sign"] = -direction["sign"]
        box.translateBy(x=3 * px * direction["sign"])
        chart.flush()
        render()

    pan = timed(pan_step, reps)
    cached = timed(render, reps)
    drawn = chart.drawn_count()
    width = box.width()
    chart.close()
    chart.deleteLater()
    app.processEvents()
    return {
        **summary("pan_repaint", pan),
        **summary("repaint", cached),
        "drawn": drawn,
        "width_px": width,
    }


# ---------------------------------------------------------------------- main


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "qt": QtCore.qVersion(),
        "pyqtgraph": pg.__version__,
        "numpy": np.__version__,
        "qpa": os.environ.get("QT_QPA_PLATFORM"),
    }


def introduce(title: str) -> tuple[dict[str, object], str, datetime]:
    """Print the title, the date, the command and the machine; return what a result records
    of them (the machine, the command, the start)."""
    info = machine()
    command = " ".join([os.path.basename(sys.executable), *sys.orig_argv[1:]])
    started = datetime.now().astimezone()
    print(title)
    print(f"  date:     {started.isoformat(timespec='seconds')}")
    print(f"  command:  {command}")
    for key, value in info.items():
        print(f"  {key + ':':<10}{value}")
    return info, command, started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--skip-baseline-1m",
        action="store_true",
        help="skip the 1M baseline (slow: every update redraws a million candles)",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in SIZES),
        help="comma-separated history sizes (default: %(default)s)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline entirely")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    reps = 50 if args.quick else 200
    app = QApplication.instance() or QApplication([])

    load_start = os.getloadavg()
    info, command, started = introduce("Chart benchmark")
    print(f"  widget:   {SIZE[0]}x{SIZE[1]}, view on the newest {VIEW_CANDLES} candles")
    print()

    baseline_reps = {1_000: 30, 10_000: 10, 100_000: 3, 1_000_000: 1}
    if args.quick:
        baseline_reps = {1_000: 10, 10_000: 5, 100_000: 3, 1_000_000: 1}
    rows = []
    header = (
        f"{'candles':>9} | {'live ms':>7} {'(cpu)':>7} | {'append ms':>9} {'(cpu)':>7} | "
        f"{'drawn':>5} | {'base live':>9} {'base append':>11} | {'x live':>6} {'x append':>8}"
    )
    print("1. Update + repaint: medians (wall, and CPU of the UI thread); repaint = render(QImage)")
    print(header)
    print("-" * len(header))
    for n in sizes:
        ours = bench_ours(app, n, reps)
        base = None
        note = ""
        if args.no_baseline:
            note = "baseline skipped (--no-baseline)"
        elif n >= 1_000_000 and args.skip_baseline_1m:
            note = "baseline skipped (--skip-baseline-1m)"
        else:
            base = bench_baseline(app, n, baseline_reps.get(n, 1))
            note = f"baseline: {base['reps']} timed rep(s)"
        row = {"candles": n, **{f"ours_{k}": v for k, v in ours.items()}}
        cols = f"{'—':>9} {'—':>11} | {'—':>6} {'—':>8}"
        if base:
            row.update({f"baseline_{k}": v for k, v in base.items()})
            row["speedup_live"] = base["live_ms"] / ours["live_ms"]
            row["speedup_append"] = base["append_ms"] / ours["append_ms"]
            cols = (
                f"{base['live_ms']:9.1f} {base['append_ms']:11.1f} | "
                f"{row['speedup_live']:5.0f}x {row['speedup_append']:7.0f}x"
            )
        row["baseline_note"] = note
        rows.append(row)
        print(
            f"{n:>9,} | {ours['live_ms']:7.3f} {ours['live_cpu_ms']:7.3f} | "
            f"{ours['append_ms']:9.3f} {ours['append_cpu_ms']:7.3f} | {ours['drawn']:>5} | "
            f"{cols}  ({note})"
        )
    print()

    zoom = bench_zoomed_out(app, 1_000_000, 30 if args.quick else 100)
    print("2. Zoomed out: 1,000,000 candles in view (medians, wall / CPU)")
    print(
        f"   repaint after a 3 px pan (buckets, y fit, axes): {zoom['pan_repaint_ms']:.2f} ms"
        f" / {zoom['pan_repaint_cpu_ms']:.2f} ms"
    )
    print(
        f"   repaint, view unchanged (cached frame):          {zoom['repaint_ms']:.2f} ms"
        f" / {zoom['repaint_cpu_ms']:.2f} ms"
    )
    print(f"   drawn: {zoom['drawn']} buckets for a {zoom['width_px']:.0f} px wide pane")
    print()
    load_end = os.getloadavg()
    print(f"load average (1, 5, 15 min): start {load_start}, end {load_end}")

    by_n = {r["candles"]: r for r in rows}
    targets: dict[str, bool] = {"zoomed_out_1m_le_30ms": zoom["pan_repaint_ms"] <= 30.0}
    if 100_000 in by_n:
        r = by_n[100_000]
        targets["live_100k_le_2ms"] = r["ours_live_ms"] <= 2.0
        targets["append_100k_le_2ms"] = r["ours_append_ms"] <= 2.0
        if "speedup_live" in r:
            targets["live_100k_ge_50x_baseline"] = r["speedup_live"] >= 50
            targets["append_100k_ge_50x_baseline"] = r["speedup_append"] >= 50
    if 1_000 in by_n and 1_000_000 in by_n:
        small, big = by_n[1_000], by_n[1_000_000]
        for kind in ("live", "append"):
            targets[f"{kind}_1m_within_1.5x_of_1k"] = (
                big[f"ours_{kind}_ms"] <= 1.5 * small[f"ours_{kind}_ms"]
            )
    print("Targets")
    for name, ok in targets.items():
        print(f"  {'PASS' if ok else 'MISS'}  {name}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "date": started.isoformat(timespec="seconds"),
                "command": command,
                "machine": info,
                "widget_size": SIZE,
                "view_candles": VIEW_CANDLES,
                "repetitions": reps,
                "update_repaint": rows,
                "zoomed_out_1m": zoom,
                "targets": targets,
                "load_average_start": load_start,
                "load_average_end": load_end,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
