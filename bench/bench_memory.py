"""Memory of the feed path: RSS after 10k and after 1M pushes, and an optional long soak.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_memory
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_memory --soak-minutes 30

The app side is as in ``bench_feed``: the parts the window is assembled from (feed thread,
worker on a ``QThread``, the ``MonitorModel`` on the UI thread merging every candle into its
series). The exchange runs in its own process and floods 4 series of
1-minute candles, replaying trades ahead of its clock: every push is a new state and a new
candle starts about every 40 pushes of a series, so history keeps growing until the cap.

History is capped by ``FeedConfig.max_candles`` (per series, oldest first), in the feed's series
and in the model's alike. Each cap is measured separately (``--max-candles``, default
5,000 and the default 100,000): with 5,000 the cap is reached within the run, so memory must
level off; with 100,000 it is not (4 series x ~7,000 candles by 1M pushes), so the growth
shown is the candles themselves, about 0.3 kB each.

Target: RSS after 1M pushes at most 20 MB above RSS after 10k. ``--soak-minutes N`` (long:
not run by default) adds a run at ``--soak-rate`` pushes/s (1,000) for N minutes, sampling
RSS every ``--soak-sample`` seconds.

Prints tables and writes ``bench/results/memory.json`` (``memory_soak.json`` for a soak).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from bench.bench_feed import (
    FLOOD_SERIES,
    CpuMeter,
    app_feed,
    exchange_process,
    flood_args,
    header,
    machine,
    rss_mb,
    run_for,
    write_results,
)
from kucandle_gui.feed import FeedConfig

CHECKPOINTS = (10_000, 100_000, 250_000, 500_000, 750_000, 1_000_000)
#: Checkpoints after 1M (``--pushes`` beyond it), every this many pushes.
LATER_STEP = 500_000
TARGET_GROWTH_MB = 20.0
#: The target's span: from the first checkpoint (10k) to this many pushes.
TARGET_PUSHES = 1_000_000
#: Longest wait for the next checkpoint before the run is declared stuck.
STUCK_AFTER = 60.0


def held_candles(parts: Any, probe: Any) -> tuple[int, int]:
    """Candles held by the feed's series and by the model's."""
    return parts.link.controller.candles_held(), probe.held_candles()


def checkpoint_run(max_candles: int, checkpoints: tuple[int, ...]) -> dict[str, Any]:
    """Flood until the last checkpoint; RSS and candles held at each one."""
    config = FeedConfig(history_candles=100, max_candles=max_candles)
    samples: list[dict[str, float]] = []
    with (
        exchange_process(*flood_args()) as (url, pid),
        app_feed(url, FLOOD_SERIES, config, keep_latencies=False) as (parts, probe),
    ):
        feed = parts.link.controller
        meter = CpuMeter([os.getpid(), pid])
        started = time.monotonic()
        probe.reset()
        pending = list(checkpoints)
        progress = {"at": started, "pushes": 0}
        loop = QEventLoop()

        def poll() -> None:
            """Every 50 ms on the UI thread: record the checkpoints passed."""
            messages = feed.metrics().messages
            now = time.monotonic()
            if messages > progress["pushes"]:
                progress.update(at=now, pushes=messages)
            elif now - progress["at"] > STUCK_AFTER:
                loop.exit(1)
            if pending and messages >= pending[0]:
                while pending and messages >= pending[0]:
                    pending.pop(0)
                series_held, models_held = held_candles(parts, probe)
                samples.append(
                    {
                        "pushes": messages,
                        "seconds": now - started,
                        "rss_mb": rss_mb(),
                        "series_candles": series_held,
                        "model_candles": models_held,
                    }
                )
            if not pending:
                loop.exit(0)

        timer = QTimer()
        timer.setInterval(50)
        timer.timeout.connect(poll)
        timer.start()
        if loop.exec() != 0:
            raise RuntimeError(f"no push for {STUCK_AFTER:g} s after {progress['pushes']}")
        timer.stop()
        cpu = meter.stop()
        metrics = feed.metrics()
        stall, stall_at = probe.max_stall_ms, probe.max_stall_at
    at_target = next((x for x in samples if x["pushes"] >= TARGET_PUSHES), samples[-1])
    growth = at_target["rss_mb"] - samples[0]["rss_mb"]
    return {
        "max_candles": max_candles,
        "samples": samples,
        "growth_mb": growth,
        "growth_pushes": at_target["pushes"],
        "growth_to_last_mb": samples[-1]["rss_mb"] - samples[0]["rss_mb"],
        "target_mb": TARGET_GROWTH_MB,
        "passed": growth <= TARGET_GROWTH_MB,
        "errors": metrics.errors,
        "reconnects": metrics.reconnects,
        "max_ui_stall_ms": stall,
        "max_ui_stall_at_s": stall_at,
        **cpu,
    }


def soak_run(minutes: float, rate: float, sample_every: float, max_candles: int) -> dict[str, Any]:
    """A paced flood for ``minutes``; RSS every ``sample_every`` seconds."""
    config = FeedConfig(history_candles=100, max_candles=max_candles)
    samples: list[dict[str, float]] = []
    with (
        exchange_process(*flood_args(rate)) as (url, pid),
        app_feed(url, FLOOD_SERIES, config, keep_latencies=False) as (parts, probe),
    ):
        feed = parts.link.controller
        run_for(5.0)  # connect, history
        probe.reset()
        meter = CpuMeter([os.getpid(), pid])
        started = time.monotonic()
        total = minutes * 60
        for k in range(math.ceil(total / sample_every) + 1):
            if k:
                run_for(max(0.0, started + min(k * sample_every, total) - time.monotonic()))
            series_held, models_held = held_candles(parts, probe)
            samples.append(
                {
                    "pushes": feed.metrics().messages,
                    "seconds": time.monotonic() - started,
                    "rss_mb": rss_mb(),
                    "series_candles": series_held,
                    "model_candles": models_held,
                }
            )
            print(
                f"  {samples[-1]['seconds'] / 60:5.1f} min  {samples[-1]['pushes']:>9,} pushes  "
                f"RSS {samples[-1]['rss_mb']:7.1f} MB  candles {series_held:,}",
                flush=True,
            )
        cpu = meter.stop()
        metrics = feed.metrics()
        stall = probe.max_stall_ms
    rss = [s["rss_mb"] for s in samples]
    half = samples[len(samples) // 2 :]
    hours = (half[-1]["seconds"] - half[0]["seconds"]) / 3600
    return {
        "minutes": minutes,
        "rate": rate,
        "max_candles": max_candles,
        "samples": samples,
        "rss_first_mb": rss[0],
        "rss_max_mb": max(rss),
        "rss_last_mb": rss[-1],
        "growth_mb": rss[-1] - rss[0],
        "second_half_slope_mb_per_h": (
            (half[-1]["rss_mb"] - half[0]["rss_mb"]) / hours if hours > 0 else float("nan")
        ),
        "pushes_per_s": (samples[-1]["pushes"] - samples[0]["pushes"]) / samples[-1]["seconds"],
        "errors": metrics.errors,
        "reconnects": metrics.reconnects,
        "max_ui_stall_ms": stall,
        **cpu,
    }


def print_checkpoints(run: dict[str, Any]) -> None:
    print(
        f"\nFeedConfig.max_candles = {run['max_candles']:,} (feed series and chart models); "
        f"4 series, flood"
    )
    print(
        f"{'pushes':>10} {'seconds':>8} {'RSS MB':>8} {'series candles':>15} {'model candles':>14}"
    )
    for s in run["samples"]:
        print(
            f"{s['pushes']:>10,} {s['seconds']:8.1f} {s['rss_mb']:8.1f} "
            f"{s['series_candles']:>15,} {s['model_candles']:>14,}"
        )
    verdict = "PASS" if run["passed"] else "FAIL"
    if run["samples"][-1]["pushes"] > run["growth_pushes"]:
        verdict += f"; to the last checkpoint {run['growth_to_last_mb']:+.1f} MB"
    print(
        f"growth from the first checkpoint to {run['growth_pushes']:,} pushes: "
        f"{run['growth_mb']:+.1f} MB "
        f"(target <= {run['target_mb']:g} MB: {verdict}); errors {run['errors']}, "
        f"reconnects {run['reconnects']}, max UI stall {run['max_ui_stall_ms']:.0f} ms "
        f"(at {run['max_ui_stall_at_s']:.1f} s); "
        f"CPU app {run['cpu_app']:.2f}, exchange {run['cpu_exchange']:.2f}, "
        f"others {run['cpu_others']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--max-candles",
        type=int,
        action="append",
        help="FeedConfig.max_candles to measure (repeatable; default 5000 and 100000)",
    )
    parser.add_argument(
        "--pushes", type=int, default=CHECKPOINTS[-1], help="last checkpoint (default 1M)"
    )
    parser.add_argument(
        "--soak-minutes",
        type=float,
        default=0.0,
        help="long-running: a paced soak of this many minutes instead of the checkpoints",
    )
    parser.add_argument("--soak-rate", type=float, default=1000.0, help="soak pushes/s")
    parser.add_argument("--soak-sample", type=float, default=30.0, help="soak: s between samples")
    # Each cap is measured in a fresh process (memory one run freed would flatter the next):
    # the parent runs itself once per cap with this, and collects the run from the file.
    parser.add_argument("--child-output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    command = "QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_memory " + " ".join(
        sys.argv[1:]
    )
    info = machine()
    app = QApplication.instance() or QApplication(sys.argv)
    assert app is not None
    caps = args.max_candles or [5_000, FeedConfig().max_candles]
    later = range(CHECKPOINTS[-1] + LATER_STEP, args.pushes, LATER_STEP)
    checkpoints = (*(c for c in (*CHECKPOINTS, *later) if c < args.pushes), args.pushes)
    if args.child_output:
        run = checkpoint_run(caps[0], checkpoints)
        Path(args.child_output).write_text(json.dumps(run))
        return
    print(header("kucandle-gui memory benchmark", command, info))
    if args.soak_minutes > 0:
        print(
            f"soak: {args.soak_minutes:g} min at {args.soak_rate:g} pushes/s, "
            f"FeedConfig.max_candles = {caps[0]:,}, 4 series"
        )
        soak = soak_run(args.soak_minutes, args.soak_rate, args.soak_sample, caps[0])
        print(
            f"RSS first {soak['rss_first_mb']:.1f} MB, max {soak['rss_max_mb']:.1f} MB, "
            f"last {soak['rss_last_mb']:.1f} MB (growth {soak['growth_mb']:+.1f} MB; second "
            f"half {soak['second_half_slope_mb_per_h']:+.1f} MB/h); "
            f"{soak['pushes_per_s']:.0f} pushes/s, errors {soak['errors']}, reconnects "
            f"{soak['reconnects']}, max UI stall {soak['max_ui_stall_ms']:.0f} ms"
        )
        payload = {"date": datetime.now(UTC).isoformat(), "command": command, "machine": info}
        path = write_results("memory_soak.json", {**payload, "soak": soak})
        print(f"written: {path}")
        return
    runs = []
    for cap in caps:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "run.json"
            child = [sys.executable, "-m", "bench.bench_memory", "--max-candles", str(cap)]
            child += ["--pushes", str(args.pushes), "--child-output", str(out)]
            subprocess.run(child, check=True)
            runs.append(json.loads(out.read_text()))
        print_checkpoints(runs[-1])
    path = write_results(
        "memory.json",
        {
            "date": datetime.now(UTC).isoformat(),
            "command": command,
            "machine": info,
            "series": FLOOD_SERIES,
            "runs": runs,
        },
    )
    print(f"written: {path}")


if __name__ == "__main__":
    main()
