"""The chart's study lines, offscreen: the values drawn (through the price scale, zoomed out),
a live tick's cost, colours, the readout, lines across missing candles, gaps on the log
scale. The panes: ``test_chart_study_panes``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from kucandle_gui.model.indicators import IndicatorSet, default_color
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart
from tests.helpers import TF, numpy_walk
from tests.ui import study_kit
from tests.ui.chart_kit import count_color, rgb
from tests.ui.study_kit import SIX, spec, studies, with_studies

chart = study_kit.chart


def history_window(chart: CandleChart) -> tuple[int, int]:
    """The store indices a line is drawn through: the candles of the view with a candle's
    margin and one more on each side (the neighbour across a gap), without the newest
    (drawn apart)."""
    (x0, x1), _ = chart.price_view.viewRange()
    lo, hi = chart.store.range_indices(x0 - TF, x1 + TF)
    return max(lo - 1, 0), min(hi + 1, len(chart.store) - 1)


# ---------------------------------------------------------------------- drawn values


def test_lines_draw_the_indicator_values_of_the_window(chart: CandleChart) -> None:
    indicators = with_studies(chart, *SIX)
    chart.price_view.translateBy(x=-200 * TF)  # the newest candle out of view
    chart.grab()
    lo, hi = history_window(chart)
    times = chart.store.time[lo:hi].astype(float)
    for text in SIX:
        item = chart.study_item(spec(text))
        drawn = item.drawn_points()
        lines = [k for k, name in enumerate(spec(text).outputs) if name != "histogram"]
        assert len(drawn) == len(lines)
        for points, k in zip(drawn, lines, strict=True):
            np.testing.assert_array_equal(points[:, 0], times)
            np.testing.assert_array_equal(points[:, 1], indicators.values(spec(text))[k][lo:hi])
    # The window covers the view: from before its left edge to past its right edge.
    (x0, x1), _ = chart.price_view.viewRange()
    assert times[0] <= x0 and times[-1] >= x1


def test_log_scale_draws_log10_of_the_values(chart: CandleChart) -> None:
    indicators = with_studies(chart, "bb:20:2", "rsi:14")
    chart.set_scale_mode(ScaleMode.LOG)
    chart.flush()
    chart.grab()
    lo, hi = history_window(chart)
    bands = indicators.values(spec("bb:20:2"))
    for points, values in zip(chart.study_item(spec("bb:20:2")).drawn_points(), bands, strict=True):
        np.testing.assert_allclose(points[:, 1], np.log10(values[lo:hi]), rtol=1e-12)
    rsi = chart.study_item(spec("rsi:14")).drawn_points()[0]  # not a price: not scaled
    np.testing.assert_array_equal(rsi[:, 1], indicators.values(spec("rsi:14"))[0][lo:hi])


def test_zoomed_out_lines_keep_each_buckets_range(chart: CandleChart) -> None:
    candles = numpy_walk(50_000, seed=4)
    chart.set_history(candles)
    indicators = with_studies(chart, "ema:20", "macd:12:26:9")
    times = chart.store.time
    chart.price_view.setXRange(float(times[0]) - TF, float(times[-1]) + TF, padding=0)
    chart.flush()
    chart.grab()
    frame = chart.candle_item.last_frame()
    assert frame.aggregated
    ema = indicators.values(spec("ema:20"))[0]
    item = chart.study_item(spec("ema:20"))
    assert [len(points) for points in item.drawn_points()] == [0]
    (band,) = item.drawn_columns()
    assert len(band) == frame.count <= chart.price_view.width()
    np.testing.assert_array_equal(band[:, 0], frame.x)
    ends = np.append(frame.starts[1:], frame.stop)
    for j in range(1, frame.count, 37):
        values = ema[frame.starts[j] : ends[j]]
        joined = np.append(values, ema[frame.starts[j] - 1])  # the join from the bucket before
        # Each bucket's column covers exactly what the full line covers in it.
        assert (band[j, 1], band[j, 2]) == (np.nanmin(joined), np.nanmax(joined))
    macd_columns = chart.study_item(spec("macd:12:26:9")).drawn_columns()
    assert len(macd_columns) == 2 and all(c is not None for c in macd_columns)


def test_price_pane_y_fit_stays_the_candles(chart: CandleChart) -> None:
    before = chart.price_view.viewRange()[1]
    with_studies(chart, "bb:20:2", "vwap")
    chart.price_view.translateBy(x=-10 * TF)
    chart.price_view.translateBy(x=10 * TF)
    assert chart.price_view.viewRange()[1] == pytest.approx(before)


# ---------------------------------------------------------------------- live


def test_a_live_tick_redraws_only_the_newest_segment(chart: CandleChart) -> None:
    indicators = with_studies(chart, *SIX)
    chart.grab()
    items = [chart.study_item(spec(text)) for text in SIX]
    keys = [item.data_key for item in items]
    builds = [list(item.builds) for item in items]
    history = indicators.history_version
    last = chart.candles()[-1]
    for k in range(5):
        chart.apply(Candle(last.time, last.open, last.high + k, last.low, last.high + k, 9, 9))
        chart.flush()
        chart.grab()
    assert indicators.history_version == history
    assert [item.data_key for item in items] == keys
    assert [item.builds for item in items] == builds  # no sampling, no mapping to pixels
    ema = chart.study_item(spec("ema:20"))
    assert ema.live_values() == [indicators.values(spec("ema:20"))[0][-1]]
    # A new candle is history changing: the window is sampled again.
    chart.apply(Candle(last.time + TF, 100, 101, 99, 100.5, 1, 1))
    chart.flush()
    chart.grab()
    assert ema.data_key != keys[0] and ema.builds[0] == builds[0][0] + 1


def test_the_lines_are_painted_in_their_colours(chart: CandleChart) -> None:
    with_studies(chart, "ema:20", "rsi:14")
    image = chart.grab().toImage()
    assert count_color(image, default_color(0)) > 50
    assert count_color(image, default_color(1)) > 50
    chart.set_indicators(chart.indicators(), studies("ema:20", "rsi:14", hidden=("ema:20",)))
    chart.flush()
    assert count_color(chart.grab().toImage(), default_color(0)) == 0


def test_a_set_bound_to_another_series_draws_nothing(chart: CandleChart) -> None:
    other = IndicatorSet(None, ["ema:20"])
    chart.set_indicators(other, studies("ema:20"))
    chart.flush()
    chart.grab()
    item = chart.study_item(spec("ema:20"))
    assert [len(points) for points in item.drawn_points()] == [0]
    assert item.builds == [0, 0]
    assert "EMA" not in chart.readout_text()
    # Bound to the chart's store (what the model does on a switch), it draws.
    other.bind(chart.store)
    chart.data_changed()
    chart.flush()
    chart.grab()
    assert len(item.drawn_points()[0]) > 100 and "EMA 20 " in chart.readout_text()


# ---------------------------------------------------------------------- readout


def test_readout_shows_the_values_at_the_candle(chart: CandleChart) -> None:
    indicators = with_studies(chart, *SIX, "volsma:20", hidden=("vwap",))
    i = len(chart.store) - 40
    chart.show_readout_at(float(chart.store.time[i]))
    first, second = chart.readout_text().split("\n")
    assert f"C {chart.store.close[i]:.4f}" in first

    def v(text: str, k: int = 0) -> float:
        return float(indicators.values(spec(text))[k][i])

    assert f"EMA 20 {v('ema:20'):.4f}" in second
    assert f"EMA 50 {v('ema:50'):.4f}" in second
    assert f"BB 20 2 {v('bb:20:2', 0):.4f}/{v('bb:20:2', 1):.4f}/{v('bb:20:2', 2):.4f}" in second
    assert f"RSI 14 {v('rsi:14'):.2f}" in second
    macd = "/".join(f"{v('macd:12:26:9', k):.4f}" for k in range(3))
    assert f"MACD 12 26 9 {macd}" in second
    assert "Vol SMA 20 " in second
    assert "VWAP" not in second  # hidden
    # Not yet defined at the first candles.
    chart.show_readout_at(float(chart.store.time[3]))
    assert "EMA 20 —" in chart.readout_text()
    # Off the panes: the newest candle's values.
    chart._hide_crosshair()
    assert f"RSI 14 {float(indicators.values(spec('rsi:14'))[0][-1]):.2f}" in chart.readout_text()


# ---------------------------------------------------------------------- review fixes


def pixel(chart: CandleChart, box, t: float, v: float) -> tuple[int, int]:
    point = chart.graphics_view.mapFromScene(box.mapViewToScene(QPointF(t, v)))
    point = chart.graphics_view.mapTo(chart, point)
    return point.x(), point.y()


def drawn_along(chart: CandleChart, image: QImage, a, b, color: str, x_from, x_to) -> list[bool]:
    """Whether ``color`` is within a pixel of each of 41 points of the segment ``a``-``b``
    (view coordinates of the price pane) whose x is between ``x_from`` and ``x_to`` pixels."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    want = rgb(color)
    (xa, ya), (xb, yb) = pixel(chart, chart.price_view, *a), pixel(chart, chart.price_view, *b)
    out = []
    for f in np.linspace(0.0, 1.0, 41):
        x, y = round(xa + (xb - xa) * f), round(ya + (yb - ya) * f)
        if not x_from < x < x_to:
            continue
        out.append(
            any(
                image.pixel(x + dx, y + dy) & 0xFFFFFF == want
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                if 0 <= x + dx < image.width() and 0 <= y + dy < image.height()
            )
        )
    return out


