"""Alert benchmarks: the cost of evaluating live candles, and of a catch-up after a gap.

    .venv/bin/python -m bench.bench_alerts

1. Live: 500 alerts on 100 pairs (5 each, none reached), every pair live; one round is one
   batch of one 1min candle per pair, delivered through ``MonitorModel.apply`` (series merge,
   watchlist price and alerts, as the app does) and, beside it, to ``AlertBook.candles`` alone
   (the alerts' share). Median of 200 rounds, per round and per candle.
2. Catch-up: one pair with a 100,000-candle 1min series (a random walk) and 50 alerts on it
   (once and repeating, above and below, prices spread over the walk's range, armed at its
   first candle); the gap is filled (``AlertBook.filled``): median of 20, with the firings found.

Plain Python, no Qt. Prints a table and writes ``bench/results/alerts.json``.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from bench.bench_feed import header, machine, write_results
from kucandle_gui.feed import CandleSeries
from kucandle_gui.model import AlertBook, AlertSpec, MonitorModel
from kucandle_gui.protocol import Candle

T0 = 1_700_000_040
PAIRS = [f"P{n:03d}-USDT" for n in range(100)]


class Clock:
    def __init__(self) -> None:
        self.now = float(T0)

    def __call__(self) -> float:
        return self.now


def candle(minute: int, price: float, volume: float = 1.0) -> Candle:
    return Candle(T0 + 60 * minute, price, price + 0.5, price - 0.5, price, volume, volume)


def measure_live(rounds: int = 200) -> dict:
    clock = Clock()
    monitor = MonitorModel(alerts=AlertBook(clock))
    book = monitor.alerts
    for pair in PAIRS:
        for k in range(5):
            condition = "above" if k % 2 else "below"
            book.add(AlertSpec.of(pair, condition, 100 + (k + 1) * (10 if k % 2 else -10)))
        monitor.subscribed(pair, "1min", True)
        monitor.apply(pair, "1min", [candle(0, 100.0)])
        monitor.history_loaded(pair, "1min", True)
    assert len(book.alerts()) == 500 and len(book.symbols()) == 100
    via_monitor, alone = [], []
    for step in range(1, rounds + 1):
        clock.now = T0 + step
        minute, volume = step // 10, 1.0 + step
        batches = [[candle(minute, 100.0 + (step % 7) * 0.1, volume)] for _ in PAIRS]
        start = time.perf_counter()
        for pair, batch in zip(PAIRS, batches, strict=True):
            monitor.apply(pair, "1min", batch)
        via_monitor.append(time.perf_counter() - start)
        start = time.perf_counter()
        for pair, batch in zip(PAIRS, batches, strict=True):
            book.candles(pair, batch)
        alone.append(time.perf_counter() - start)
    assert book.log == []
    monitor_ms = statistics.median(via_monitor) * 1e3
    book_ms = statistics.median(alone) * 1e3
    return {
        "alerts": 500,
        "pairs": 100,
        "rounds": rounds,
        "round_monitor_ms": monitor_ms,
        "round_alerts_ms": book_ms,
        "per_candle_alerts_us": book_ms * 1e3 / len(PAIRS),
    }


def walk(n: int, seed: int = 7) -> CandleSeries:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    spread = np.abs(rng.normal(0, 0.0008, n)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread
    series = CandleSeries("BTC-USDT", "1min", None)
    series.set_arrays(T0 + 60 * np.arange(n), open_, high, low, close, np.ones(n))
    return series


def measure_catch_up(n: int = 100_000, alerts: int = 50, reps: int = 20) -> dict:
    series = walk(n)
    lowest, highest = float(series.low.min()), float(series.high.max())
    first = series.candle(0)
    times, firings = [], 0
    for _ in range(reps):
        clock = Clock()
        book = AlertBook(clock)
        for k in range(alerts):
            price = lowest + (highest - lowest) * (k + 0.5) / alerts
            condition = "above" if price > first.close else "below"
            book.add(AlertSpec.of("BTC-USDT", condition, price, repeat=k % 2 == 1, cooldown=600))
        live = CandleSeries("BTC-USDT", "1min")
        live.upsert(first)
        book.filled("BTC-USDT", live)  # armed at the first candle
        book.gap("BTC-USDT")
        clock.now = float(series.last_time() or 0) + 60
        fired = []
        book.fired.connect(fired.append)
        start = time.perf_counter()
        book.filled("BTC-USDT", series)
        times.append(time.perf_counter() - start)
        firings = len(fired)
    return {
        "candles": n,
        "alerts": alerts,
        "reps": reps,
        "firings": firings,
        "catch_up_ms": statistics.median(times) * 1e3,
    }


def main() -> int:
    info = machine()
    live = measure_live()
    catch_up = measure_catch_up()
    print(header("Alerts benchmark", ".venv/bin/python -m bench.bench_alerts", info))
    print(
        f"live, {live['alerts']} alerts on {live['pairs']} pairs, one candle per pair "
        f"(median of {live['rounds']}): {live['round_monitor_ms']:.2f} ms through "
        f"MonitorModel.apply, {live['round_alerts_ms']:.3f} ms in AlertBook.candles "
        f"({live['per_candle_alerts_us']:.2f} µs per candle)"
    )
    print(
        f"catch-up, {catch_up['candles']:,} candles, {catch_up['alerts']} alerts "
        f"(median of {catch_up['reps']}): {catch_up['catch_up_ms']:.2f} ms, "
        f"{catch_up['firings']} firings"
    )
    path = write_results("alerts.json", {"machine": info, "live": live, "catch_up": catch_up})
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
