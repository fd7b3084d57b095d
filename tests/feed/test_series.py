"""CandleSeries: merge by start time, never by appending."""

from __future__ import annotations

import pytest

from kucandle_gui.feed import CandleSeries
from kucandle_gui.protocol import Candle


def candle(start: int, close: float = 100.0, volume: float = 1.0) -> Candle:
    """A consistent candle whose close and volume a test can vary."""
    return Candle(start, 100.0, max(100.0, close), min(100.0, close), close, volume, volume * close)


def times(series: CandleSeries) -> list[int]:
    return [c.time for c in series.candles()]


def test_empty_series() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    assert len(series) == 0
    assert series.last() is None
    assert series.get(60) is None
    assert series.candles() == []
    assert (series.symbol, series.timeframe, series.max_candles) == ("BTC-USDT", "1min", 100_000)


def test_rejects_non_positive_capacity() -> None:
    with pytest.raises(ValueError):
        CandleSeries("BTC-USDT", "1min", max_candles=0)


def test_live_pushes_update_the_open_candle_then_start_the_next() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    assert series.upsert(candle(60, close=101, volume=1))
    assert series.upsert(candle(60, close=102, volume=2))
    assert series.upsert(candle(120, close=103, volume=1))
    assert times(series) == [60, 120]
    assert series.get(60) == candle(60, close=102, volume=2)
    assert series.last() == candle(120, close=103, volume=1)


def test_identical_push_is_no_change() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    series.upsert(candle(60, volume=2))
    assert not series.upsert(candle(60, volume=2))
    assert series.stale_ignored == 0


def test_smaller_volume_is_an_older_state_and_is_counted() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    series.upsert(candle(60, close=105, volume=5))
    assert not series.upsert(candle(60, close=101, volume=3))
    assert series.get(60) == candle(60, close=105, volume=5)
    assert series.stale_ignored == 1


def test_equal_volume_with_other_prices_replaces() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    series.upsert(candle(60, close=101, volume=5))
    assert series.upsert(candle(60, close=99, volume=5))
    assert series.get(60) == candle(60, close=99, volume=5)


def test_late_update_of_previous_candle_after_next_began() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    series.upsert(candle(60, volume=1))
    series.upsert(candle(120, volume=1))
    assert series.upsert(candle(60, close=104, volume=3))
    assert times(series) == [60, 120]
    assert series.get(60) == candle(60, close=104, volume=3)
    assert series.last() == candle(120, volume=1)


def test_out_of_order_stale_push_of_previous_candle_is_ignored() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    series.upsert(candle(60, volume=3))
    series.upsert(candle(120, volume=1))
    assert not series.upsert(candle(60, volume=2))
    assert series.get(60) == candle(60, volume=3)
    assert series.stale_ignored == 1


def test_backfill_inserts_in_the_middle_in_order() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    for start in (60, 240, 300):
        series.upsert(candle(start))
    assert series.upsert(candle(180))
    assert series.upsert(candle(0))
    assert times(series) == [0, 60, 180, 240, 300]
    assert series.get(180) == candle(180)


def test_quiet_periods_are_not_filled() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    series.merge([candle(300), candle(60)])
    assert times(series) == [60, 300]
    assert series.get(120) is None


def test_merge_of_rest_page_newest_first_with_duplicates() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    page = [candle(180, volume=2), candle(120), candle(120), candle(60), candle(180, volume=1)]
    changed = series.merge(page)
    assert changed == [candle(60), candle(120), candle(180, volume=2)]
    assert times(series) == [60, 120, 180]
    assert series.get(180) == candle(180, volume=2)
    assert series.stale_ignored == 1


def test_merge_of_larger_duplicate_after_smaller_reports_the_stored_state() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    changed = series.merge([candle(60, volume=1), candle(60, volume=4)])
    assert changed == [candle(60, volume=4)]
    assert series.candles() == [candle(60, volume=4)]


def test_merge_keeps_newer_live_state_of_the_open_candle() -> None:
    """A REST page fetched before the latest pushes holds an older state of the open candle."""
    series = CandleSeries("BTC-USDT", "1min")
    series.upsert(candle(120, close=110, volume=9))
    changed = series.merge([candle(120, close=105, volume=7), candle(60, volume=4)])
    assert changed == [candle(60, volume=4)]
    assert series.last() == candle(120, close=110, volume=9)
    assert series.stale_ignored == 1


def test_merge_reports_nothing_when_nothing_changed() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    series.merge([candle(60), candle(120)])
    assert series.merge([candle(120), candle(60)]) == []
    assert series.merge([]) == []


def test_drops_oldest_beyond_capacity() -> None:
    series = CandleSeries("BTC-USDT", "1min", max_candles=3)
    for start in range(0, 600, 60):
        series.upsert(candle(start))
    assert len(series) == 3
    assert times(series) == [420, 480, 540]
    assert series.get(360) is None


def test_trimming_many_times_keeps_order_and_lookups() -> None:
    """Far beyond the capacity, so that the dead prefix is compacted several times."""
    series = CandleSeries("BTC-USDT", "1min", max_candles=5)
    for start in range(0, 60 * 1000, 60):
        series.upsert(candle(start, volume=1))
        series.upsert(candle(start, volume=2))
    assert times(series) == list(range(60 * 995, 60 * 1000, 60))
    assert all(series.get(t) == candle(t, volume=2) for t in times(series))
    assert series.get(60 * 994) is None
    assert series.upsert(candle(60 * 997, volume=3))
    assert series.get(60 * 997) == candle(60 * 997, volume=3)


@pytest.mark.parametrize("max_candles", [1, 100, 5000])
def test_a_full_series_lets_trimmed_candles_go(max_candles: int) -> None:
    """Memory follows the cap: trimmed candles are released once they are an eighth of the
    live ones (or 64), not kept until there are as many of them as live ones."""
    series = CandleSeries("BTC-USDT", "1min", max_candles=max_candles)
    for start in range(0, 60 * 3 * max_candles + 60 * 200, 60):
        series.upsert(candle(start))
        held = series.capacity  # live and trimmed-but-not-released
        assert held <= max(max_candles + 64, max_candles * 9 // 8 + 1)
    assert len(series) == max_candles


def test_rows_older_than_the_oldest_are_ignored_when_full() -> None:
    series = CandleSeries("BTC-USDT", "1min", max_candles=2)
    series.merge([candle(120), candle(180)])
    assert not series.upsert(candle(60))
    assert times(series) == [120, 180]
    assert series.stale_ignored == 0


def test_rows_older_than_the_oldest_are_inserted_while_not_full() -> None:
    series = CandleSeries("BTC-USDT", "1min", max_candles=3)
    series.merge([candle(120), candle(180)])
    assert series.upsert(candle(60))
    assert times(series) == [60, 120, 180]


def test_merge_does_not_report_candles_trimmed_in_the_same_merge() -> None:
    series = CandleSeries("BTC-USDT", "1min", max_candles=2)
    series.merge([candle(0), candle(120)])
    changed = series.merge([candle(60), candle(180), candle(240)])
    assert times(series) == [180, 240]
    assert changed == [candle(180), candle(240)]


def test_candles_returns_a_copy() -> None:
    series = CandleSeries("BTC-USDT", "1min")
    series.upsert(candle(60))
    copy = series.candles()
    copy.clear()
    assert len(series) == 1
    assert series.candles() == [candle(60)]
