"""What the chart tests share: a shown ``CandleChart``, its price pane's ranges, and the pixels
of a grab in a given colour. The fixtures over them (``chart``, ``loaded``) are in
``conftest.py``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from kucandle_gui.ui.chart import CandleChart
from tests.helpers import TF

WAIT_MS = 3000


def open_chart(qtbot, width: int = 1000, height: int = 600) -> CandleChart:
    """A chart of ``width`` x ``height`` pixels on screen (offscreen), showing BTC-USDT 1min
    without candles; closed with the test."""
    widget = CandleChart()
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_series("BTC-USDT", "1min", TF)
    return widget


def x_range(chart: CandleChart) -> tuple[float, float]:
    (x0, x1), _ = chart.price_view.viewRange()
    return x0, x1


def y_range(chart: CandleChart) -> tuple[float, float]:
    return tuple(chart.price_view.viewRange()[1])


def rgb_pixels(image: QImage) -> np.ndarray:
    """``(height, width)`` RGB values (``0xRRGGBB``) of ``image``."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    return arr.reshape(image.height(), image.width()) & 0xFFFFFF


def rgb(color: str) -> int:
    return QColor(color).rgb() & 0xFFFFFF


def count_color(image: QImage, color: str, step: int = 1) -> int:
    """Pixels of exactly ``color`` (RGB) in ``image`` (every ``step``-th row and column)."""
    return int(np.count_nonzero(rgb_pixels(image)[::step, ::step] == rgb(color)))


def mask(image: QImage, *colors: str) -> np.ndarray:
    """``(height, width)`` booleans: pixels of exactly one of ``colors``."""
    return np.isin(rgb_pixels(image), [rgb(c) for c in colors])
