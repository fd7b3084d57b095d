"""The chart's studies, offscreen: panes, drawn values, live cost, readout, linked x ranges."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QImage

from kucandle_gui.model import ChartModel, MonitorModel
from kucandle_gui.model.indicators import (
    IndicatorSet,
    Study,
    default_color,
    parse_indicator_spec,
    styles_of,
)
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart
from kucandle_gui.ui.chart.studies import RSI_RANGE
from kucandle_gui.ui.chart_binding import ChartBinding
from tests.helpers import T0, TF, numpy_walk

SIX = ("ema:20", "ema:50", "bb:20:2", "vwap", "rsi:14", "macd:12:26:9")


def spec(text: str):
    return parse_indicator_spec(text)


def studies(*texts: str, hidden: tuple[str, ...] = ()) -> list[Study]:
    return [Study(spec(text), default_color(i), text not in hidden) for i, text in enumerate(texts)]


@pytest.fixture
def chart(qtbot) -> CandleChart:
    widget = CandleChart()
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_series("BTC-USDT", "1min", TF)
    widget.set_history(numpy_walk(1000))
    widget.flush()
    return widget


def with_studies(chart: CandleChart, *texts: str, hidden: tuple[str, ...] = ()) -> IndicatorSet:
    indicators = IndicatorSet(chart.store, texts)
    chart.set_indicators(indicators, studies(*texts, hidden=hidden))
    chart.flush()
    return indicators


def x_ranges(chart: CandleChart) -> list[list[float]]:
    boxes = [chart.price_view, chart.volume_view, *chart.study_views()]
    return [box.viewRange()[0] for box in boxes]


def scene_top(box) -> float:
    return box.sceneBoundingRect().top()


def history_window(chart: CandleChart) -> tuple[int, int]:
    """The store indices of the history candles drawn: the view with a candle's margin,
    without the newest (drawn apart)."""
    (x0, x1), _ = chart.price_view.viewRange()
    lo, hi = chart.store.range_indices(x0 - TF, x1 + TF)
    return lo, min(hi, len(chart.store) - 1)


def count_color(image: QImage, color: str) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    return int(np.count_nonzero((arr & 0xFFFFFF) == (QColor(color).rgb() & 0xFFFFFF)))


# ---------------------------------------------------------------------- panes


def test_oscillator_panes_come_and_go_with_their_studies(chart: CandleChart) -> None:
    indicators = with_studies(chart, "ema:20", "rsi:14", "macd:12:26:9")
    rsi, macd = chart.study_view(spec("rsi:14")), chart.study_view(spec("macd:12:26:9"))
    assert chart.study_views() == [rsi, macd]
    assert chart.study_view(spec("ema:20")) is None  # on the price pane
    # Under the price and volume panes, in the studies' order, as wide as they are.
    tops = [scene_top(b) for b in (chart.price_view, chart.volume_view, rsi, macd)]
    assert tops == sorted(tops)
    for box in (rsi, macd):
        assert box.sceneBoundingRect().width() == chart.price_view.sceneBoundingRect().width()
    # The dates are on the bottom-most pane only.
    assert chart.time_axis.isVisible() and chart.time_axis.linkedView() is macd
    chart.grab()
    assert chart.time_axis.tick_labels()
    # Hidden: no pane; shown again: a pane again.
    chart.set_indicators(
        indicators, studies("ema:20", "rsi:14", "macd:12:26:9", hidden=("rsi:14",))
    )
    assert chart.study_views() == [macd]
    assert chart.study_item(spec("rsi:14")) is None
    chart.set_indicators(indicators, studies("ema:20", "rsi:14", "macd:12:26:9"))
    assert len(chart.study_views()) == 2
    # None: nothing drawn, the volume pane carries the dates again.
    chart.set_indicators(None, [])
    assert chart.study_views() == [] and chart.study_item(spec("ema:20")) is None
    assert chart.time_axis.linkedView() is chart.volume_view
    chart.set_volume_visible(False)
    assert chart.time_axis.linkedView() is chart.price_view


def test_toggling_studies_many_times_keeps_one_pane_each(chart: CandleChart) -> None:
    texts = ("ema:20", "rsi:14", "macd:12:26:9")
    indicators = IndicatorSet(chart.store, texts)
    scene = chart.graphics_view.scene()
    counts = []
    for k in range(30):
        hidden = ("ema:20", "rsi:14") if k % 2 else ()
        chart.set_indicators(indicators, studies(*texts, hidden=hidden))
        chart.flush()
        chart.grab()
        counts.append(len(scene.items()))
    assert len(set(counts[0::2])) == 1 and len(set(counts[1::2])) == 1  # nothing piles up
    chart.set_indicators(indicators, studies(*texts))
    chart.flush()
    assert len(chart.study_views()) == 2
    assert len(chart.graphics_view.ci.items) == 4  # price, volume, RSI, MACD
    chart.resize(900, 600)  # dropped items are gone, not merely hidden
    chart.grab()


def test_the_volume_sma_is_drawn_in_the_volume_pane(chart: CandleChart) -> None:
    with_studies(chart, "volsma:20")
    item = chart.study_item(spec("volsma:20"))
    assert item.parentItem() is chart.volume_view
    assert chart.study_views() == []


def test_styles_per_spec_text_are_accepted(chart: CandleChart) -> None:
    indicators = IndicatorSet(chart.store, ["ema:20", "rsi:14"])
    chart.set_indicators(indicators, styles_of(studies("ema:20", "rsi:14", hidden=("rsi:14",))))
    chart.flush()
    assert chart.study_item(spec("ema:20")) is not None
    assert chart.study_views() == []


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


def test_rsi_pane_is_fixed_and_macd_fits_what_is_in_view(chart: CandleChart) -> None:
    indicators = with_studies(chart, "rsi:14", "macd:12:26:9")
    rsi, macd = chart.study_view(spec("rsi:14")), chart.study_view(spec("macd:12:26:9"))
    for _ in range(2):
        assert tuple(rsi.viewRange()[1]) == RSI_RANGE
        y0, y1 = macd.viewRange()[1]
        (x0, x1), _ = chart.price_view.viewRange()
        lo, hi = chart.store.range_indices(x0, x1)
        shown = np.concatenate([v[lo:hi] for v in indicators.values(spec("macd:12:26:9"))])
        low, high = np.nanmin(shown), np.nanmax(shown)
        assert y0 < low and high < y1
        assert high - low > 0.7 * (y1 - y0)  # fitted, not merely containing
        chart.price_view.translateBy(x=-400 * TF)


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


# ---------------------------------------------------------------------- x link


def test_every_pane_keeps_the_same_x_range(chart: CandleChart) -> None:
    with_studies(chart, "rsi:14", "macd:12:26:9")
    rsi, macd = chart.study_views()

    def same() -> bool:
        ranges = x_ranges(chart)
        return all(r == ranges[0] for r in ranges)

    assert same()
    rsi.translateBy(x=-300 * TF)  # a drag in the RSI pane
    assert same() and not chart.follow_live()
    macd.scaleBy(x=2.0)  # a wheel zoom in the MACD pane
    assert same()
    chart.price_view.translateBy(x=50 * TF)
    assert same()
    chart.set_follow_live(True)
    last = chart.candles()[-1]
    chart.apply(Candle(last.time + TF, 100, 101, 99, 100.5, 1, 1))
    chart.flush()
    assert same() and chart.follow_live()
    assert x_ranges(chart)[0][0] < last.time + TF < x_ranges(chart)[0][1]


def test_mouse_over_an_oscillator_pane_moves_the_crosshair(chart: CandleChart, qtbot) -> None:
    with_studies(chart, "rsi:14")
    box = chart.study_views()[0]
    target = chart.candles()[-25]
    view = chart.graphics_view
    point = view.mapFromScene(box.mapViewToScene(QPointF(target.time, 50.0)))
    wiggle = iter(range(1_000_000))

    def shown() -> bool:
        qtbot.mouseMove(view.viewport(), point + QPoint(0, next(wiggle) % 2))
        return f"C {target.close:.4f}" in chart.readout_text()

    qtbot.waitUntil(shown, timeout=3000)
    assert chart.crosshair_price() is None


# ---------------------------------------------------------------------- binding


def test_the_binding_draws_the_models_studies_and_follows_changes(chart: CandleChart) -> None:
    monitor = MonitorModel(max_candles=None)
    model: ChartModel = monitor.add_chart("BTC-USDT", "1min")
    model.series.apply(numpy_walk(300, t0=T0))
    binding = ChartBinding(chart, model, monitor)
    try:
        chart.flush()
        assert chart.indicators() is model.indicators and chart.studies() == ()
        model.set_studies(studies("ema:20", "rsi:14"))
        chart.flush()
        assert chart.studies() == model.studies and len(chart.study_views()) == 1
        assert "EMA 20 " in chart.readout_text()
        monitor.show(model, "ETH-USDT", "1min")  # the set is rebound to the new series
        model.series.apply(numpy_walk(100, seed=5, t0=T0))
        chart.flush()
        assert chart.indicators().columns is chart.store is model.series.candles
        assert "RSI 14 " in chart.readout_text()
    finally:
        binding.unbind()
    model.set_studies([])
    assert len(chart.study_views()) == 1  # no longer followed
