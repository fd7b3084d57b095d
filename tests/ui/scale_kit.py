"""What the price scale's chart tests share: candles rising exponentially (a straight line on a
log scale), a chart showing all of them (:func:`rising`), and where a view y is on screen.

A test module takes :func:`rising` by naming it (``rising = scale_kit.rising``).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF

from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart
from tests.helpers import T0, TF

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
def rising(chart: CandleChart) -> CandleChart:
    """All of the exponential candles in view."""
    chart.set_history(exponential_candles())
    chart.flush()
    chart.price_view.setXRange(T0 - 2 * TF, T0 + (N + 1) * TF, padding=0)
    chart.flush()
    return chart


def set_y(chart: CandleChart, y0: float, y1: float) -> None:
    chart.price_view.setYRange(y0, y1, padding=0)


def widget_point(chart: CandleChart, y: float) -> QPoint:
    """Where view y ``y`` is on the graphics view, half way across the price pane."""
    box = chart.price_view
    (x0, x1), _ = box.viewRange()
    return chart.graphics_view.mapFromScene(box.mapViewToScene(QPointF((x0 + x1) / 2, y)))


def pane_columns(chart: CandleChart) -> slice:
    rect = chart.graphics_view.mapFromScene(chart.price_view.sceneBoundingRect()).boundingRect()
    return slice(rect.left() + 2, rect.right() - 2)
