"""The chart's Qt-free parts: the view sampler and the readout text."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.viewport import visible_extent
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart.readout import (
    csv_row,
    format_volume,
    price_decimals,
    readout,
)
from kucandle_gui.ui.chart.sampling import Sampler
from tests.helpers import T0, TF


def _arrays_store(n: int, seed: int = 1) -> CandleSeries:
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 1, n))
    open_ = np.r_[100.0, close[:-1]]
    high = np.maximum(open_, close) + rng.random(n)
    low = np.minimum(open_, close) - rng.random(n)
    volume = rng.random(n) * 10
    store = CandleSeries(max_candles=None)
    store.set_arrays(T0 + np.arange(n) * TF, open_, high, low, close, volume)
    return store


def test_frame_in_candle_mode_holds_the_visible_history_without_the_live_candle() -> None:
    store = _arrays_store(1000)
    sampler = Sampler(store, TF)
    x0, x1 = T0 + 900 * TF, T0 + 1010 * TF
    frame = sampler.frame(x0, x1, width_px=1000)
    assert not frame.aggregated
    assert frame.live_visible
    assert frame.starts[0] == 899  # one candle of margin: its body may show at the edge
    assert frame.starts[-1] == 998  # the newest (999) is drawn apart
    np.testing.assert_array_equal(frame.high, store.high[899:999])
    # A tick of the live candle does not invalidate the frame.
    store.upsert(Candle(store.last_time(), 1, 500, 0.5, 2, 1, 1))
    assert sampler.frame(x0, x1, 1000) is frame
    # An append does.
    store.upsert(Candle(store.last_time() + TF, 1, 2, 0.5, 1.5, 1, 1))
    assert sampler.frame(x0, x1, 1000) is not frame


def test_frame_zoomed_out_reduces_buckets_exactly() -> None:
    store = _arrays_store(50_000)
    sampler = Sampler(store, TF)
    width = 500
    frame = sampler.frame(T0 - TF, T0 + 50_000 * TF, width)
    assert frame.aggregated
    assert frame.count <= width
    starts = frame.starts
    ends = np.append(starts[1:], len(store) - 1)  # the live candle is not in a bucket
    assert starts[0] == 0
    for j in range(frame.count):
        a, b = starts[j], ends[j]
        assert frame.low[j] == np.min(store.low[a:b])
        assert frame.high[j] == np.max(store.high[a:b])
        assert frame.volume[j] == np.max(store.volume[a:b])
        assert frame.open[j] == store.open[a]
        assert frame.close[j] == store.close[b - 1]
    # Buckets are whole candles, aligned to multiples of their width: a small pan keeps them.
    k = sampler.candles_per_bucket(T0 - TF, T0 + 50_000 * TF, width)
    assert frame.step == k * TF
    assert all((store.time[starts[1:]] % (k * TF)) < TF)


def test_visible_extent() -> None:
    store = _arrays_store(100)
    lo, hi = 10, 20
    extent = visible_extent(store, T0 + lo * TF, T0 + (hi - 1) * TF, TF)
    assert extent == (
        float(np.min(store.low[lo:hi])),
        float(np.max(store.high[lo:hi])),
        float(np.max(store.volume[lo:hi])),
    )
    assert visible_extent(store, T0 - 10 * TF, T0 - 5 * TF, TF) is None


# ---------------------------------------------------------------------- text


def test_readout_and_formatting() -> None:
    c = Candle(T0, 101.25, 103.5, 100.75, 102.0, 12.5, 1275.0)
    text = readout(c, price_decimals(102.0), TF, "BTC-USDT 1min  ")
    when = datetime.fromtimestamp(T0).strftime("%Y-%m-%d %H:%M")
    assert text.startswith(f"BTC-USDT 1min  {when}")
    for part in ("O 101.2500", "H 103.5000", "L 100.7500", "C 102.0000", "V 12.5"):
        assert part in text
    assert text.endswith("+0.7500 (+0.74%)")
    down = Candle(T0, 50_000.0, 50_100.0, 49_000.0, 49_500.0, 1234.5, 0)
    assert readout(down, price_decimals(49_500.0), TF).endswith("-500.00 (-1.00%)")
    assert price_decimals(0.00012345) == 7
    assert format_volume(1234567.0) == "1,234,567"
    assert format_volume(0.0) == "0"


def test_csv_row_round_trips() -> None:
    c = Candle(T0, 0.1, 0.30000000000000004, 0.05, 0.2, 1e-9, 123456789.123)
    row = csv_row(c)
    assert datetime.fromisoformat(row[0]).timestamp() == T0
    assert datetime.fromisoformat(row[0]).tzinfo is not None
    assert int(row[1]) == T0
    assert [float(x) for x in row[2:]] == [c.open, c.high, c.low, c.close, c.volume, c.turnover]