def with_gap(chart: CandleChart, at: int, candles: int, n: int = 400) -> None:
    """``n`` candles with ``candles`` missing before candle ``at`` (minutes without trades:
    KuCoin sends no candle for them)."""
    walk = numpy_walk(n)
    chart.set_history(
        [c if i < at else replace(c, time=c.time + candles * TF) for i, c in enumerate(walk)]
    )
    chart.flush()


def x_pixel(chart: CandleChart, t: float) -> int:
    return pixel(chart, chart.price_view, t, 0.0)[0]


@pytest.mark.parametrize("missing", [3, 20])
def test_lines_reach_the_pane_edges_across_missing_candles(chart: CandleChart, missing) -> None:
    with_gap(chart, 200, missing)
    indicators = with_studies(chart, "sma:5")
    chart._texts.readout.hide()  # off the line's way
    color = default_color(0)
    sma = indicators.values(spec("sma:5"))[0]
    t199, t200 = float(chart.store.time[199]), float(chart.store.time[200])
    a, b = (t199, sma[199]), (t200, sma[200])
    # The view starts inside the gap: candle 199 is out of view, the line enters from the left.
    x0 = t199 + (missing - 0.5) * TF
    chart.price_view.setXRange(x0, x0 + 150 * TF, padding=0)
    image = chart.grab().toImage()
    assert chart.study_item(spec("sma:5")).drawn_points()[0][0, 0] == t199
    shown = drawn_along(chart, image, a, b, color, x_pixel(chart, x0) + 2, x_pixel(chart, t200) - 2)
    assert shown and all(shown)
    # The view ends inside the gap: candle 200 is out of view, the line leaves to the right.
    x1 = t199 + 1.5 * TF
    chart.price_view.setXRange(x1 - 150 * TF, x1, padding=0)
    image = chart.grab().toImage()
    assert chart.study_item(spec("sma:5")).drawn_points()[0][-1, 0] == t200
    shown = drawn_along(chart, image, a, b, color, x_pixel(chart, t199) + 2, x_pixel(chart, x1) - 2)
    assert shown and all(shown)


