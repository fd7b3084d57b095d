"""The price pane's axis and grid on a price scale, offscreen: log and percent labels, the
grid at their ticks, and a chart back to linear drawing what a chart never scaled draws.

The axis is handed a ``PriceScale`` directly (the chart's wiring of its own scale is tested
with the widget); the price pane's y range is then set in view units, as the chart does with
``scale.view_range``. Candles, markers and alert lines on a scale: ``test_chart_scale``.
"""

from __future__ import annotations

import itertools
import math

import pytest
from PySide6.QtGui import QFontMetricsF, QImage

from kucandle_gui.model.price_scale import PriceScale, ScaleMode
from kucandle_gui.ui.chart import DARK, AlertLine, CandleChart
from kucandle_gui.ui.chart.axis_ticks import value_label, value_ticks
from tests.helpers import T0, TF, numpy_walk
from tests.ui import scale_kit
from tests.ui.chart_kit import mask
from tests.ui.scale_kit import pane_columns, set_y, widget_point

rising = scale_kit.rising


def grid_share(chart: CandleChart, image: QImage, y: float) -> float:
    """The share of the price pane's width in grid colour on the row of view y ``y``."""
    row = widget_point(chart, y).y()
    columns = pane_columns(chart)
    rows = mask(image, DARK.grid)[row - 1 : row + 2, columns]
    return float(rows.any(axis=0).mean())


# ---------------------------------------------------------------------- axis and grid


def test_log_axis_labels_nice_prices_and_the_grid_follows(rising: CandleChart, qtbot) -> None:
    chart = rising
    scale = PriceScale(ScaleMode.LOG)
    axis = chart.price_axis
    with qtbot.waitSignal(axis.ticksChanged):
        axis.set_scale(scale)
    set_y(chart, *scale.view_range(10.0, 1000.0))
    image = chart.grab().toImage()
    labels = axis.tick_labels()
    assert {"20", "50", "100", "200", "500"} <= set(labels)
    assert set(labels) <= {"10", "20", "50", "100", "200", "500", "1000"}
    # The grid's lines sit at the ticks, not where a linear axis would put them.
    for price in (20, 50, 100, 200, 500):
        assert grid_share(chart, image, math.log10(price)) > 0.6, price
    assert grid_share(chart, image, math.log10(300)) < 0.2
    # Back to linear over the same range: relabelled at once, without a range change.
    with qtbot.waitSignal(axis.ticksChanged):
        scale.set_mode(ScaleMode.LINEAR)
    chart.grab()
    _, values, decimals = value_ticks(1.0, 3.0, chart.price_view.height())
    shown = axis.tick_labels()
    assert shown and set(shown) <= {value_label(v, decimals) for v in values}


def test_log_axis_zoomed_in_still_labels_nice_prices(rising: CandleChart) -> None:
    chart = rising
    scale = PriceScale(ScaleMode.LOG)
    chart.price_axis.set_scale(scale)
    set_y(chart, *scale.view_range(101.3, 104.9))
    chart.grab()
    labels = chart.price_axis.tick_labels()
    assert len(labels) >= 5
    prices = [float(text) for text in labels]
    steps = {round(b - a, 9) for a, b in itertools.pairwise(prices)}
    assert len(steps) == 1 and steps.pop() in (0.5, 1.0)
    assert all(101.3 <= p <= 104.9 for p in prices)


