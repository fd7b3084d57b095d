"""The chart's parts on a price scale, offscreen: axis labels, grid, candles, markers, alerts.

The parts are handed a ``PriceScale`` directly (the chart's wiring of its own scale is tested
with the widget); the price pane's y range is then set in view units, as the chart does with
``scale.view_range``. What is checked is what the screen shows: labels, pixels of the grid and
the candles, where lines and tags sit, and the prices that come back from a drag.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage
from PySide6.QtWidgets import QApplication

from kucandle_gui.model.price_scale import PriceScale, ScaleMode, percent_text
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import DARK, AlertLine, CandleChart
from kucandle_gui.ui.chart.axes import value_label, value_ticks
from kucandle_gui.ui.chart.markers import Crosshair, LastPriceMarker, y_pixel
from kucandle_gui.ui.chart.readout import format_price, price_decimals
from tests.helpers import T0, TF, numpy_walk

N = 300


def exponential_candles(n: int = N) -> list[Candle]:
    """Closes rising from 10 to 1000 at a constant rate: a straight line on a log scale."""
    close = 10.0 * 100.0 ** (np.arange(n) / (n - 1))
    open_ = np.r_[close[0], close[:-1]]
    return [
        Candle(T0 + i * TF, o, max(o, c) * 1.01, min(o, c) / 1.01, c, 1.0, c)
        for i, (o, c) in enumerate(zip(open_.tolist(), close.tolist(), strict=True))
    ]


@pytest.fixture
def chart(qtbot) -> CandleChart:
    widget = CandleChart()
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_series("BTC-USDT", "1min", TF)
    return widget


@pytest.fixture
def rising(chart: CandleChart) -> CandleChart:
    """All of the exponential candles in view."""
    chart.set_history(exponential_candles())
    chart.flush()
    chart.price_view.setXRange(T0 - 2 * TF, T0 + (N + 1) * TF, padding=0)
    chart.flush()
    return chart


def set_y(chart: CandleChart, y0: float, y1: float) -> None:
    chart.price_view.setYRange(y0, y1, padding=0)


def mask(image: QImage, *colors: str) -> np.ndarray:
    """``(height, width)`` booleans: pixels of exactly one of ``colors``."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    arr = arr.reshape(image.height(), image.width()) & 0xFFFFFF
    return np.isin(arr, [QColor(c).rgb() & 0xFFFFFF for c in colors])


def widget_point(chart: CandleChart, y: float) -> QPoint:
    """Where view y ``y`` is on the graphics view, half way across the price pane."""
    box = chart.price_view
    (x0, x1), _ = box.viewRange()
    return chart.graphics_view.mapFromScene(box.mapViewToScene(QPointF((x0 + x1) / 2, y)))


def pane_columns(chart: CandleChart) -> slice:
    rect = chart.graphics_view.mapFromScene(chart.price_view.sceneBoundingRect()).boundingRect()
    return slice(rect.left() + 2, rect.right() - 2)


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


# ---------------------------------------------------------------------- candles


def candle_rows(chart: CandleChart, image: QImage) -> tuple[int, int]:
    """First and last image row holding candle pixels in the price pane."""
    rect = chart.graphics_view.mapFromScene(chart.price_view.sceneBoundingRect()).boundingRect()
    inside = mask(image, DARK.up, DARK.down)[rect.top() : rect.bottom(), pane_columns(chart)]
    rows = np.flatnonzero(inside.any(axis=1)) + rect.top()
    assert len(rows), "no candle drawn"
    return int(rows[0]), int(rows[-1])


