"""What the drawing tests share: a real ``CandleChart`` with its drawing layer and a book, and
real mouse and key events on its graphics view (:class:`Setup`). Waits are on conditions;
nothing sleeps.

A test module takes the usual fixture, :func:`setup`, by naming it (``setup =
drawing_kit.setup``), and makes others (another timeframe, other candles) with
:func:`open_setup`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from kucandle_gui.model.drawings import DrawingBook
from kucandle_gui.model.price_scale import PriceScale
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart
from kucandle_gui.ui.chart.drawings import DrawingLayer
from tests.helpers import T0, TF

WAIT_MS = 3000
SHIFT = Qt.KeyboardModifier.ShiftModifier
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


def candles(n: int = 60) -> list[Candle]:
    """Candles closing at 100; the first spans 90..110, so the y range is about that."""
    out = [Candle(T0, 100.0, 110.0, 90.0, 100.0, 1.0, 100.0)]
    out += [Candle(T0 + i * TF, 100.0, 100.5, 99.5, 100.0, 1.0, 100.0) for i in range(1, n)]
    return out


def at(i: int) -> int:
    """The start of candle ``i``."""
    return T0 + i * TF


@dataclass
class Setup:
    chart: CandleChart
    layer: DrawingLayer
    book: DrawingBook
    scale: PriceScale
    qtbot: object

    @property
    def viewport(self):
        return self.chart.graphics_view.viewport()

    @property
    def view(self):
        return self.chart.graphics_view

    def point(self, time: float, price: float) -> QPoint:
        """Where (``time``, ``price``) is on the graphics view's viewport."""
        scene = self.chart.price_view.mapViewToScene(QPointF(time, self.scale.to_view(price)))
        return self.view.mapFromScene(scene)

    def scene_point(self, time: float, price: float) -> QPointF:
        return self.chart.price_view.mapViewToScene(QPointF(time, self.scale.to_view(price)))

    def drawings(self) -> tuple:
        return self.book.drawings("BTC-USDT")

    def click(self, where: QPoint, button=LEFT, modifier=Qt.KeyboardModifier.NoModifier):
        self.move(where)  # hovering first, as a hand does
        self.qtbot.mouseClick(self.viewport, button, modifier, where)

    def move(self, where: QPoint) -> None:
        self.qtbot.mouseMove(self.viewport, where)

    def press(self, where: QPoint) -> None:
        self.move(where)
        self.qtbot.mousePress(self.viewport, LEFT, Qt.KeyboardModifier.NoModifier, where)

    def release(self, where: QPoint) -> None:
        self.move(where)
        self.qtbot.mouseRelease(self.viewport, LEFT, Qt.KeyboardModifier.NoModifier, where)

    def drag(self, start: QPoint, end: QPoint, modifier=Qt.KeyboardModifier.NoModifier):
        """Press at ``start``, move there through a middle point, release at ``end``."""
        self.move(start)
        self.qtbot.mousePress(self.viewport, LEFT, modifier, start)
        self.move((start + end) / 2)
        self.move(end)
        self.qtbot.mouseRelease(self.viewport, LEFT, modifier, end)

    def scene_line(self, drawing_id: int) -> tuple[QPointF, QPointF]:
        """A drawing's segment as drawn, in scene coordinates."""
        item = self.layer.drawn(drawing_id).line
        line = item.line()
        return item.mapToScene(line.p1()), item.mapToScene(line.p2())

    def show(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        """The price pane at times ``x`` and view ``y`` (y after x: a move in x fits y)."""
        box = self.chart.price_view
        box.setXRange(*x, padding=0)
        box.setYRange(*y, padding=0)
        QApplication.processEvents()

    def view_ends(self, drawing_id: int) -> tuple[tuple[float, float], ...]:
        """A trend line's end points as placed, back in view coordinates (time, scale's y)."""
        frame = self.layer.frame()
        return tuple(frame.from_px(*end) for end in self.layer.drawn(drawing_id).ends)


def open_setup(
    qtbot,
    monkeypatch,
    timeframe: str = "1min",
    tf: int = TF,
    history: Sequence[Candle] | None = None,
) -> Iterator[Setup]:
    """A shown chart of BTC-USDT ``timeframe`` candles (:func:`candles` by default) drawing
    an empty book; the book is let go at the end."""
    # pyqtgraph drops mouse moves closer than 10 ms apart: the tests move without waiting.
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    chart = CandleChart()
    qtbot.addWidget(chart)
    chart.resize(1000, 600)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_series("BTC-USDT", timeframe, tf)
    chart.set_history(list(candles() if history is None else history))
    chart.flush()
    layer = chart.drawings
    book = DrawingBook()
    layer.set_book(book)
    layer.set_pair("BTC-USDT", tf)
    QApplication.processEvents()
    yield Setup(chart, layer, book, layer.scale, qtbot)
    layer.set_book(None)


@pytest.fixture
def setup(qtbot, monkeypatch) -> Iterator[Setup]:
    """:func:`open_setup` with the defaults: 1-minute candles."""
    yield from open_setup(qtbot, monkeypatch)


def close(a: QPointF, b: QPointF, pixels: float = 1.5) -> bool:
    return abs(a.x() - b.x()) <= pixels and abs(a.y() - b.y()) <= pixels


def wheel_zoom(setup: Setup, where: QPoint) -> None:
    event = QWheelEvent(
        QPointF(where),
        QPointF(setup.viewport.mapToGlobal(where)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(setup.viewport, event)
