"""Indicators benchmark: the chart's live update with six indicators against the bare chart.

Run from the repository root (offscreen)::

    .venv/bin/python -m bench.bench_indicators            # 100k and 1M candles
    .venv/bin/python -m bench.bench_indicators --quick    # fewer repetitions

1. Histories of 100k and 1M candles, view on the newest ~300, the same steps as
   ``bench_chart`` (apply, ``flush()``, render the widget into a ``QImage``): bare, then with
   EMA 20, EMA 50, Bollinger 20/2 and VWAP on the price pane, RSI 14 and MACD 12/26/9 panes
   (six indicators, in the same run and process).
2. The indicators alone: ``IndicatorSet.sync()`` after one push that changes the forming
   candle (all six together), and after a new candle.
3. Opening: the six computed over the whole history (``sync()`` after the history is loaded),
   and the chart's first paint with them.

Prints the machine, the command and the date, a table, and writes
``bench/results/indicators.json``. Targets (issue 12): live update + repaint with the six at
most twice the bare chart's figure; sync per push ≤ 100 µs.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if __package__ in (None, ""):  # run as a script: import this checkout, not an installed copy
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse
import json
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from bench.bench_chart import (
    TF,
    VIEW_CANDLES,
    bench_ours,
    introduce,
    live_ticks,
    make_arrays,
    timed,
)
from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.indicators import IndicatorSet, Study, default_color, parse_indicator_spec
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart

SPECS = ("ema:20", "ema:50", "bb:20:2", "vwap", "rsi:14", "macd:12:26:9")
SIZES = (100_000, 1_000_000)
RESULTS = Path(__file__).resolve().parent / "results" / "indicators.json"


def studies() -> list[Study]:
    return [
        Study(parse_indicator_spec(text), default_color(i), True) for i, text in enumerate(SPECS)
    ]


def add_six(chart: CandleChart) -> None:
    """The six indicators over the chart's own store, drawn."""
    chart.set_indicators(IndicatorSet(chart.store, SPECS), studies())


def bench_sync(n: int, reps: int) -> dict:
    """The six indicators alone: full computation, then one push at a time."""
    arrays = make_arrays(n)
    series = CandleSeries("BTC-USDT", "1min", max_candles=None)
    series.set_arrays(**arrays)
    started = time.perf_counter()
    indicators = IndicatorSet(series, SPECS)  # computes the whole history
    full_ms = (time.perf_counter() - started) * 1e3
    ticks = iter(live_ticks(series.last(), reps + 10))

    def live_step() -> None:
        series.upsert(next(ticks))
        indicators.sync()

    live = timed(live_step, reps)
    state = {"t": int(arrays["time"][-1]), "price": float(arrays["close"][-1])}

    def append_step() -> None:
        state["t"] += TF
        p = state["price"]
        series.upsert(Candle(state["t"], p, p + 2, p - 2, p + 1, 1.0, 0.0))
        indicators.sync()

    append = timed(append_step, reps)
    return {
        "full_ms": full_ms,
        "live_us": live.ms * 1e3,
        "live_cpu_us": live.cpu_ms * 1e3,
        "append_us": append.ms * 1e3,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in SIZES),
        help="comma-separated history sizes (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    reps = 50 if args.quick else 200
    app = QApplication.instance() or QApplication([])
    info, command, _ = introduce("Indicators benchmark")
    print(f"  indicators: {', '.join(SPECS)}; view on the newest {VIEW_CANDLES} candles")
    print(f"  load average at start: {os.getloadavg()[0]:.2f}")
    print()
    rows = []
    header = (
        f"{'candles':>9} | {'bare live':>9} {'six live':>9} {'ratio':>5} | "
        f"{'bare append':>11} {'six append':>10} {'ratio':>5} | {'open bare':>9} {'open six':>9}"
    )
    print("1. Update + repaint (median ms, wall), and opening to the first paint (ms)")
    print(header)
    print("-" * len(header))
    for n in sizes:
        bare = bench_ours(app, n, reps)
        six = bench_ours(app, n, reps, prepare=add_six)
        row = {
            "candles": n,
            **{f"bare_{k}": v for k, v in bare.items()},
            **{f"six_{k}": v for k, v in six.items()},
        }
        rows.append(row)
        print(
            f"{n:>9,} | {bare['live_ms']:9.3f} {six['live_ms']:9.3f} "
            f"{six['live_ms'] / bare['live_ms']:5.2f} | {bare['append_ms']:11.3f} "
            f"{six['append_ms']:10.3f} {six['append_ms'] / bare['append_ms']:5.2f} | "
            f"{bare['open_ms']:9.0f} {six['open_ms']:9.0f}"
        )
    print()
    print("2. The six indicators alone: sync() after one push (median µs), full computation (ms)")
    sync_rows = []
    for n in sizes:
        result = {"candles": n, **bench_sync(n, reps * 5)}
        sync_rows.append(result)
        print(
            f"{n:>9,} | forming candle {result['live_us']:7.1f} µs "
            f"(cpu {result['live_cpu_us']:.1f}) | new candle {result['append_us']:7.1f} µs | "
            f"whole history {result['full_ms']:7.1f} ms"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    report = {"machine": info, "command": command, "chart": rows, "sync": sync_rows}
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"\nwritten: {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
