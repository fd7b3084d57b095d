"""Drawings on a real ``CandleChart``: placed, selected, dragged and deleted with real mouse
and key events on the graphics view; the book (the model) is what is checked, and the items
are checked where they are on screen. Waits are on conditions; nothing sleeps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QMenu

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.drawings import DrawingBook, HorizontalLine, TrendLine
from kucandle_gui.model.price_scale import PriceScale, ScaleMode
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import AlertLine, CandleChart
from kucandle_gui.ui.chart.drawings import DrawingLayer, Tool
from kucandle_gui.ui.chart.drawings.geometry import (
    Frame,
    candle_seconds,
    candles_between,
    clipped,
    extended_right,
    pick,
    snap_time,
)
from kucandle_gui.ui.chart.drawings.items import Drawn
from kucandle_gui.ui.chart.drawings.measure import measure_text, span_text
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


@pytest.fixture
def setup(qtbot, monkeypatch):
    # pyqtgraph drops mouse moves closer than 10 ms apart: the tests move without waiting.
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    chart = CandleChart()
    qtbot.addWidget(chart)
    chart.resize(1000, 600)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_series("BTC-USDT", "1min", TF)
    chart.set_history(candles())
    chart.flush()
    layer = getattr(chart, "drawings", None)
    if layer is None:  # a chart without its layer yet: one of the test's own
        layer = DrawingLayer(chart, getattr(chart, "scale", None) or PriceScale())
    book = DrawingBook()
    layer.set_book(book)
    layer.set_pair("BTC-USDT", TF)
    QApplication.processEvents()
    yield Setup(chart, layer, book, layer.scale, qtbot)
    layer.set_book(None)


def close(a: QPointF, b: QPointF, pixels: float = 1.5) -> bool:
    return abs(a.x() - b.x()) <= pixels and abs(a.y() - b.y()) <= pixels


# ---------------------------------------------------------------------- placing


def test_a_click_with_the_hline_tool_places_a_horizontal_line(setup: Setup, qtbot) -> None:
    tools: list[object] = []
    setup.layer.toolChanged.connect(tools.append)
    setup.layer.set_tool(Tool.HLINE)
    assert setup.layer.tool() is Tool.HLINE
    setup.click(setup.point(at(30), 104))
    (line,) = setup.drawings()
    assert isinstance(line, HorizontalLine)
    assert line.price == pytest.approx(104, abs=0.1)
    assert tools == [Tool.HLINE, None]  # one drawing per activation
    assert setup.layer.selected() == line.id
    drawn = setup.layer.drawn(line.id)
    p1, p2 = setup.scene_line(line.id)
    assert p1.y() == pytest.approx(setup.scene_point(at(30), line.price).y(), abs=1)
    assert p2.x() - p1.x() >= setup.chart.price_view.width()  # across the pane
    assert drawn.tag.text() == f"{line.price:.4f}"
    # The next click is an ordinary one: nothing more placed.
    setup.click(setup.point(at(20), 96))
    assert len(setup.drawings()) == 1


def test_press_drag_release_places_a_trend_line_snapped_to_candles(setup: Setup) -> None:
    setup.layer.set_tool(Tool.TREND)
    start = setup.point(at(10), 95)
    end = setup.point(at(40) + 0.3 * TF, 105)  # inside candle 40: snapped to its start
    setup.drag(start, end)
    (line,) = setup.drawings()
    assert isinstance(line, TrendLine)
    assert (line.t1, line.t2) == (at(10), at(40))
    assert line.p1 == pytest.approx(95, abs=0.1) and line.p2 == pytest.approx(105, abs=0.1)
    assert not line.extend_right
    assert setup.layer.tool() is None
    p1, p2 = setup.scene_line(line.id)
    assert close(p1, setup.scene_point(line.t1, line.p1))
    assert close(p2, setup.scene_point(line.t2, line.p2))


def test_two_clicks_place_a_trend_line(setup: Setup) -> None:
    layer = setup.layer
    layer.set_tool(Tool.TREND)
    setup.click(setup.point(at(5), 92))
    assert setup.drawings() == ()  # waiting for the second point, the preview follows
    setup.move(setup.point(at(20), 100))
    preview = layer._preview.line
    assert preview.isVisible() and preview.line() is not None
    setup.click(setup.point(at(5), 97))  # the same candle: still waiting
    assert setup.drawings() == ()
    setup.click(setup.point(at(25), 108))
    (line,) = setup.drawings()
    assert (line.t1, line.t2) == (at(5), at(25))
    assert line.p1 == pytest.approx(92, abs=0.1) and line.p2 == pytest.approx(108, abs=0.1)
    assert layer.tool() is None and not preview.isVisible()


def test_escape_and_right_click_disarm_a_tool(setup: Setup, qtbot) -> None:
    layer = setup.layer
    layer.set_tool(Tool.HLINE)
    qtbot.keyClick(setup.view, Qt.Key.Key_Escape)
    assert layer.tool() is None
    layer.set_tool(Tool.TREND)
    setup.click(setup.point(at(5), 92))  # the first point down
    qtbot.keyClick(setup.view, Qt.Key.Key_Escape)
    assert layer.tool() is None and not layer._preview.line.isVisible()
    setup.click(setup.point(at(25), 108))
    layer.set_tool(Tool.TREND)
    with qtbot.assertNotEmitted(setup.chart.priceMenuRequested):
        setup.click(setup.point(at(25), 108), RIGHT)
    assert layer.tool() is None
    assert setup.drawings() == ()


# ---------------------------------------------------------------------- select, drag, delete


def test_click_selects_and_delete_removes(setup: Setup, qtbot) -> None:
    layer, book = setup.layer, setup.book
    h = book.add("BTC-USDT", HorizontalLine(105.0))
    t = book.add("BTC-USDT", TrendLine(at(10), 94.0, at(50), 98.0))
    qtbot.keyClick(setup.view, Qt.Key.Key_Delete)  # nothing selected: nothing removed
    assert len(setup.drawings()) == 2
    setup.click(setup.point(at(30), 105.0))
    assert layer.selected() == h.id
    assert layer.drawn(h.id).line._pen.width() == 2  # highlighted
    setup.click(setup.point(at(30), 96.0))  # on the trend line's middle
    assert layer.selected() == t.id
    assert len(layer.drawn(t.id).line.handles()) == 2  # its end points' handles
    setup.click(setup.point(at(30), 101.0))
    assert layer.selected() is None  # a click away lets go
    setup.click(setup.point(at(30), 96.0))
    qtbot.keyClick(setup.view, Qt.Key.Key_Delete)
    assert setup.drawings() == (h,)
    assert layer.drawn(t.id) is None and layer.selected() is None
    setup.click(setup.point(at(30), 105.0))
    qtbot.keyClick(setup.view, Qt.Key.Key_Backspace)
    assert setup.drawings() == ()


def test_dragging_a_horizontal_line_moves_it_when_let_go(setup: Setup, qtbot) -> None:
    h = setup.book.add("BTC-USDT", HorizontalLine(105.0))
    start, end = setup.point(at(30), 105.0), setup.point(at(35), 95.0)
    setup.move(start)
    qtbot.mousePress(setup.viewport, LEFT, pos=start)
    setup.move(setup.point(at(32), 100.0))
    assert setup.book.get(h.id).price == 105.0  # the book moves only when let go
    p1, _ = setup.scene_line(h.id)
    assert p1.y() == pytest.approx(setup.scene_point(0, 100.0).y(), abs=1.5)  # drawn there
    setup.move(end)
    qtbot.mouseRelease(setup.viewport, LEFT, pos=end)
    assert setup.book.get(h.id).price == pytest.approx(95.0, abs=0.1)
    assert setup.layer.selected() == h.id


def test_dragging_a_trend_line_whole_and_by_an_end_point(setup: Setup) -> None:
    t = setup.book.add("BTC-USDT", TrendLine(at(10), 94.0, at(30), 98.0))
    # Whole: grabbed in the middle, moved 5 candles right and 4 up.
    setup.drag(setup.point(at(20), 96.0), setup.point(at(25), 100.0))
    moved = setup.book.get(t.id)
    assert (moved.t1, moved.t2) == (at(15), at(35))
    assert moved.p1 == pytest.approx(98.0, abs=0.1)
    assert moved.p2 - moved.p1 == pytest.approx(4.0, abs=1e-9)
    # By its right end point: only that point moves, to the candle under the mouse.
    setup.drag(setup.point(at(35), moved.p2), setup.point(at(45) + 10, 92.0))
    end = setup.book.get(t.id)
    assert (end.t1, end.p1) == (moved.t1, moved.p1)
    assert end.t2 == at(45) and end.p2 == pytest.approx(92.0, abs=0.1)


def test_a_drag_away_from_drawings_still_pans(setup: Setup) -> None:
    setup.book.add("BTC-USDT", HorizontalLine(105.0))
    box = setup.chart.price_view
    before = box.viewRange()[0]
    setup.drag(setup.point(at(40), 98.0), setup.point(at(20), 98.0))
    assert box.viewRange()[0][0] > before[0] + 10 * TF  # dragged left: the view went right
    assert setup.book.get(1).price == 105.0


def test_the_menu_of_a_drawing(setup: Setup, qtbot) -> None:
    layer = setup.layer
    t = setup.book.add("BTC-USDT", TrendLine(at(10), 94.0, at(30), 98.0))
    h = setup.book.add("BTC-USDT", HorizontalLine(105.0))
    # A real right click on the line: its menu, not the chart's price menu.
    with qtbot.assertNotEmitted(setup.chart.priceMenuRequested):
        setup.click(setup.point(at(20), 96.0), RIGHT)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=WAIT_MS)
    menu = QApplication.activePopupWidget()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Delete drawing", "Extend right", "Delete all drawings on this pair"]
    assert layer.selected() == t.id
    menu.close()

    extend = next(a for a in layer.context_menu(t.id).actions() if a.text() == "Extend right")
    assert not extend.isChecked()
    extend.trigger()
    assert setup.book.get(t.id).extend_right
    _, p2 = setup.scene_line(t.id)
    box = setup.chart.price_view.sceneBoundingRect()
    assert p2.x() >= box.right()  # on to the right edge, on the same screen line
    a, b = setup.scene_point(t.t1, t.p1), setup.scene_point(t.t2, t.p2)
    slope = (b.y() - a.y()) / (b.x() - a.x())
    assert p2.y() == pytest.approx(a.y() + slope * (p2.x() - a.x()), abs=1)
    unextend = next(a for a in layer.context_menu(t.id).actions() if a.text() == "Extend right")
    assert unextend.isChecked()

    h_menu = [a.text() for a in layer.context_menu(h.id).actions() if not a.isSeparator()]
    assert h_menu == ["Delete drawing", "Delete all drawings on this pair"]
    layer.context_menu(h.id).actions()[0].trigger()
    assert setup.drawings() == (setup.book.get(t.id),)
    setup.book.add("BTC-USDT", HorizontalLine(103.0))
    setup.book.add("ETH-USDT", HorizontalLine(3000.0))
    delete_all = layer.context_menu(t.id).actions()[-1]
    assert delete_all.text() == "Delete all drawings on this pair"
    delete_all.trigger()
    assert setup.drawings() == () and len(setup.book) == 1  # ETH-USDT's stays
    assert layer.drawings() == ()


def test_right_click_away_from_drawings_is_the_charts(setup: Setup, qtbot) -> None:
    setup.book.add("BTC-USDT", HorizontalLine(105.0))
    with qtbot.waitSignal(setup.chart.priceMenuRequested, timeout=WAIT_MS) as signal:
        setup.click(setup.point(at(30), 97.0), RIGHT)
    assert signal.args[1] == pytest.approx(97.0, abs=0.1)
    assert setup.layer.selected() is None


def test_alert_lines_come_first(setup: Setup, qtbot) -> None:
    """A drawing at an alert's price: the click and the drag are the alert line's."""
    lines = setup.chart.alert_lines
    lines.set_lines([AlertLine(7, 104.0, "BTC-USDT rises to 104")])
    h = setup.book.add("BTC-USDT", HorizontalLine(104.0))
    setup.layer.select(h.id)
    assert lines.selected() is None
    setup.click(setup.point(at(30), 104.0))
    assert lines.selected() == 7
    assert setup.layer.selected() is None
    moved: list[tuple[int, float]] = []
    lines.lineMoved.connect(lambda key, price: moved.append((key, price)))
    setup.drag(setup.point(at(30), 104.0), setup.point(at(30), 102.0))
    assert moved and moved[0][0] == 7
    assert setup.book.get(h.id).price == 104.0
    # Selecting a drawing lets go of the alert line: Delete removes one thing.
    setup.layer.select(h.id)
    assert lines.selected() is None


# ---------------------------------------------------------------------- measure


def test_shift_drag_measures(setup: Setup, qtbot) -> None:
    layer = setup.layer
    start, end = setup.point(at(10), 95.0), setup.point(at(47), 97.0)
    setup.drag(start, end, SHIFT)
    text = layer.measure_text()
    change = float(text.split(" ")[0])
    assert change == pytest.approx(2.0, abs=0.1)
    assert text == measure_text(layer.measure.start[1], layer.measure.end[1], 37, 37 * TF, 4)
    assert text.endswith(" · 37 candles · 37m")
    assert text.startswith("+") and f"(+{change / layer.measure.start[1] * 100:.2f}%)" in text
    box, label = layer.measure.box_rect(), layer.measure.label_rect()
    assert box.width() > 100 and box.height() > 10
    beside = label.left() >= box.right() or label.right() <= box.left()
    assert beside and box.top() <= label.center().y() <= box.bottom() + 1
    assert setup.drawings() == ()  # nothing drawn, nothing kept
    assert setup.chart.price_view.viewRange()[0][0] < at(10)  # no pan
    setup.click(setup.point(at(30), 101.0))  # the next click: gone
    assert layer.measure_text() == ""
    setup.drag(setup.point(at(40), 105.0), setup.point(at(20), 95.0), SHIFT)
    assert layer.measure_text().startswith("-")
    qtbot.keyClick(setup.view, Qt.Key.Key_Escape)
    assert layer.measure_text() == ""


def test_measure_texts() -> None:
    assert measure_text(60_000.0, 61_234.5, 37, 37 * 60, 2) == (
        "+1,234.50 (+2.06%) · 37 candles · 37m"
    )
    assert measure_text(100.0, 95.0, 1, 86400 + 4 * 3600, 4) == (
        "-5.0000 (-5.00%) · 1 candle · 1d 4h"
    )
    assert [span_text(s) for s in (0, 45, 60, 3600, 3900, 86400 * 12, 86400 + 60)] == [
        "0s",
        "45s",
        "1m",
        "1h",
        "1h 5m",
        "12d",
        "1d",
    ]


# ---------------------------------------------------------------------- anchored in data


def test_zoom_and_pan_keep_drawings_on_their_data(setup: Setup, qtbot) -> None:
    # Inside the candles' range: on screen whatever y range the chart fits.
    t = setup.book.add("BTC-USDT", TrendLine(at(10), 99.6, at(30), 100.4))
    h = setup.book.add("BTC-USDT", HorizontalLine(100.2))

    def in_place() -> bool:
        p1, p2 = setup.scene_line(t.id)
        (hy, _) = setup.scene_line(h.id)
        return (
            close(p1, setup.scene_point(t.t1, t.p1))
            and close(p2, setup.scene_point(t.t2, t.p2))
            and abs(hy.y() - setup.scene_point(0, 100.2).y()) < 1.5
        )

    assert in_place()
    box = setup.chart.price_view
    box.setRange(xRange=(at(0), at(40)), yRange=(92, 106), padding=0)  # zoom
    qtbot.waitUntil(in_place, timeout=WAIT_MS)
    box.setRange(xRange=(at(5), at(45)), padding=0)  # pan
    qtbot.waitUntil(in_place, timeout=WAIT_MS)
    setup.chart.resize(700, 500)  # resize
    qtbot.waitUntil(in_place, timeout=WAIT_MS)
    setup.move(setup.point(at(20), 100))
    before = box.viewRange()[0]
    wheel_zoom(setup, setup.point(at(20), 100))
    assert box.viewRange()[0][1] - box.viewRange()[0][0] < before[1] - before[0]
    qtbot.waitUntil(in_place, timeout=WAIT_MS)


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


def test_a_log_scale_draws_straight_between_mapped_points(setup: Setup, qtbot) -> None:
    t = setup.book.add("BTC-USDT", TrendLine(at(10), 95.0, at(30), 105.0, True))
    setup.scale.set_mode(ScaleMode.LOG)
    box = setup.chart.price_view
    box.setRange(yRange=setup.scale.view_range(90, 110), padding=0)

    def on_log_points() -> bool:
        p1, p2 = setup.scene_line(t.id)
        a, b = setup.scene_point(t.t1, t.p1), setup.scene_point(t.t2, t.p2)
        slope = (b.y() - a.y()) / (b.x() - a.x())
        return close(p1, a) and abs(p2.y() - (a.y() + slope * (p2.x() - a.x()))) < 1.5

    qtbot.waitUntil(on_log_points, timeout=WAIT_MS)
    # A drag keeps the screen slope: both points move by the same view distance.
    setup.drag(setup.point(at(20), 100.0), setup.point(at(20), 102.0))
    moved = setup.book.get(t.id)
    ratio = lambda d: d.p2 / d.p1  # noqa: E731
    assert ratio(moved) == pytest.approx(ratio(t), rel=1e-9)
    setup.scale.set_mode(ScaleMode.LINEAR)


def test_a_pair_shows_its_own_drawings_and_keeps_them_across_timeframes(setup: Setup) -> None:
    layer, book = setup.layer, setup.book
    btc = book.add("BTC-USDT", TrendLine(at(10), 94.0, at(30), 98.0))
    eth = book.add("ETH-USDT", HorizontalLine(3000.0))
    assert layer.drawings() == (btc,)
    layer.set_pair("ETH-USDT", TF)
    assert layer.drawings() == (eth,)
    assert layer.drawn(btc.id) is None
    book.add("BTC-USDT", HorizontalLine(1.0))  # another pair's: nothing drawn
    assert layer.drawings() == (eth,)
    setup.chart.set_series("BTC-USDT", "5min", 300)
    setup.chart.set_history(
        [Candle(T0 + i * 300, 100.0, 101.0, 99.0, 100.0, 1.0, 100.0) for i in range(40)]
    )
    setup.chart.flush()
    layer.set_pair("BTC-USDT", 300)
    assert layer.drawings()[0] == btc  # the same times: the line is where it was in time


def test_the_layer_follows_the_book_and_lets_go_of_its_items(setup: Setup) -> None:
    box = setup.chart.price_view
    before = len(box.childItems())
    h = setup.book.add("BTC-USDT", HorizontalLine(101.0))
    item = setup.layer.drawn(h.id).line
    assert item.scene() is not None
    setup.book.update(h.id, HorizontalLine(102.0))
    assert setup.layer.drawn(h.id).line is item  # the same item, placed again
    assert setup.scene_line(h.id)[0].y() == pytest.approx(setup.scene_point(0, 102.0).y(), abs=1.5)
    setup.book.remove(h.id)
    assert item.scene() is None
    assert len(box.childItems()) == before
    setup.book.load({"version": 1, "pairs": {"BTC-USDT": [{"kind": "hline", "price": 99.0}]}})
    assert [d.price for d in setup.layer.drawings()] == [99.0]
    setup.layer.set_book(None)
    assert setup.layer.drawings() == ()
    setup.book.add("BTC-USDT", HorizontalLine(98.0))  # no longer heard
    assert setup.layer.drawings() == ()


def test_no_work_on_live_candles(setup: Setup, monkeypatch) -> None:
    setup.book.add("BTC-USDT", TrendLine(at(10), 94.0, at(30), 98.0))
    setup.chart.set_follow_live(False)
    setup.chart.flush()
    QApplication.processEvents()
    placed: list[int] = []
    place = Drawn.place
    monkeypatch.setattr(Drawn, "place", lambda *a, **k: placed.append(1) or place(*a, **k))
    setup.layer.place()  # the counting works
    assert placed == [1]
    placed.clear()
    last = candles()[-1]
    for k in range(20):
        setup.chart.apply(Candle(last.time, 100.0, 100.5, 99.5, 100.0 + k / 100, 1.0 + k, 100.0))
        setup.chart.flush()
        QApplication.processEvents()
    assert placed == []


def test_a_refused_drawing_is_said(setup: Setup) -> None:
    said: list[str] = []
    setup.layer.failed.connect(said.append)
    setup.layer.set_pair("")
    setup.layer.set_tool(Tool.HLINE)
    setup.click(setup.point(at(30), 104))
    assert said == ["Drawing not added: no pair is shown"]
    assert len(setup.book) == 0


# ---------------------------------------------------------------------- geometry (Qt-free)


def test_pixels_clipping_extension_and_picking() -> None:
    frame = Frame(0.0, 100.0, 10.0, 20.0, 200.0, 100.0)
    assert frame.to_px(50.0, 15.0) == (100.0, 50.0)
    assert frame.from_px(100.0, 50.0) == (50.0, 15.0)
    assert extended_right((0.0, 0.0), (10.0, 5.0), 100.0) == (100.0, 50.0)
    assert extended_right((0.0, 0.0), (0.0, 5.0), 100.0) == (0.0, 5.0)  # vertical: as is
    assert clipped((-100.0, 50.0, 300.0, 50.0), 0, 0, 200, 100) == (0.0, 50.0, 200.0, 50.0)
    assert clipped((-100.0, -50.0, -10.0, -5.0), 0, 0, 200, 100) is None
    assert clipped((0.0, 0.0, math.inf, 5.0), 0, 0, 200, 100) is None  # not finite
    # An end point off the pane keeps its number: the right one is still part 2.
    segment = (0.0, 50.0, 150.0, 50.0)
    ends = ((-500.0, 50.0), (150.0, 50.0))
    assert pick([(7, segment, ends)], (151.0, 52.0), 5, 7) == (7, 2)
    assert pick([(7, segment, ends)], (60.0, 53.0), 5, 7) == (7, 0)
    assert pick([(7, segment, ends)], (60.0, 60.0), 5, 7) is None
    assert pick([(7, None, ends)], (151.0, 50.0), 5, 7) is None
    nearer = (8, (0.0, 51.0, 150.0, 51.0), ())
    assert pick([(7, segment, ()), nearer], (60.0, 52.0), 5, 7) == (8, 0)


def test_snapping_and_counting_candles() -> None:
    store = CandleSeries(max_candles=None)
    store.merge(candles(10))
    assert candle_seconds(store) == TF
    assert candle_seconds(store, 300) == 300
    assert snap_time(at(3) + 25, store, TF) == at(3)
    assert snap_time(at(3) + 35, store, TF) == at(4)
    assert snap_time(at(20) + 7.4, store, TF) == at(20) + 7  # beyond the candles: free
    assert candles_between(store, at(7), at(2), TF) == 5
    assert candles_between(store, at(2), at(20), TF) == 18  # past the data: in timeframes
