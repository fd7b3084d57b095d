"""The chart's parts on a price scale, offscreen: candles, markers and their tags, alerts.

The parts are handed a ``PriceScale`` directly (the chart's wiring of its own scale is tested
with the widget); the price pane's y range is then set in view units, as the chart does with
``scale.view_range``. What is checked is what the screen shows: the pixels of the candles,
where lines and tags sit, and the prices that come back from a drag. The axis and the grid:
``test_chart_scale_axis``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from kucandle_gui.model.price_scale import PriceScale, ScaleMode, percent_text
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import DARK, AlertLine, CandleChart
from kucandle_gui.ui.chart.markers import Crosshair, LastPriceMarker, y_pixel
from kucandle_gui.ui.chart.readout import format_price, price_decimals
from tests.helpers import T0, TF
from tests.ui import scale_kit
from tests.ui.chart_kit import mask
from tests.ui.scale_kit import N, exponential_candles, pane_columns, set_y, widget_point

rising = scale_kit.rising


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
    # ... and the hovered candle's close is also said as the axis reads it.
    hovered = chart.store.candle(chart.store.index_of(chart._crosshair.time))
    change = percent_text((hovered.close / base - 1.0) * 100.0, 2)
    assert f"  {change} from the first visible close" in chart.readout_text().split("\n")[0]
    assert chart.scale.from_view(lines.line_item(1).value()) == pytest.approx(near)
    # Back to linear: prices again, on every tag.
    chart.set_scale_mode(ScaleMode.LINEAR)
    chart.flush()
    chart.grab()
    assert chart.last_price_label() == linear_tag
    assert not lines.tag_text(1).endswith("%") or lines.tag_text(1) == ""
    assert "from the first visible close" not in chart.readout_text()


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
