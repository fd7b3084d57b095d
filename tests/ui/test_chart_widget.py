"""The candle chart widget, offscreen: data, view policy, a given store, the price scale.
What it shows and writes (readout, export, overlays, theme, paint): ``test_chart_output``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import DARK, CandleChart
from tests.helpers import T0, TF, numpy_walk
from tests.ui.chart_kit import WAIT_MS, count_color, x_range, y_range

# ---------------------------------------------------------------------- data


def test_history_then_apply_gives_the_merged_candles(chart: CandleChart) -> None:
    data = numpy_walk(200)
    chart.set_history(reversed(data))  # any order
    live = Candle(data[-1].time, data[-1].open, 500.0, 1.0, 250.0, 99.0, 1.0)
    new = Candle(data[-1].time + TF, 250.0, 251.0, 249.0, 250.5, 1.0, 1.0)
    older = Candle(data[0].time - TF, 99.0, 100.0, 98.0, 99.5, 2.0, 2.0)
    chart.apply(live)
    chart.apply_many([new, older])
    expected = [older, *data[:-1], live, new]
    assert chart.candles() == expected
    assert chart.candle_count() == 202
    assert chart.last_price() == 250.5


def test_set_series_clears_and_max_candles_caps(qtbot) -> None:
    widget = CandleChart(max_candles=50)
    qtbot.addWidget(widget)
    widget.set_series("ETH-USDT", "5min", 300)
    widget.set_history(numpy_walk(80))
    assert widget.candle_count() == 50
    assert widget.candles()[0] == numpy_walk(80)[30]
    widget.set_series("ETH-USDT", "1min", TF)
    assert widget.candle_count() == 0
    assert widget.last_price() is None
    widget.flush()
    assert widget.readout_text() == ""


def test_updates_are_coalesced_into_one_redraw(chart: CandleChart, qtbot, monkeypatch) -> None:
    chart.set_history(numpy_walk(100))
    chart.flush()
    redraws = []
    original = chart.candle_item.refresh_bounds
    monkeypatch.setattr(
        chart.candle_item, "refresh_bounds", lambda: (redraws.append(1), original())
    )
    last = chart.candles()[-1]
    for k in range(50):
        chart.apply(Candle(last.time, last.open, 200.0, last.low, 150.0 + k, 1.0 + k, 1.0))
    assert chart.last_price_label() != "199.0000"  # nothing drawn yet: the redraw is pending
    qtbot.waitUntil(lambda: chart.last_price_label() == "199.0000", timeout=WAIT_MS)
    assert len(redraws) == 1


# ---------------------------------------------------------------------- view policy


def test_view_shows_the_newest_candles_and_follows_appends(loaded: CandleChart) -> None:
    chart = loaded
    last = chart.candles()[-1]
    x0, x1 = x_range(chart)
    assert x0 < last.time < x1
    assert 140 <= len(chart.visible_candles()) <= 160  # ~150 candles after a reset
    assert chart.follow_live()
    chart.apply(
        Candle(last.time + TF, last.close, last.close + 1, last.close - 1, last.close, 1, 1)
    )
    chart.flush()
    nx0, nx1 = x_range(chart)
    assert nx0 == pytest.approx(x0 + TF)
    assert nx1 == pytest.approx(x1 + TF)
    assert chart.visible_candles()[-1].time == last.time + TF


def test_user_pan_stops_following_and_set_follow_live_snaps_back(loaded: CandleChart, qtbot):
    chart = loaded
    width = x_range(chart)[1] - x_range(chart)[0]
    with qtbot.waitSignal(chart.followChanged, timeout=WAIT_MS, check_params_cb=lambda on: not on):
        chart.price_view.translateBy(x=-300 * TF)  # what a mouse drag does
    assert not chart.follow_live()
    before = x_range(chart)
    last = chart.candles()[-1]
    for k in range(1, 4):
        chart.apply(Candle(last.time + k * TF, 100, 101, 99, 100.5, 1, 1))
    chart.flush()
    assert x_range(chart) == before  # the view stays where the user put it
    with qtbot.waitSignal(chart.followChanged, timeout=WAIT_MS, check_params_cb=lambda on: on):
        chart.set_follow_live(True)
    x0, x1 = x_range(chart)
    newest = chart.candles()[-1].time
    assert x0 < newest < x1
    assert x1 - x0 == pytest.approx(width)  # zoom kept
    chart.apply(Candle(newest + TF, 100, 101, 99, 100.5, 1, 1))
    chart.flush()
    assert x_range(chart)[1] == pytest.approx(x1 + TF)


def test_panes_share_x_and_a_volume_pane_pan_stops_following(loaded: CandleChart) -> None:
    assert loaded.volume_view.viewRange()[0] == list(x_range(loaded))
    loaded.volume_view.translateBy(x=-400 * TF)
    assert not loaded.follow_live()
    assert x_range(loaded)[1] < loaded.candles()[-1].time
    assert loaded.volume_view.viewRange()[0] == list(x_range(loaded))
    loaded.price_view.translateBy(x=100 * TF)
    assert loaded.volume_view.viewRange()[0] == list(x_range(loaded))
    # Both panes have the same width and position, so equal ranges line up on screen.
    price_box = loaded.price_view.sceneBoundingRect()
    volume_box = loaded.volume_view.sceneBoundingRect()
    assert (price_box.left(), price_box.width()) == (volume_box.left(), volume_box.width())


def test_zoom_out_keeping_the_newest_in_view_keeps_following(loaded: CandleChart) -> None:
    x0, x1 = x_range(loaded)
    loaded.price_view.setXRange(x0 - 200 * TF, x1, padding=0)  # as a wheel zoom anchored right
    assert loaded.follow_live()


def test_reset_zoom(loaded: CandleChart) -> None:
    loaded.price_view.setXRange(T0, T0 + 20 * TF, padding=0)
    assert not loaded.follow_live()
    loaded.reset_zoom()
    assert loaded.follow_live()
    x0, x1 = x_range(loaded)
    assert (x1 - x0) / TF == pytest.approx(150 + 2.5)
    assert x0 < loaded.candles()[-1].time < x1


def test_y_range_fits_visible_candles_and_ignores_small_ticks(loaded: CandleChart) -> None:
    chart = loaded
    visible = chart.visible_candles()
    y0, y1 = y_range(chart)
    assert y0 < min(c.low for c in visible)
    assert y1 > max(c.high for c in visible)
    assert (max(c.high for c in visible) - min(c.low for c in visible)) > 0.7 * (y1 - y0)
    # A tick inside the range leaves y alone (no jitter)...
    last = chart.candles()[-1]
    mid = (y0 + y1) / 2
    chart.apply(
        Candle(last.time, last.open, max(last.high, mid), last.low, mid, last.volume + 1, 5)
    )
    chart.flush()
    assert y_range(chart) == (y0, y1)
    # ...one leaving it refits.
    chart.apply(Candle(last.time, last.open, y1 + 10, last.low, y1 + 5, last.volume + 2, 5))
    chart.flush()
    assert y_range(chart)[1] > y1 + 10
    # After a user pan, y fits the new window exactly.
    chart.price_view.translateBy(x=-500 * TF)
    visible = chart.visible_candles()
    y0, y1 = y_range(chart)
    assert y0 < min(c.low for c in visible) and y1 > max(c.high for c in visible)
    assert (max(c.high for c in visible) - min(c.low for c in visible)) > 0.7 * (y1 - y0)


def test_older_history_is_wanted_near_the_left_edge(loaded: CandleChart, qtbot) -> None:
    chart = loaded
    asked: list[int] = []
    chart.olderHistoryWanted.connect(asked.append)
    oldest = chart.candles()[0].time
    chart.price_view.translateBy(x=-300 * TF)  # still far from the oldest candle
    assert asked == []
    with qtbot.waitSignal(
        chart.olderHistoryWanted, timeout=WAIT_MS, check_params_cb=lambda t: t == oldest
    ):
        chart.price_view.translateBy(x=-450 * TF)
    # Every check that finds the edge near says so: a range change, and a redraw. Asking the
    # exchange once per distinct oldest time is the series' owner's job (the model's).
    chart.price_view.translateBy(x=-10 * TF)
    assert asked == [oldest, oldest]
    n = chart.candles()[-1]
    chart.apply(Candle(n.time, n.open, n.high, n.low, n.close, n.volume + 1, n.turnover))
    chart.flush()
    assert asked == [oldest, oldest, oldest]
    older = numpy_walk(500, seed=9, t0=oldest - 500 * TF)
    chart.apply_many(older)
    chart.flush()
    new_oldest = older[0].time
    assert asked == [oldest] * 3  # the view is now more than a screen from the new oldest
    with qtbot.waitSignal(
        chart.olderHistoryWanted, timeout=WAIT_MS, check_params_cb=lambda t: t == new_oldest
    ):
        chart.price_view.translateBy(x=-500 * TF)
    assert asked == [oldest] * 3 + [new_oldest]


# ---------------------------------------------------------------------- a given store


def test_a_given_store_is_drawn_read_only_and_redrawn_on_data_changed(
    chart: CandleChart, qtbot
) -> None:
    data = numpy_walk(400)
    series = CandleSeries(max_candles=None)
    series.set_history(data)
    chart.set_series("BTC-USDT", "1min", TF, store=series)
    chart.flush()
    assert chart.store is series
    assert chart.candles() == data
    assert chart.last_price() == data[-1].close
    assert chart.follow_live() and 140 <= len(chart.visible_candles()) <= 160
    x0, x1 = x_range(chart)
    # The owner writes, then tells the chart; the redraw follows the new candle.
    last = data[-1]
    new = Candle(last.time + TF, last.close, last.close + 1, last.close - 1, last.close, 1, 1)
    series.upsert(new)
    chart.data_changed()
    qtbot.waitUntil(lambda: chart.visible_candles()[-1] == new, timeout=WAIT_MS)
    assert x_range(chart) == pytest.approx((x0 + TF, x1 + TF))
    assert chart.last_price_label() == f"{new.close:.4f}"
    # The chart never writes a store it was given.
    for write in (
        lambda: chart.apply(new),
        lambda: chart.apply_many([new]),
        lambda: chart.set_history(data),
        chart.clear,
    ):
        with pytest.raises(RuntimeError):
            write()
    assert len(series) == 401
    # Without a store the chart starts an empty one of its own again.
    chart.set_series("BTC-USDT", "1min", TF)
    assert chart.store is not series and chart.candle_count() == 0
    chart.apply(new)
    assert chart.candle_count() == 1 and len(series) == 401


def test_switching_stores_resets_the_view_and_draws_the_new_one(chart: CandleChart) -> None:
    first, second = CandleSeries(max_candles=None), CandleSeries(max_candles=None)
    first.set_history(numpy_walk(300))
    second.set_history(numpy_walk(50, seed=3, t0=T0 + 10_000 * TF))
    chart.set_series("BTC-USDT", "1min", TF, store=first)
    chart.flush()
    chart.price_view.translateBy(x=-200 * TF)
    assert not chart.follow_live()
    chart.set_series("ETH-USDT", "1min", TF, store=second)
    assert chart.follow_live()
    chart.flush()
    assert chart.visible_candles() == second.candles()
    assert "ETH-USDT 1min" in chart.readout_text()
    image = chart.grab().toImage()
    assert count_color(image, DARK.up) > 0 and chart.drawn_count() == 50


# ---------------------------------------------------------------------- price scale


def test_log_scale_draws_candles_and_fits_y_in_log10(loaded: CandleChart) -> None:
    chart = loaded
    linear = y_range(chart)
    store = chart.store
    chart.set_scale_mode(ScaleMode.LOG)
    assert chart.scale.mode is ScaleMode.LOG and chart.scale_mode() is ScaleMode.LOG
    chart.flush()
    chart.grab()
    # The candle item's bounds follow log10 of the prices held.
    bounds = chart.candle_item.boundingRect()
    low, high = float(np.log10(store.low.min())), float(np.log10(store.high.max()))
    assert bounds.top() <= low and bounds.bottom() >= high
    assert bounds.height() < 1.0  # decades, not prices
    # The view is in log10 and still fits the visible candles.
    visible = chart.visible_candles()
    y0, y1 = y_range(chart)
    assert y0 < np.log10(min(c.low for c in visible)) < np.log10(max(c.high for c in visible)) < y1
    # The crosshair reads prices back through the scale.
    target = visible[-10]
    chart._show_crosshair(float(target.time), float(np.log10(target.close)))
    assert chart.crosshair_price() == pytest.approx(target.close)
    menus = []
    chart.priceMenuRequested.connect(lambda _where, price: menus.append(price))
    chart._price_menu(QPoint(0, 0), float(np.log10(target.high)))
    assert menus == [pytest.approx(target.high)]
    # And back.
    chart.set_scale_mode(ScaleMode.LINEAR)
    chart.flush()
    assert y_range(chart) == pytest.approx(linear)
    assert chart.candle_item.boundingRect().height() > 1.0


def test_percent_scale_is_relative_to_the_first_visible_close(loaded: CandleChart) -> None:
    chart = loaded
    before = y_range(chart)
    chart.set_scale_mode(ScaleMode.PERCENT)
    chart.flush()
    assert y_range(chart) == before  # percent is affine in the price: the same view
    assert chart.scale.base == chart.visible_candles()[0].close
    chart.price_view.translateBy(x=-100 * TF)
    assert chart.scale.base == chart.visible_candles()[0].close
    chart.grab()
    assert any(label.endswith("%") for label in chart.price_axis.tick_labels())


def test_percent_base_follows_a_backfill_of_the_first_visible_candle(loaded: CandleChart) -> None:
    chart = loaded
    chart.set_scale_mode(ScaleMode.PERCENT)
    chart.flush()
    first = chart.visible_candles()[0]
    assert chart.scale.base == first.close
    # Corrected history for the first visible candle: the view does not move.
    x_before = x_range(chart)
    chart.apply(replace(first, close=first.close + 5, high=first.high + 5))
    chart.flush()
    assert x_range(chart) == x_before
    assert chart.scale.base == first.close + 5


def test_percent_base_follows_older_candles_prepended_into_view(loaded: CandleChart) -> None:
    chart = loaded
    oldest = chart.candles()[0]
    chart.price_view.setXRange(oldest.time - 20 * TF, oldest.time + 80 * TF, padding=0)
    chart.set_scale_mode(ScaleMode.PERCENT)
    chart.flush()
    assert chart.scale.base == oldest.close
    older = [replace(oldest, time=oldest.time - k * TF, close=50.0 + k) for k in (1, 2, 3)]
    chart.apply_many(older)
    chart.flush()
    assert chart.visible_candles()[0] == older[-1]
    assert chart.scale.base == older[-1].close
