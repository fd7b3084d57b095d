"""CandleSeries as the chart reads it: numpy columns, caps, lookups, version counters."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from kucandle_gui.feed.series import CandleSeries, Change
from kucandle_gui.protocol import Candle
from tests.helpers import T0, TF
from tests.helpers import nth_candle as candle
from tests.helpers import random_walk as series


def test_append_keeps_order_and_values() -> None:
    store = CandleSeries(max_candles=None)
    data = series(1000)
    for c in data:
        assert store.upsert(c) is Change.APPENDED
    assert len(store) == 1000
    assert store.candles() == data
    assert np.all(np.diff(store.time) == TF)
    assert store.last() == data[-1]
    assert store.first_time() == data[0].time


def test_update_last_replaces_in_place_and_keeps_history_version() -> None:
    store = CandleSeries(max_candles=None)
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
    store = CandleSeries(max_candles=None)
    store.set_history([c for i, c in enumerate(data) if i not in (0, 7, 13)])
    hv = store.history_version
    assert store.upsert(data[7]) is Change.INSERTED
    assert store.upsert(data[13]) is Change.INSERTED
    assert store.upsert(data[0]) is Change.INSERTED
    assert store.candles() == data
    assert store.history_version == hv + 3


def test_cap_ignores_a_candle_older_than_all_when_full() -> None:
    store = CandleSeries(max_candles=100)
    for i in range(150):
        store.upsert(candle(i))
    assert store.first_time() == candle(50).time
    assert store.upsert(candle(10)) is Change.IGNORED
    assert len(store) == 100
    assert store.first_time() == candle(50).time


def test_update_of_an_older_candle() -> None:
    store = CandleSeries(max_candles=None)
    store.set_history(series(10))
    changed = Candle(T0 + 3 * TF, 1, 5, 0.5, 4, 99, 99)
    assert store.upsert(changed) is Change.UPDATED
    assert store.candle(3) == changed
    assert len(store) == 10


def test_set_history_sorts_and_dedups_by_the_rule() -> None:
    data = series(50)
    shuffled = data[:]
    random.Random(3).shuffle(shuffled)
    replacement = Candle(data[10].time, 7, 8, 6, 7.5, 30, 210)  # more volume: newer
    store = CandleSeries(max_candles=None)
    store.set_history([*shuffled, data[20], replacement])
    expected = data[:]
    expected[10] = replacement
    assert store.candles() == expected


def test_cap_drops_the_oldest() -> None:
    store = CandleSeries(max_candles=5)
    for i in range(12):
        store.upsert(candle(i, price=100 + i))
    assert len(store) == 5
    assert [c.time for c in store.candles()] == [candle(i).time for i in range(7, 12)]
    store.set_history([candle(i) for i in range(30)])
    assert [c.time for c in store.candles()] == [candle(i).time for i in range(25, 30)]


def test_cap_insert_in_the_middle_drops_the_oldest() -> None:
    store = CandleSeries(max_candles=4)
    store.set_history([candle(i) for i in (0, 1, 3, 4)])
    assert store.upsert(candle(2)) is Change.INSERTED
    assert [c.time for c in store.candles()] == [candle(i).time for i in (1, 2, 3, 4)]


def test_many_appends_under_a_cap_stay_bounded_and_correct() -> None:
    store = CandleSeries(max_candles=1000)
    for i in range(10_000):
        store.upsert(candle(i, price=float(i)))
    assert len(store) == 1000
    assert store.candles() == [candle(i, price=float(i)) for i in range(9000, 10_000)]
    assert store.capacity <= 2 * 1000 + 64  # the buffer does not grow without bound


def test_upsert_many_bulk_equals_one_by_one() -> None:
    base = series(300)
    held = base[100:]
    batch = [*base[:100], Candle(base[150].time, 1, 2, 0.5, 1.5, 50, 50), base[299]]
    random.Random(5).shuffle(batch)
    one_by_one = CandleSeries(max_candles=None)
    one_by_one.set_history(held)
    for c in batch:
        one_by_one.upsert(c)
    bulk = CandleSeries(max_candles=None)
    bulk.set_history(held)
    bulk.merge(batch)  # larger than the bulk threshold: new candles inserted by one sort
    assert bulk.candles() == one_by_one.candles()
    assert len(bulk) == 300


def test_lookups() -> None:
    store = CandleSeries(max_candles=None)
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
    store = CandleSeries(max_candles=None)
    store.set_history(series(3))
    with pytest.raises(ValueError):
        store.close[0] = 1.0


def test_clear() -> None:
    store = CandleSeries(max_candles=None)
    store.set_history(series(3))
    store.clear()
    assert len(store) == 0
    assert store.candles() == []
    assert store.bounds() is None


# ---------------------------------------------------------------- watching the changes


def test_a_watch_names_the_oldest_start_written_since_it_was_last_taken() -> None:
    store = CandleSeries(max_candles=None)
    store.set_history([candle(i) for i in range(20) if i != 12])
    w, behind = store.watch(), store.watch()  # taken after every change / only at the end
    assert w.take() is None
    store.upsert(candle(20))  # appended
    assert w.take() == candle(20).time
    store.upsert(candle(15, volume=2.0))  # an older candle updated
    assert w.take() == candle(15).time
    store.upsert(candle(12))  # a missing one inserted
    assert w.take() == candle(12).time
    assert w.take() is None  # nothing since
    assert behind.take() == candle(12).time  # the oldest of the three
    assert behind.take() is None


def test_updates_of_the_newest_candle_are_not_history_changes() -> None:
    store = CandleSeries(max_candles=None)
    store.set_history([candle(i) for i in range(5)])
    w = store.watch()
    hv, v = store.history_version, store.version
    for k in range(2, 50):
        assert store.upsert(candle(4, volume=float(k))) is Change.UPDATED_LAST
    assert store.version == v + 48 and store.history_version == hv
    assert w.take() is None
    store.merge([candle(4, volume=99.0)])  # through a merge too
    assert store.history_version == hv and w.take() is None
    store.upsert(candle(5))
    assert w.take() == candle(5).time


def test_a_bulk_load_means_everything() -> None:
    store = CandleSeries(max_candles=None)
    store.set_history([candle(i) for i in range(100, 200)])
    w = store.watch()
    store.merge([candle(i) for i in range(50)])  # older history: one bulk load
    assert w.take() == -math.inf
    store.upsert(candle(200))
    store.set_history([candle(i) for i in range(100, 150)])  # a reload
    assert w.take() == -math.inf
    store.clear()
    assert w.take() == -math.inf
    assert w.take() is None


def test_the_cap_counts_the_candles_it_drops() -> None:
    store = CandleSeries(max_candles=10)
    store.set_history([candle(i) for i in range(10)])
    assert store.dropped == 0
    for i in range(10, 25):
        store.upsert(candle(i))
    assert store.dropped == 15
    store.set_history([candle(i) for i in range(3, 9)])
    store.upsert(candle(2))  # below the cap: inserted in front, nothing dropped
    assert store.dropped == 15
    store.merge([candle(i) for i in (9, 10, 11, 12, 1)])  # 12 candles: the oldest two go
    assert store.dropped == 17 and store.first_time() == candle(3).time


def test_a_bulk_fill_of_a_recent_gap_is_watched_from_the_gap_not_as_everything() -> None:
    store = CandleSeries(max_candles=None)
    store.set_history([candle(i) for i in range(200) if not 150 <= i < 190])
    w = store.watch()
    hv = store.history_version
    store.merge([candle(i) for i in range(150, 190)])  # more than one by one: one sort
    assert len(store) == 200 and store.history_version == hv + 1
    assert w.take() == candle(150).time
    store.merge([candle(i) for i in range(-40, 0)])  # older history: everything
    assert w.take() == -math.inf


def test_a_bulk_fill_under_a_full_cap_counts_the_candles_it_cuts_off() -> None:
    store = CandleSeries(max_candles=160)
    store.set_history([candle(i) for i in range(200) if not 150 <= i < 190])
    assert len(store) == 160 and store.dropped == 0
    w = store.watch()
    store.merge([candle(i) for i in range(150, 190)])
    assert store.dropped == 40 and store.first_time() == candle(40).time
    assert store.candles() == [candle(i) for i in range(40, 200)]
    assert w.take() == candle(150).time
    store.merge([candle(i) for i in range(33)])  # all older than the cap keeps
    assert store.dropped == 40 and store.candles() == [candle(i) for i in range(40, 200)]
    since = w.take()
    assert since is not None and since >= candle(40).time  # nothing held changed


def test_a_watch_keeps_the_oldest_change_however_many_came_since() -> None:
    store = CandleSeries(max_candles=None)
    store.set_history([candle(i) for i in range(100)])
    watch = store.watch()
    assert watch.take() is None
    for k in range(2, 6):
        store.upsert(candle(99, volume=float(k)))  # the newest in place: no history change
    assert watch.take() is None
    store.upsert(candle(40, volume=2.0))
    for i in range(100, 1000):  # hundreds of history changes
        store.upsert(candle(i))
    assert watch.take() == candle(40).time
    assert watch.take() is None  # taken
    store.upsert(candle(1000))
    assert watch.take() == candle(1000).time
    store.clear()
    assert watch.take() == -math.inf
    other = store.watch()
    store.unwatch(watch)
    store.upsert(candle(7))
    assert watch.take() is None and other.take() == candle(7).time


def test_watches_are_held_weakly() -> None:
    store = CandleSeries(max_candles=None)
    kept = store.watch()
    for _ in range(10):
        store.watch()  # dropped at once
    store.upsert(candle(1))
    assert len(store._watches) <= 2
    assert kept.take() == candle(1).time