def test_candles_are_drawn_at_the_logarithm_of_their_prices(rising: CandleChart) -> None:
    chart = rising
    item = chart.candle_item
    candles = exponential_candles()
    low, high = min(c.low for c in candles), max(c.high for c in candles)
    scale = PriceScale(ScaleMode.LOG)
    item.set_scale(scale)
    bounds = item.boundingRect()
    assert bounds.top() <= math.log10(low) and bounds.bottom() >= math.log10(high)
    assert bounds.height() < 10  # decades, not prices
    set_y(chart, 0.9, 3.1)
    top, bottom = candle_rows(chart, chart.grab().toImage())
    assert top == pytest.approx(widget_point(chart, math.log10(high)).y(), abs=2)
    assert bottom == pytest.approx(widget_point(chart, math.log10(low)).y(), abs=2)
    # A straight line on this scale: the middle candle sits half way up, in pixels too.
    middle = candles[N // 2]
    rect = item.boundingRect()
    assert rect.contains(QPointF(middle.time, math.log10(middle.close)))
    # The live candle is converted per paint: a new high shows at its logarithm.
    last = candles[-1]
    chart.apply(Candle(last.time, last.open, 2000.0, last.low, 1500.0, 2.0, 1.0))
    chart.flush()
    set_y(chart, 0.9, 3.5)
    top, _ = candle_rows(chart, chart.grab().toImage())
    assert top == pytest.approx(widget_point(chart, math.log10(2000.0)).y(), abs=2)
    # Back to linear: the same view shows no candle (prices are far above 3.5)...
    scale.set_mode(ScaleMode.LINEAR)
    assert item.boundingRect().height() > 100
    image = chart.grab().toImage()
    assert not mask(image, DARK.up, DARK.down)[:, pane_columns(chart)].any()
    # ...and a price range does, rebuilt for it.
    set_y(chart, 0.0, 2100.0)
    top, _ = candle_rows(chart, chart.grab().toImage())
    assert top == pytest.approx(widget_point(chart, 2000.0).y(), abs=2)


# ---------------------------------------------------------------------- markers


def tag_y(chart: CandleChart, y: float) -> float:
    """Where a tag for view y ``y`` sits in the price axis' coordinates."""
    box = chart.price_view
    return chart.price_axis.mapFromItem(box, QPointF(0.0, y_pixel(box, y))).y()


def test_last_price_marker_on_a_log_scale(rising: CandleChart) -> None:
    chart = rising
    marker = LastPriceMarker(chart.price_view, chart.price_axis)
    scale = PriceScale(ScaleMode.LOG)
    marker.set_scale(scale)
    set_y(chart, 1.0, 3.0)
    marker.show(500.0, "500.00")
    tag = marker.tag_item()
    assert tag.isVisible() and tag.pos().y() == pytest.approx(tag_y(chart, math.log10(500)))
    set_y(chart, 400.0, 600.0)
    scale.set_mode(ScaleMode.LINEAR)  # the marker re-places itself for the new scale
    assert tag.pos().y() == pytest.approx(tag_y(chart, 500.0))
    assert marker.text() == "500.00"


def test_the_countdown_repaints_the_tag_alone(rising: CandleChart, qtbot) -> None:
    chart = rising
    marker = LastPriceMarker(chart.price_view, chart.price_axis)
    set_y(chart, 400.0, 600.0)
    marker.show(500.0, "500.00")
    tag = marker.tag_item()
    one_line = tag.boundingRect()
    marker.set_countdown("04:32")
    assert marker.countdown() == "04:32" and marker.text() == "500.00"
    two_lines = tag.boundingRect()
    assert two_lines.top() == one_line.top() and two_lines.height() > 1.5 * one_line.height()
    chart.grab()
    QApplication.processEvents()  # what is still to repaint from the steps above
    scene = chart.graphics_view.scene()
    area = tag.sceneBoundingRect().adjusted(-2, -2, 2, 2)
    with qtbot.waitSignal(scene.changed) as blocker:
        marker.set_countdown("04:31")
    regions: list[QRectF] = blocker.args[0]
    assert regions and all(area.contains(r) for r in regions)
    marker.set_countdown(None)
    assert marker.countdown() is None and tag.boundingRect() == one_line


def test_crosshair_tag_writes_the_scale(rising: CandleChart) -> None:
    chart = rising
    crosshair = Crosshair(chart.price_view, chart.volume_view, chart.price_axis)
    scale = PriceScale(ScaleMode.LOG)
    crosshair.set_scale(scale)
    set_y(chart, 1.0, 3.0)
    y = math.log10(200.0)
    crosshair.show(T0 + 100 * TF, scale.from_view(y))  # the pointer's y, read back
    assert crosshair.price() == pytest.approx(200.0)
    assert crosshair.tag_text() == "200.00"
    tag_pos = chart.price_axis.childItems()
    assert any(item.pos().y() == pytest.approx(tag_y(chart, y)) for item in tag_pos)
    set_y(chart, 50.0, 300.0)
    scale.set_base(100.0)
    scale.set_mode(ScaleMode.PERCENT)
    assert crosshair.tag_text() == "+100.00%"
    scale.set_base(200.0)
    assert crosshair.tag_text() == "0.00%"
    crosshair.set_decimals(1)
    scale.set_mode(ScaleMode.LINEAR)
    assert crosshair.tag_text() == "200.0"
    crosshair.hide()
    assert crosshair.price() is None and crosshair.tag_text() == ""


def test_tags_in_percent_read_like_the_axis(rising: CandleChart, qtbot, monkeypatch) -> None:
    """In percent the crosshair's, the last price's and the alert lines' tags write the
    change from the base with two decimals or the axis' finer ones (the axis' alone from
    ±1000% on, to fit), also after a zoom changes them; the readout and what the lines
    report keep prices."""
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    chart = rising
    last = chart.last_price()
    lines = chart.alert_lines
    lines.set_lines([AlertLine(1, 500.0, "a")])
    linear_tag = chart.last_price_label()
    decimals = price_decimals(last)
    assert linear_tag == format_price(last, decimals)
    chart.set_scale_mode(ScaleMode.PERCENT)
    chart.flush()
    chart.grab()
    scale, axis = chart.scale, chart.price_axis
    base = scale.base
    assert base == chart.visible_candles()[0].close

    def expected(price: float) -> str:
        """At least two decimals (the axis' when finer), the axis' only from ±1000% on."""
        change = (price / base - 1.0) * 100.0
        decimals = axis.percent_decimals()
        return percent_text(change, decimals if abs(change) >= 1000 else max(decimals, 2))

    def hover(price: float) -> str:
        viewport = chart.graphics_view.viewport()
        qtbot.mouseMove(viewport, widget_point(chart, price) + QPoint(0, 1))
        qtbot.mouseMove(viewport, widget_point(chart, price))
        assert chart.crosshair_price() == pytest.approx(price, rel=1e-3)
        return chart._crosshair.tag_text()

    # The fitted view spans thousands of percent: whole steps, whole-percent tags.
    assert axis.percent_decimals() == 0
    assert chart.last_price_label() == expected(last) and "." not in chart.last_price_label()
    assert lines.tag_text(1) == expected(500.0)
    assert hover(400.0) == expected(chart.crosshair_price())
    # Zoomed in around the last price: finer steps, and every tag follows the axis at once.
    near = last * 1.000005
    set_y(chart, last * 0.99999, last * 1.00001)
    lines.set_lines([AlertLine(1, near, "a")])
    chart.grab()
    decimals = axis.percent_decimals()
    assert decimals is not None and decimals >= 2
    assert all(len(t.rstrip("%").partition(".")[2]) == decimals for t in axis.tick_labels())
    for text in (chart.last_price_label(), lines.tag_text(1)):
        assert text.endswith("%") and len(text.rstrip("%").partition(".")[2]) == decimals
    assert chart.last_price_label() == expected(last)
    assert lines.tag_text(1) == expected(near)
    assert hover(last * 0.999995) == expected(chart.crosshair_price())
    # The readout and the lines' prices stay prices.
    prices = [p[2:] for p in chart.readout_text().split("  ") if p[:2] in ("O ", "H ", "L ", "C ")]
    assert len(prices) == 4 and all(float(p) > 0 for p in prices)  # prices, no "%"
    assert lines.line_price(1) == pytest.approx(near)
    # Back to linear: prices again, on every tag.
    chart.set_scale_mode(ScaleMode.LINEAR)
    chart.flush()
    chart.grab()
    assert chart.last_price_label() == linear_tag
    assert not lines.tag_text(1).endswith("%") or lines.tag_text(1) == ""


# ---------------------------------------------------------------------- alert lines


def test_alert_lines_sit_at_their_prices_and_a_drag_gives_a_price(
    rising: CandleChart, qtbot, monkeypatch
) -> None:
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    chart = rising
    lines = chart.alert_lines
    scale = PriceScale(ScaleMode.LOG)
    lines.set_scale(scale)
    set_y(chart, 1.0, 3.0)
    lines.set_lines([AlertLine(1, 100.0, "a"), AlertLine(2, 500.0, "b")])
    assert lines.line_item(1).value() == pytest.approx(2.0)
    assert lines.line_item(2).value() == pytest.approx(math.log10(500))
    assert float(lines.tag_text(2).replace(",", "")) == pytest.approx(500.0)
    assert lines.line_near(490.0) == 2  # about 2 px away on this scale
    assert lines.line_near(400.0) is None  # about 20 px
    # Dragged by the mouse from 500 to 200: the owner hears the price, not log10 of it.
    viewport = chart.graphics_view.viewport()
    start, end = widget_point(chart, math.log10(500)), widget_point(chart, math.log10(200))
    qtbot.mouseMove(viewport, start + QPoint(0, 30))
    qtbot.mouseMove(viewport, start)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + end) / 2)
    qtbot.mouseMove(viewport, end)
    with qtbot.waitSignal(lines.lineMoved) as blocker:
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    key, price = blocker.args
    assert key == 2 and price == pytest.approx(200.0, rel=0.02)
    assert lines.line_item(2).value() == pytest.approx(math.log10(500))  # not moved by owner
    # A let-go without a move says nothing, although 10**log10(p) may differ from p.
    moved: list[tuple[int, float]] = []
    lines.lineMoved.connect(lambda k, p: moved.append((k, p)))
    line = lines.line_item(1)
    line.sigPositionChangeFinished.emit(line)
    assert moved == []
    # Another scale: the lines go to their prices on it.
    scale.set_mode(ScaleMode.LINEAR)
    assert lines.line_item(1).value() == 100.0 and lines.line_item(2).value() == 500.0
    assert lines.line_price(2) == 500.0
