"""Drawings on a real ``CandleChart``: placed, selected, deleted, their menu, the measure,
with real mouse and key events on the graphics view; the book (the model) is what is checked,
and the items are checked where they are on screen. Also the Qt-free geometry. Moving and
keeping drawings in place: ``test_drawings_edit``. Waits are on conditions; nothing sleeps.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model.drawings import HorizontalLine, TrendLine
from kucandle_gui.model.indicators import DEFAULT_COLORS
from kucandle_gui.model.price_scale import ScaleMode, percent_text
from kucandle_gui.protocol import TIMEFRAME_SECONDS
from kucandle_gui.ui.chart import AlertLine
from kucandle_gui.ui.chart.drawings import Tool
from kucandle_gui.ui.chart.drawings.geometry import (
    Frame,
    candle_seconds,
    candle_steps,
    candles_between,
    clipped,
    extended_right,
    pick,
    snap_time,
    step_candles,
)
from kucandle_gui.ui.chart.drawings.measure import measure_text, span_text
from kucandle_gui.ui.chart.theme import DARK, LIGHT, ChartTheme
from tests.helpers import TF
from tests.ui import drawing_kit
from tests.ui.drawing_kit import RIGHT, SHIFT, WAIT_MS, Setup, at, candles, close

setup = drawing_kit.setup


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


# ---------------------------------------------------------------------- select, menu, delete


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


def test_a_refused_drawing_is_said(setup: Setup) -> None:
    said: list[str] = []
    setup.layer.failed.connect(said.append)
    setup.layer.set_pair("")
    setup.layer.set_tool(Tool.HLINE)
    setup.click(setup.point(at(30), 104))
    assert said == ["Drawing not added: no pair is shown"]
    assert len(setup.book) == 0


def test_a_drawing_without_a_book_is_said_so(setup: Setup) -> None:
    """A pair is shown, but no book is set: the message says which (not "no pair")."""
    said: list[str] = []
    setup.layer.failed.connect(said.append)
    setup.layer.set_book(None)
    assert setup.layer.symbol == "BTC-USDT"
    setup.layer.set_tool(Tool.HLINE)
    setup.click(setup.point(at(30), 104))
    assert said == ["Drawing not added: no drawing book is set to keep it"]
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


def month(year: int, number: int, day: int = 1) -> int:
    return int(datetime(year, number, day, tzinfo=UTC).timestamp())


def test_moving_by_whole_candles_months_included() -> None:
    """A drag's candles are the timeframe's: on the monthly one a month whatever its length
    (the nominal 31 days would take Feb 1 to Mar 4), a month's start staying one."""
    mo = TIMEFRAME_SECONDS["1month"]
    assert candle_steps(at(3) + 10, at(8) - 5, TF) == 5
    assert candle_steps(at(8), at(3) + 25, TF) == -5
    assert step_candles(at(3), -2, TF) == at(1)
    assert candle_steps(month(2025, 4, 15), month(2025, 5, 16), mo) == 1  # Apr 30 days
    assert candle_steps(month(2025, 2, 10), month(2025, 2, 27), mo) == 1  # past half of Feb
    assert candle_steps(month(2025, 2, 10), month(2025, 1, 27), mo) == 0
    assert step_candles(month(2025, 2, 1), 1, mo) == month(2025, 3, 1)
    assert step_candles(month(2025, 2, 1), 13, mo) == month(2026, 3, 1)
    assert step_candles(month(2025, 3, 1), -14, mo) == month(2024, 1, 1)
    assert step_candles(month(2025, 12, 1), 3, mo) == month(2026, 3, 1)
    mid_april = month(2025, 4, 16)  # half of April: half of May
    assert step_candles(mid_april, 1, mo) == month(2025, 5, 16) + 12 * 3600
    assert step_candles(0, -5, mo) == 0  # not before 1970


@pytest.mark.parametrize("theme", [DARK, LIGHT])
def test_drawings_take_the_themes_drawing_colour_apart_from_the_indicators(
    setup: Setup, theme: ChartTheme
) -> None:
    assert theme.drawing not in DEFAULT_COLORS
    setup.chart.set_theme(theme)
    setup.book.add("BTC-USDT", HorizontalLine(106.0))
    QApplication.processEvents()
    where = setup.point(at(30), 106.0)
    image = setup.view.grab().toImage()
    column = [image.pixelColor(where.x(), where.y() + dy).name() for dy in (-1, 0, 1)]
    assert theme.drawing in column


def test_a_horizontal_lines_tag_reads_like_the_other_tags_on_a_percent_scale(
    setup: Setup,
) -> None:
    added = setup.book.add("BTC-USDT", HorizontalLine(101.32))
    setup.chart.set_scale_mode(ScaleMode.PERCENT)
    setup.chart.flush()
    QApplication.processEvents()
    base = setup.chart.scale.base
    assert base == pytest.approx(100.0)
    change = (101.32 / base - 1.0) * 100.0
    decimals = max(setup.chart.price_axis.percent_decimals(), 2)
    assert setup.layer.drawn(added.id).tag.text() == percent_text(change, decimals)