def test_a_view_inside_a_gap_still_shows_the_line_crossing_it(chart: CandleChart) -> None:
    with_gap(chart, 200, 300)
    indicators = with_studies(chart, "sma:5")
    t199, t200 = float(chart.store.time[199]), float(chart.store.time[200])
    x0 = t199 + 100 * TF
    chart.price_view.setXRange(x0, x0 + 100 * TF, padding=0)  # no candle in view
    chart.grab()
    points = chart.study_item(spec("sma:5")).drawn_points()[0]
    sma = indicators.values(spec("sma:5"))[0]
    np.testing.assert_array_equal(points, [[t199, sma[199]], [t200, sma[200]]])


def test_the_live_segment_is_drawn_with_the_newest_candle_out_of_view(chart: CandleChart) -> None:
    n = 400
    with_gap(chart, n - 1, 20, n)  # the newest candle, 20 minutes after the one before
    indicators = with_studies(chart, "sma:5")
    chart._texts.readout.hide()
    sma = indicators.values(spec("sma:5"))[0]
    t_prev, t_live = float(chart.store.time[n - 2]), float(chart.store.time[n - 1])
    x1 = t_prev + 8 * TF  # the view ends inside the gap
    chart.set_follow_live(False)
    chart.price_view.setXRange(x1 - 150 * TF, x1, padding=0)
    image = chart.grab().toImage()
    item = chart.study_item(spec("sma:5"))
    assert item.drawn_points()[0][-1, 0] == t_prev  # the live candle is drawn apart
    a, b = (t_prev, sma[n - 2]), (t_live, sma[n - 1])
    color = default_color(0)
    shown = drawn_along(
        chart, image, a, b, color, x_pixel(chart, t_prev) + 2, x_pixel(chart, x1) - 2
    )
    assert shown and all(shown)
    # A tick of the live candle redraws the segment alone (nothing sampled or mapped again).
    builds = list(item.builds)
    last = chart.candles()[-1]
    chart.apply(replace(last, close=last.close + 3, high=max(last.high, last.close + 3)))
    chart.flush()
    image = chart.grab().toImage()
    assert item.builds == builds
    b = (t_live, indicators.values(spec("sma:5"))[0][n - 1])
    shown = drawn_along(
        chart, image, a, b, color, x_pixel(chart, t_prev) + 2, x_pixel(chart, x1) - 2
    )
    assert shown and all(shown)


