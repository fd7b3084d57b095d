"""Linked crosshairs: the chart's side (the crosshair's time said, a linked time drawn) and the
link between the cells of a grid, driven by real mouse moves."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF

from kucandle_gui.model import LayoutKind, Workspace
from kucandle_gui.ui.cells import ChartGrid, CrosshairLink
from kucandle_gui.ui.chart import DARK, CandleChart
from tests.helpers import T0
from tests.ui import study_kit
from tests.ui.cell_kit import (
    PAIRS,
    column_pixels,
    feed,
    hover_until,
    open_grid,
    view_point,
    workspace,
)
from tests.ui.chart_kit import count_color
from tests.ui.study_kit import with_studies

chart = study_kit.chart

# ---------------------------------------------------------------------- the chart's side


def test_the_chart_says_its_crosshair_time_once_per_candle_and_nan_when_it_goes(
    chart: CandleChart,
) -> None:
    said: list[float] = []
    chart.crosshairMoved.connect(said.append)
    store = chart.store
    chart.show_readout_at(float(store.time[-20]))
    chart.show_readout_at(float(store.time[-20]) + 10)  # the same candle: nothing new
    chart.show_readout_at(float(store.time[-19]))
    assert said == [float(store.time[-20]), float(store.time[-19])]
    chart._hide_crosshair()  # what the mouse leaving the panes does
    chart._hide_crosshair()
    assert len(said) == 3 and math.isnan(said[-1])


def test_a_linked_time_is_a_vertical_line_through_every_pane_alone(
    chart: CandleChart,
) -> None:
    with_studies(chart, "rsi:14")
    time = float(chart.store.time[-30])
    readout = chart.readout_text()
    assert column_pixels(chart, time, DARK.crosshair) == (0, 0)
    guides = _study_column(chart, time)  # the RSI guides share the crosshair's colour
    chart.show_linked_time(time)
    assert chart.linked_time() == time
    price, volume = column_pixels(chart, time, DARK.crosshair)
    assert price > 20 and volume > 5
    assert _study_column(chart, time) > guides + 10
    # No price: no horizontal line, no tag; the readout stays on the newest candle.
    assert chart.crosshair_price() is None and chart.readout_text() == readout
    chart.show_linked_time(None)
    assert chart.linked_time() is None
    assert column_pixels(chart, time, DARK.crosshair) == (0, 0)
    assert _study_column(chart, time) == guides
    # Placed again when the view moves: still at that time.
    chart.show_linked_time(time)
    chart.price_view.translateBy(x=-10 * 60)
    assert column_pixels(chart, time, DARK.crosshair)[0] > 20


def test_the_linked_line_stays_while_the_charts_own_crosshair_comes_and_goes(
    chart: CandleChart,
) -> None:
    time = float(chart.store.time[-30])
    chart.show_linked_time(time)
    chart.show_readout_at(float(chart.store.time[-10]))
    chart._hide_crosshair()
    assert chart.linked_time() == time
    assert column_pixels(chart, time, DARK.crosshair)[0] > 20


def _study_column(chart: CandleChart, time: float) -> int:
    """Crosshair-coloured pixels in a 3 px column at ``time`` over the (first) study pane."""
    chart.flush()
    image = chart.grab().toImage()
    view = chart.graphics_view
    box = chart.study_views()[0]
    x = int(view.mapFromScene(box.mapViewToScene(QPointF(time, 50.0))).x())
    rect = view.mapFromScene(box.sceneBoundingRect()).boundingRect()
    return count_color(image.copy(x - 1, rect.top(), 3, rect.height()), DARK.crosshair)


# ---------------------------------------------------------------------- the link


@pytest.fixture
def cells(qtbot) -> tuple[ChartGrid, Workspace]:
    """Two cells side by side, BTC-USDT and ETH-USDT 1min over the same times."""
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE)
    for model in space.cells:
        feed(monitor, model.key)
    grid = open_grid(qtbot, space, monitor)
    for cell in grid.cells:
        cell.chart.flush()
    return grid, space


@pytest.fixture
def grid(cells: tuple[ChartGrid, Workspace]) -> ChartGrid:
    return cells[0]


def _hover(qtbot, grid: ChartGrid, index: int, back: int) -> float:
    """The mouse over the ``back``-th newest candle of cell ``index``; its time."""
    chart = grid.cells[index].chart
    candle = chart.candles()[-back]
    point = view_point(chart, candle.time, (candle.low + candle.high) / 2)
    shown = f"C {candle.close:.4f}"
    hover_until(
        qtbot,
        chart,
        point,
        lambda: shown in chart.readout_text() and chart.crosshair_price() is not None,
    )
    return float(candle.time)


def _leave(qtbot, grid: ChartGrid, index: int) -> None:
    """The mouse off the panes of cell ``index`` (over its price axis)."""
    chart = grid.cells[index].chart
    view = chart.graphics_view
    hover_until(qtbot, chart, QPoint(view.width() - 5, 5), lambda: chart.crosshair_price() is None)


def test_moving_over_one_cell_shows_its_time_in_the_other(grid: ChartGrid, qtbot) -> None:
    link = CrosshairLink(grid)
    link.set_enabled(True)
    source, other = (cell.chart for cell in grid.cells)
    time = _hover(qtbot, grid, 0, 30)
    assert other.linked_time() == time and source.linked_time() is None
    price, volume = column_pixels(other, time, DARK.crosshair)
    assert price > 20 and volume > 5
    # The other cell has no crosshair of its own: no price, its readout on its newest candle.
    assert other.crosshair_price() is None
    # Along with the mouse.
    later = _hover(qtbot, grid, 0, 10)
    assert other.linked_time() == later
    assert column_pixels(other, time, DARK.crosshair) == (0, 0)
    _leave(qtbot, grid, 0)
    assert other.linked_time() is None
    assert column_pixels(other, later, DARK.crosshair) == (0, 0)


def test_the_mouse_in_the_other_cell_makes_it_the_source(grid: ChartGrid, qtbot) -> None:
    link = CrosshairLink(grid)
    link.set_enabled(True)
    first, second = (cell.chart for cell in grid.cells)
    _hover(qtbot, grid, 0, 30)
    time = _hover(qtbot, grid, 1, 20)
    assert first.linked_time() == time and second.linked_time() is None


def test_off_by_default_and_turned_off_hides_the_lines(grid: ChartGrid, qtbot) -> None:
    link = CrosshairLink(grid)
    other = grid.cells[1].chart
    assert not link.is_enabled()
    _hover(qtbot, grid, 0, 30)
    assert other.linked_time() is None
    link.set_enabled(True)
    time = _hover(qtbot, grid, 0, 25)
    assert other.linked_time() == time
    link.set_enabled(False)
    assert other.linked_time() is None
    _hover(qtbot, grid, 0, 20)
    assert other.linked_time() is None


def test_cells_added_later_are_linked(cells: tuple[ChartGrid, Workspace], qtbot) -> None:
    grid, space = cells
    link = CrosshairLink(grid)
    link.set_enabled(True)
    space.set_layout(LayoutKind.THREE)
    added = grid.cells[2].chart
    time = _hover(qtbot, grid, 0, 30)
    assert added.linked_time() == time
    assert grid.cells[1].chart.linked_time() == time


def test_another_timeframe_shows_the_line_on_its_candle_containing_that_instant(qtbot) -> None:
    """1min beside 1hour: a minute's time marks the hour holding it (a line at 14:37 on the
    hourly chart would sit nearer the 15:00 candle), and an hour's marks its first minute."""
    space, monitor = workspace(LayoutKind.SIDE_BY_SIDE, PAIRS[:2], ["1min", "1hour"])
    minutes, hours = space.cells
    feed(monitor, minutes.key, count=300)
    feed(monitor, hours.key, count=8, t0=T0 - T0 % 3600)  # those five hours, and a few more
    grid = open_grid(qtbot, space, monitor)
    link = CrosshairLink(grid)
    link.set_enabled(True)
    minute_chart, hour_chart = (cell.chart for cell in grid.cells)
    for cell in grid.cells:
        cell.chart.flush()
    time = _hover(qtbot, grid, 0, 23)
    assert time % 3600 != 0
    hour = time - time % 3600
    assert hour_chart.linked_time() == hour
    assert column_pixels(hour_chart, hour, DARK.crosshair)[0] > 20
    assert column_pixels(hour_chart, time, DARK.crosshair) == (0, 0)
    _leave(qtbot, grid, 0)
    assert hour_chart.linked_time() is None
    start = _hover(qtbot, grid, 1, 3)
    assert minute_chart.linked_time() == start


def test_the_lines_go_with_the_source_cell_removed(
    cells: tuple[ChartGrid, Workspace], qtbot
) -> None:
    grid, space = cells
    link = CrosshairLink(grid)
    link.set_enabled(True)
    kept = grid.cells[0].chart
    time = _hover(qtbot, grid, 1, 30)
    assert kept.linked_time() == time
    space.set_layout(LayoutKind.SINGLE)  # Ctrl+Shift+1 with the mouse over the second cell
    assert kept.linked_time() is None
    assert column_pixels(kept, time, DARK.crosshair) == (0, 0)
