"""The chart's study panes, offscreen: oscillator panes come and go with their studies, RSI's
fixed and MACD's fitted y, their axes, every pane's x range, the binding to the model, and
what a dropped study leaves behind. The lines drawn: ``test_chart_indicators``."""

from __future__ import annotations

import gc
import weakref

import numpy as np
from PySide6.QtCore import QPoint, QPointF

from kucandle_gui.model import ChartModel, MonitorModel
from kucandle_gui.model.indicators import IndicatorSet
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart
from kucandle_gui.ui.chart.oscillator_panes import MIN_SPAN_OF_PRICE, RSI_RANGE
from kucandle_gui.ui.chart_binding import ChartBinding
from tests.helpers import T0, TF, numpy_walk
from tests.ui import study_kit
from tests.ui.study_kit import spec, studies, with_studies

chart = study_kit.chart


def x_ranges(chart: CandleChart) -> list[list[float]]:
    boxes = [chart.price_view, chart.volume_view, *chart.study_views()]
    return [box.viewRange()[0] for box in boxes]


def scene_top(box) -> float:
    return box.sceneBoundingRect().top()


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


# ---------------------------------------------------------------------- y ranges, axes


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


def test_oscillator_axes_are_labelled_at_default_heights(chart: CandleChart) -> None:
    with_studies(chart, "rsi:14", "macd:12:26:9")
    chart.grab()
    rsi = chart.study_view(spec("rsi:14"))
    rsi_axis = chart._studies.own_pane(spec("rsi:14")).axis
    macd_axis = chart._studies.own_pane(spec("macd:12:26:9")).axis
    assert rsi.height() < 120  # a short pane
    assert {"30", "70"} <= set(rsi_axis.tick_labels())  # at the guides
    assert len(macd_axis.tick_labels()) >= 2


def test_a_tall_rsi_pane_is_labelled_at_0_and_100_too(chart: CandleChart) -> None:
    with_studies(chart, "rsi:14")
    chart.resize(1000, 1400)
    chart.grab()
    axis = chart._studies.own_pane(spec("rsi:14")).axis
    assert axis.tick_labels() == ["0", "30", "70", "100"]


def test_a_flat_macd_is_not_float_noise_blown_up(chart: CandleChart) -> None:
    flat = [
        Candle(c.time, 100.0, 100.0, 100.0, 100.0, c.volume, c.turnover) for c in numpy_walk(300)
    ]
    chart.set_history(flat)
    chart.flush()
    indicators = with_studies(chart, "macd:12:26:9")
    chart.grab()
    y0, y1 = chart.study_view(spec("macd:12:26:9")).viewRange()[1]
    macd = np.concatenate(indicators.values(spec("macd:12:26:9")))
    assert np.nanmax(np.abs(macd)) < 1e-9  # flat, up to float noise
    assert y0 < 0.0 < y1
    assert y1 - y0 >= 100.0 * MIN_SPAN_OF_PRICE


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


# ---------------------------------------------------------------------- what is kept alive


def test_an_edited_study_leaves_no_buffer_behind(chart: CandleChart) -> None:
    indicators = with_studies(chart, "ema:20", "macd:12:26:9")
    chart.grab()
    chart.show_readout_at(float(chart.store.time[-10]))  # the readout reads the values too
    buffers = [
        weakref.ref(indicators.values(spec(text))[0].base) for text in ("ema:20", "macd:12:26:9")
    ]
    # Edited: ema:20 -> ema:21, macd:12:26:9 -> macd:5:30:9 (the set drops the calculators).
    indicators.set_specs(["ema:21", "macd:5:30:9"])
    chart.set_indicators(indicators, studies("ema:21", "macd:5:30:9"))
    chart.flush()
    chart.grab()
    chart.show_readout_at(float(chart.store.time[-10]))
    gc.collect()
    assert [ref() for ref in buffers] == [None, None]
    # Asked for a study it does not draw, the chart answers without keeping its arrays.
    assert chart._studies.values(spec("ema:21")) is not None
    hidden = weakref.ref(indicators.values(spec("ema:21"))[0].base)
    chart.set_indicators(indicators, studies("ema:21", "macd:5:30:9", hidden=("ema:21",)))
    chart._studies.values(spec("ema:21"))
    indicators.set_specs(["macd:5:30:9"])
    gc.collect()
    assert hidden() is None


def test_no_studies_keeps_no_set_alive(chart: CandleChart) -> None:
    indicators = with_studies(chart, "ema:20", "rsi:14")
    chart.grab()
    chart.show_readout_at(float(chart.store.time[-10]))
    gone = weakref.ref(indicators)
    chart.set_indicators(None)
    chart.flush()
    chart.grab()
    del indicators
    gc.collect()
    assert gone() is None