def test_log_scale_leaves_a_gap_where_a_band_is_not_positive(chart: CandleChart) -> None:
    # A pump and dump: 1 -> 10 -> 1 in 20 candles, the lower Bollinger band goes below 0.
    closes = [1.0] * 150 + list(np.linspace(1, 10, 10)) + list(np.linspace(10, 1, 10)) + [1.0] * 30
    chart.set_history(
        [
            Candle(c.time, p, p * 1.05, p * 0.95, p, 1.0, p)
            for c, p in zip(numpy_walk(200), closes, strict=True)
        ]
    )
    chart.flush()
    indicators = with_studies(chart, "bb:20:2")
    chart.set_scale_mode(ScaleMode.LOG)
    chart.flush()
    chart.grab()
    lower = indicators.values(spec("bb:20:2"))[0]
    lo, hi = history_window(chart)
    assert (lower[lo:hi] <= 0).any()
    points = chart.study_item(spec("bb:20:2")).drawn_points()[0]
    y = points[:, 1]
    assert np.isnan(y[lower[lo:hi] <= 0]).all()  # a gap, not a plunge to log10(1e-12)
    positive = lower[lo:hi] > 0
    np.testing.assert_allclose(y[positive], np.log10(lower[lo:hi][positive]), rtol=1e-12)
    ((y0, _),) = [chart.price_view.viewRange()[1]]
    assert np.nanmin(y) > y0 - 1.0
