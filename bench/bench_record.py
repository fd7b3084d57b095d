"""Recording and replay benchmarks (issue 14): what ``--record`` costs, how fast a replay plays.

    .venv/bin/python -m bench.bench_record [--seconds 20] [--rate 2000]

1. Recording's CPU: the local exchange in its own process floods pushes at RATE/s on the one
   connection of a headless app (``kucandle-gui --headless --symbol BTC-USDT --watch …``,
   stdout to a file), each push a new state of its candle, so every one is printed. After a
   warm-up, the app process's CPU is measured over SECONDS, without and with ``--record``,
   twice each in turn; with it, also what the recording grew by (compressed bytes and lines
   per second).
2. Replay throughput: the last recording of 1 played by ``kucandle-gui --headless --replay
   FILE --speed 1000`` (the replay server and the app in one process): the recording's
   WebSocket frames divided by the time from the ``REPLAY:`` line to the exit, and the
   process's CPU meanwhile; whether its candle lines are the recorded run's (the recorded run
   was stopped by SIGTERM, so its last lines may be fewer: compared as a prefix).

The machine is shared: each measurement also reports the CPU other processes used meanwhile.
Prints a table and writes ``bench/results/record.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from bench.bench_feed import (
    CpuMeter,
    _process_jiffies,
    exchange_process,
    flood_args,
    header,
    machine,
    write_results,
)
from kucandle_gui.recording import WsIn, iter_entries

SYMBOL = "BTC-USDT"
WATCHED = "ETH-USDT,SOL-USDT,XRP-USDT"
WARM_UP = 3.0
ROUNDS = 2


class App:
    """``python -m kucandle_gui --headless …`` with stdout to a file, stderr read by lines."""

    def __init__(self, out: Path, *args: str) -> None:
        self._out = out.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kucandle_gui", "--headless", *args],
            stdout=self._out,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        assert self.process.stderr is not None
        self._reader = threading.Thread(target=self._read, args=(self.process.stderr,))
        self._reader.start()

    def _read(self, pipe: IO[str]) -> None:
        for line in pipe:
            self.said.append(line)
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 60.0) -> float:
        """When a stderr line holding ``text`` came (monotonic)."""
        deadline = time.monotonic() + timeout
        while text not in self.lines.get(timeout=max(0.0, deadline - time.monotonic())):
            pass
        return time.monotonic()

    def end(self, stop: bool = True, timeout: float = 120.0) -> int:
        if stop:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self._reader.join(timeout)
        self._out.close()
        return code

    def summary(self, key: str) -> int:
        """A number of the ``summary:`` line, e.g. ``messages``."""
        line = next(s for s in reversed(self.said) if s.startswith("summary:"))
        return int(line.split(f"{key}=")[1].split()[0])


def measure_recording(url: str, exchange_pid: int, seconds: float, work: Path) -> list[dict]:
    results = []
    for n in range(ROUNDS * 2):
        record = work / f"run{n}.kcr" if n % 2 else None
        flags = ["--api-url", url, "--symbol", SYMBOL, "--watch", WATCHED]
        app = App(work / f"run{n}.out", *flags, *(["--record", str(record)] if record else []))
        live = app.wait_for("subscription: BTC-USDT 1min: subscribed")
        time.sleep(WARM_UP)  # a benchmark, not a test: the steady state is what is measured
        size0 = record.stat().st_size if record else 0
        meter = CpuMeter([app.process.pid, exchange_pid])
        time.sleep(seconds)
        cpu = meter.stop()
        size1 = record.stat().st_size if record else 0
        ended = time.monotonic()
        code = app.end()
        row: dict[str, Any] = {
            "record": record is not None,
            "exit": code,
            "pushes_per_s": app.summary("messages") / (ended - live),
            **cpu,
        }
        if record is not None:
            frames = sum(isinstance(e, WsIn) for e in iter_entries(record))
            row |= {
                "recording": str(record),
                "output": str(work / f"run{n}.out"),
                "ws_frames": frames,
                "compressed_kb_per_s": (size1 - size0) / seconds / 1024,
                "file_mb": sum(p.stat().st_size for p in work.glob(f"run{n}.kcr*")) / 1e6,
            }
        results.append(row)
        print(json.dumps(row))
    return results


def measure_replay(recording: Path, recorded_output: Path, frames: int, work: Path) -> dict:
    out = work / "replay.out"
    app = App(out, "--replay", str(recording), "--speed", "1000")
    began = app.wait_for("REPLAY:")
    # The process is gone when it is measured: its whole CPU time (as a reaped child's), less
    # what it had used by the REPLAY line (start-up, reading the recording).
    used_before = _process_jiffies(app.process.pid) / os.sysconf("SC_CLK_TCK")
    children_before = _children_cpu()
    code = app.end(stop=False)
    took = time.monotonic() - began
    cpu = (_children_cpu() - children_before - used_before) / took
    replayed = candle_lines(out)
    recorded = candle_lines(recorded_output)
    return {
        "exit": code,
        "seconds": took,
        "ws_frames": frames,
        "frames_per_s": frames / took,
        "candle_lines": len(replayed),
        "recorded_candle_lines": len(recorded),
        "prefix_equal": replayed[: len(recorded)] == recorded[: len(replayed)],
        "cpu_app": cpu,
    }


def _children_cpu() -> float:
    """CPU seconds of the child processes that ended and were waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def candle_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if '"type"' not in line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=2000.0, help="flood pushes per second")
    args = parser.parse_args()
    info = machine()
    command = f"python -m bench.bench_record --seconds {args.seconds:g} --rate {args.rate:g}"
    print(header("Recording and replay", command, info))
    with (
        tempfile.TemporaryDirectory() as tmp,
        exchange_process(*flood_args(args.rate), "--speed", "1") as (url, pid),
    ):
        work = Path(tmp)
        runs = measure_recording(url, pid, args.seconds, work)
        last = runs[-1]
        replay = measure_replay(
            Path(last["recording"]), Path(last["output"]), last["ws_frames"], work
        )
    print(json.dumps(replay))
    print("\n| run | app CPU | pushes/s | recording | others |")
    print("|---|---|---|---|---|")
    for row in runs:
        grew = (
            f"{row['compressed_kb_per_s']:.1f} KiB/s, {row['ws_frames']} frames"
            if row["record"]
            else "-"
        )
        print(
            f"| {'--record' if row['record'] else 'plain'} | {row['cpu_app']:.1%} | "
            f"{row['pushes_per_s']:.0f} | {grew} | {row['cpu_others']:.1%} |"
        )
    print(
        f"\nreplay at --speed 1000: {replay['ws_frames']} frames in {replay['seconds']:.2f} s = "
        f"{replay['frames_per_s']:.0f} frames/s, CPU {replay['cpu_app']:.0%} of a core, "
        f"candle lines {replay['candle_lines']} (recorded {replay['recorded_candle_lines']}), "
        f"prefix equal: {replay['prefix_equal']}"
    )
    for row in runs:  # the paths were in a deleted folder
        row.pop("recording", None)
        row.pop("output", None)
    path = write_results(
        "record.json", {"machine": info, "args": vars(args), "recording": runs, "replay": replay}
    )
    print(f"results: {path}")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
