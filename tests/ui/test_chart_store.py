"""The chart's Qt-free parts: the candle store, the view sampler, the readout text."""

from __future__ import annotations

import random
from datetime import datetime

import numpy as np
import pytest

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart.readout import (
    csv_row,
    format_volume,
    price_decimals,
    readout,
)
from kucandle_gui.ui.chart.sampling import Sampler, visible_extent
from kucandle_gui.ui.chart.store import CandleStore, Change

T0 = 1_700_000_040
TF = 60


def candle(i: int, price: float = 100.0, *, volume: float = 1.0, tf: int = TF) -> Candle:
    """Candle number ``i`` (start ``T0 + i * tf``) with distinct, checkable values."""
    return Candle(T0 + i * tf, price, price + 2, price - 1, price + 1, volume, volume * price)


def series(n: int, seed: int = 0) -> list[Candle]:
    rng = random.Random(seed)
    out = []
    price = 100.0
    for i in range(n):
        o = price
        c = o + rng.uniform(-1, 1)
        h = max(o, c) + rng.uniform(0, 1)
        low = min(o, c) - rng.uniform(0, 1)
        v = rng.uniform(0, 10)
        out.append(Candle(T0 + i * TF, o, h, low, c, v, v * c))
        price = c
    return out


# ---------------------------------------------------------------------- store


def test_append_keeps_order_and_values() -> None:
    store = CandleStore()
    data = series(1000)
    for c in data:
        assert store.upsert(c) is Change.APPENDED
    assert len(store) == 1000
    assert store.candles() == data
    assert np.all(np.diff(store.time) == TF)
    assert store.last() == data[-1]
    assert store.first_time() == data[0].time


def test_update_last_replaces_in_place_and_keeps_history_version() -> None:
    store = CandleStore()
    store.set_history(series(10))
    hv, v = store.history_version, store.version
    newer = Candle(store.last_time(), 1, 9, 0.5, 8, 42, 42)
    assert store.upsert(newer) is Change.UPDATED_LAST
    assert len(store) == 10
    assert store.last() == newer
    assert store.history_version == hv  # the cached history stays valid
    assert store.version == v + 1


def test_insert_in_the_middle_and_at_the_front() -> None:
    data = series(20)
    store = CandleStore()
    store.set_history([c for i, c in enumerate(data) if i not in (0, 7, 13)])
    hv = store.history_version
    assert store.upsert(data[7]) is Change.INSERTED
    assert store.upsert(data[13]) is Change.INSERTED
    assert store.upsert(data[0]) is Change.INSERTED
    assert store.candles() == data
    assert store.history_version == hv + 3


def test_cap_ignores_a_candle_older_than_all_when_full() -> None:
    store = CandleStore(max_len=100)
    for i in range(150):
        store.upsert(candle(i))
    assert store.first_time() == candle(50).time
    assert store.upsert(candle(10)) is Change.IGNORED
    assert len(store) == 100
    assert store.first_time() == candle(50).time


def test_update_of_an_older_candle() -> None:
    store = CandleStore()
    store.set_history(series(10))
    changed = Candle(T0 + 3 * TF, 1, 5, 0.5, 4, 99, 99)
    assert store.upsert(changed) is Change.UPDATED
    assert store.candle(3) == changed
    assert len(store) == 10


def test_set_history_sorts_and_dedups_last_wins() -> None:
    data = series(50)
    shuffled = data[:]
    random.Random(3).shuffle(shuffled)
    replacement = Candle(data[10].time, 7, 8, 6, 7.5, 3, 21)
    store = CandleStore()
    store.set_history([*shuffled, data[20], replacement])
    expected = data[:]
    expected[10] = replacement
    assert store.candles() == expected


def test_cap_drops_the_oldest() -> None:
    store = CandleStore(max_len=5)
    for i in range(12):
        store.upsert(candle(i, price=100 + i))
    assert len(store) == 5
    assert [c.time for c in store.candles()] == [candle(i).time for i in range(7, 12)]
    store.set_history([candle(i) for i in range(30)])
    assert [c.time for c in store.candles()] == [candle(i).time for i in range(25, 30)]


def test_cap_insert_in_the_middle_drops_the_oldest() -> None:
    store = CandleStore(max_len=4)
    store.set_history([candle(i) for i in (0, 1, 3, 4)])
    assert store.upsert(candle(2)) is Change.INSERTED
    assert [c.time for c in store.candles()] == [candle(i).time for i in (1, 2, 3, 4)]


def test_many_appends_under_a_cap_stay_bounded_and_correct() -> None:
    store = CandleStore(max_len=1000)
    for i in range(10_000):
        store.upsert(candle(i, price=float(i)))
    assert len(store) == 1000
    assert store.candles() == [candle(i, price=float(i)) for i in range(9000, 10_000)]
    assert len(store._time) <= 2 * 1000 + 64  # the buffer does not grow without bound


def test_upsert_many_bulk_equals_one_by_one() -> None:
    base = series(300)
    held = base[100:]
    batch = [*base[:100], Candle(base[150].time, 1, 2, 0.5, 1.5, 5, 5), base[299]]
    random.Random(5).shuffle(batch)
    one_by_one = CandleStore()
    one_by_one.set_history(held)
    for c in batch:
        one_by_one.upsert(c)
    bulk = CandleStore()
    bulk.set_history(held)
    bulk.upsert_many(batch)  # larger than the bulk threshold: merged by one sort
    assert bulk.candles() == one_by_one.candles()
    assert len(bulk) == 300


def test_lookups() -> None:
    store = CandleStore()
    assert store.nearest_index(T0) == -1
    assert store.last() is None
    store.set_history(series(10))
    assert store.index_of(T0 + 4 * TF) == 4
    assert store.index_of(T0 + 4 * TF + 1) == -1
    assert store.nearest_index(T0 + 4 * TF + 29) == 4
    assert store.nearest_index(T0 + 4 * TF + 31) == 5
    assert store.nearest_index(T0 - 1000) == 0
    assert store.nearest_index(T0 + 1000 * TF) == 9
    assert store.range_indices(T0 + 2 * TF, T0 + 5 * TF) == (2, 6)
    assert store.range_indices(T0 + 2 * TF + 1, T0 + 5 * TF - 1) == (3, 5)


def test_columns_are_read_only_views() -> None:
    store = CandleStore()
    store.set_history(series(3))
    with pytest.raises(ValueError):
        store.close[0] = 1.0


def test_clear() -> None:
    store = CandleStore()
    store.set_history(series(3))
    store.clear()
    assert len(store) == 0
    assert store.candles() == []
    assert store.bounds() is None


# ---------------------------------------------------------------------- sampling


def _arrays_store(n: int, seed: int = 1) -> CandleStore:
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 1, n))
    open_ = np.r_[100.0, close[:-1]]
    high = np.maximum(open_, close) + rng.random(n)
    low = np.minimum(open_, close) - rng.random(n)
    volume = rng.random(n) * 10
    store = CandleStore()
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
