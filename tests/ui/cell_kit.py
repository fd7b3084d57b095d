"""What the cell tests share: a monitor and a workspace built directly (no network), a grid of
their cells on screen, candles handed to the monitor as the feed would, the mouse moved over
a chart until it shows, and the pixels of a chart's column at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, QPointF

from kucandle_gui.model import (
    CellSpec,
    LayoutKind,
    MonitorModel,
    SeriesKey,
    Workspace,
    WorkspaceSpec,
)
from kucandle_gui.ui.cells import ChartGrid
from kucandle_gui.ui.chart import CandleChart
from tests.helpers import T0, numpy_walk
from tests.ui.chart_kit import WAIT_MS, count_color

PAIRS = ("BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT")


def workspace(
    layout: LayoutKind,
    pairs: Sequence[str] = PAIRS,
    timeframe: str | Sequence[str] = "1min",
    active: int = 0,
) -> tuple[Workspace, MonitorModel]:
    """A workspace of ``layout`` showing ``pairs`` (as many as it shows; the rest spare), on
    ``timeframe``, or on each cell's timeframe when given a list."""
    monitor = MonitorModel(max_candles=None)
    timeframes = [timeframe] * len(pairs) if isinstance(timeframe, str) else timeframe
    cells = tuple(
        CellSpec(SeriesKey.of(pair, tf)) for pair, tf in zip(pairs, timeframes, strict=True)
    )
    return Workspace(monitor, WorkspaceSpec(layout, cells, active)), monitor


def open_grid(
    qtbot, space: Workspace, monitor: MonitorModel, width: int = 1200, height: int = 800
) -> ChartGrid:
    """The grid of ``space`` on screen (offscreen); closed with the test."""
    grid = ChartGrid(space, monitor)
    qtbot.addWidget(grid)
    grid.resize(width, height)
    grid.show()
    qtbot.waitExposed(grid)
    return grid


def feed(monitor: MonitorModel, key: SeriesKey, count: int = 500, t0: int = T0) -> None:
    """``count`` candles of ``key`` from ``t0`` on, delivered as the feed would: the history,
    then ready."""
    monitor.apply(key.symbol, key.timeframe, numpy_walk(count, t0=t0, tf=key.seconds))
    monitor.history_loaded(key.symbol, key.timeframe)


def view_point(chart: CandleChart, time: float, price: float) -> QPoint:
    """Where (``time``, ``price``) is on the chart's viewport (linear scale)."""
    scene = chart.price_view.mapViewToScene(QPointF(time, price))
    return chart.graphics_view.mapFromScene(scene)


def hover_until(qtbot, chart: CandleChart, point: QPoint, done: Callable[[], bool]) -> None:
    """Move the mouse to ``point`` over ``chart`` until ``done()``.

    pyqtgraph drops mouse moves closer than 10 ms apart, and Qt sends none for a move to
    where the mouse already is: the mouse goes back and forth by a pixel until it is done.
    """
    viewport = chart.graphics_view.viewport()
    wiggle = iter(range(1_000_000))

    def moved() -> bool:
        qtbot.mouseMove(viewport, point + QPoint(0, next(wiggle) % 2))
        return done()

    qtbot.waitUntil(moved, timeout=WAIT_MS)


def column_pixels(chart: CandleChart, time: float, color: str) -> tuple[int, int]:
    """Pixels of ``color`` in a 3 px column at ``time``: (over the price pane, over the
    volume pane)."""
    chart.flush()
    image = chart.grab().toImage()
    view = chart.graphics_view
    x = int(view.mapFromScene(chart.price_view.mapViewToScene(QPointF(time, 0.0))).x())
    counts = []
    for box in (chart.price_view, chart.volume_view):
        rect = view.mapFromScene(box.sceneBoundingRect()).boundingRect()
        counts.append(count_color(image.copy(x - 1, rect.top(), 3, rect.height()), color))
    return counts[0], counts[1]