def test_percent_axis_labels_follow_the_base(chart: CandleChart, qtbot) -> None:
    chart.set_history(numpy_walk(600))
    chart.flush()
    scale = PriceScale(ScaleMode.PERCENT, base=100.0)
    axis = chart.price_axis
    axis.set_scale(scale)
    set_y(chart, 95.0, 105.0)
    image = chart.grab().toImage()
    labels = axis.tick_labels()
    assert "0%" in labels and "+2%" in labels and "-2%" in labels  # whole steps: no decimals
    assert all(text.endswith("%") for text in labels)
    assert axis.percent_decimals() == 0
    assert grid_share(chart, image, 100.0) > 0.6
    # The base moves (the first visible candle's close): labels and grid follow, no range change.
    with qtbot.waitSignal(axis.ticksChanged):
        scale.set_base(102.5)
    image = chart.grab().toImage()
    assert "0%" in axis.tick_labels() and axis.tick_labels() != labels
    assert grid_share(chart, image, 102.5) > 0.6
    assert grid_share(chart, image, 100.0) < 0.2
    # Without a base the percent axis writes prices.
    scale.set_base(None)
    chart.grab()
    assert not any(text.endswith("%") for text in axis.tick_labels())
    assert axis.percent_decimals() is None
    # Zoomed in: the labels' decimals follow the step, and the axis says which they are.
    scale.set_base(100.0)
    for y0, y1, decimals in ((99.0, 101.0, 1), (99.9, 100.1, 2), (99.99, 100.01, 3)):
        set_y(chart, y0, y1)
        chart.grab()
        assert axis.percent_decimals() == decimals
        shown = axis.tick_labels()
        assert shown and all(len(t.rstrip("%").partition(".")[2]) == decimals for t in shown)


@pytest.mark.parametrize(
    ("base", "low", "high", "height"),
    [
        (10.0, 10.0, 1000.0, 600),  # +9900%, steps of 1000 %
        (100.0, 1.0, 1000.0, 600),  # -99% to +900%
        (1.0, 0.5, 1000.0, 400),  # a shorter pane: +99900%
        (0.1, 0.1, 1000.0, 600),  # ten thousandfold: +999900%
        (1000.0, 1.0, 1000.0, 600),  # all below the base: -99.9%
    ],
)
def test_coarse_percent_labels_fit_the_axis(
    rising: CandleChart, base: float, low: float, high: float, height: int
) -> None:
    chart = rising
    chart.resize(1000, height)
    scale = PriceScale(ScaleMode.PERCENT, base=base)
    axis = chart.price_axis
    axis.set_scale(scale)
    set_y(chart, low, high)
    chart.grab()
    shown = axis.tick_labels()
    assert len(shown) >= 2 and all(text.endswith("%") for text in shown)
    metrics = QFontMetricsF(axis.style["tickFont"] or chart.graphics_view.font())
    room = axis.width() - axis.style["tickLength"] - axis.style["tickTextOffset"][0]
    widest = max(shown, key=metrics.horizontalAdvance)
    assert metrics.horizontalAdvance(widest) <= room, widest
    assert axis.percent_decimals() == max(len(t.rstrip("%").partition(".")[2]) for t in shown)


def test_linear_after_log_and_percent_draws_what_a_chart_never_scaled_draws(qtbot) -> None:
    """Two charts, the same candles, lines and clock: one only ever linear, the other back to
    linear from log and percent. Their pixels match: no scale leaves anything behind (stale
    tags in percent, candle bounds or labels from log)."""
    charts = []
    for _ in range(2):
        widget = CandleChart()
        qtbot.addWidget(widget)
        widget.resize(1000, 600)
        widget.show()
        qtbot.waitExposed(widget)
        widget.countdown.clock = lambda: T0 + 599 * TF + 20.0
        widget.set_series("BTC-USDT", "1min", TF)
        widget.set_history(numpy_walk(600))
        widget.alert_lines.set_lines([AlertLine(1, 100.0, "a")])
        widget.flush()
        charts.append(widget)
    plain, travelled = charts
    reference = plain.grab().toImage()
    view = plain.price_view.viewRange()
    for mode in (ScaleMode.LOG, ScaleMode.PERCENT, ScaleMode.LINEAR):
        travelled.set_scale_mode(mode)
        travelled.flush()
        travelled.grab()
    assert travelled.scale.mode is ScaleMode.LINEAR
    for moved, kept in zip(travelled.price_view.viewRange(), view, strict=True):
        assert moved == pytest.approx(kept)
    assert travelled.price_axis.tick_labels() == plain.price_axis.tick_labels()
    assert travelled.last_price_label() == plain.last_price_label()
    assert travelled.grab().toImage() == reference
