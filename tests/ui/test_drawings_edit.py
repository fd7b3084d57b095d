"""Drawings moved and kept in place on a real ``CandleChart``: dragged whole or by an end
point (by whole candles, months on the monthly timeframe; never out of the prices a drawing
may have; the scale switched in the middle of a drag), anchored in data through zoom, pan,
the log scale, another pair and another timeframe, the layer following the book. Real mouse
events on the graphics view; the book is checked, and the items where they are on screen.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication

from kucandle_gui.model.drawings import MAX_PRICE, MIN_PRICE, HorizontalLine, TrendLine
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.protocol import TIMEFRAME_SECONDS, Candle
from kucandle_gui.ui.chart.drawings.items import Drawn
from tests.helpers import T0, TF
from tests.ui import drawing_kit
from tests.ui.drawing_kit import (
    LEFT,
    WAIT_MS,
    Setup,
    at,
    candles,
    close,
    open_setup,
    wheel_zoom,
)

setup = drawing_kit.setup


# ---------------------------------------------------------------------- drag


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


def switch_scale(setup: Setup, mode: ScaleMode) -> None:
    """The scale switched (Alt+L), the chart refitted to it, as while a mouse is held."""
    setup.chart.set_scale_mode(mode)
    setup.chart.flush()
    QApplication.processEvents()


def test_a_scale_switched_during_a_drag_keeps_the_drag(setup: Setup) -> None:
    """The grab is kept as a price: after linear -> log in the middle of a drag, the line
    goes where the mouse is, not to a price mixed from two scales' units (1e-101)."""
    h = setup.book.add("BTC-USDT", HorizontalLine(105.0))
    setup.press(setup.point(at(30), 105.0))
    setup.move(setup.point(at(30), 103.0))
    switch_scale(setup, ScaleMode.LOG)
    setup.move(setup.point(at(30), 102.0))
    p1, _ = setup.scene_line(h.id)
    assert p1.y() == pytest.approx(setup.scene_point(0, 102.0).y(), abs=1.5)  # drawn there
    setup.release(setup.point(at(30), 102.0))
    assert setup.book.get(h.id).price == pytest.approx(102.0, abs=0.1)

    # A trend line grabbed on the log scale, let go on the linear one: moved by the mouse's
    # price change in the scale of now (linear: the same price distance for both points).
    t = setup.book.add("BTC-USDT", TrendLine(at(10), 94.0, at(30), 98.0))
    setup.press(setup.point(at(20), 96.0))
    setup.move(setup.point(at(20), 97.0))
    switch_scale(setup, ScaleMode.LINEAR)
    setup.release(setup.point(at(25), 99.0))
    moved = setup.book.get(t.id)
    assert (moved.t1, moved.t2) == (at(15), at(35))
    assert moved.p1 == pytest.approx(97.0, abs=0.1)
    assert moved.p2 - moved.p1 == pytest.approx(4.0, abs=1e-9)


def test_a_drag_stops_at_the_lowest_and_the_highest_price(setup: Setup) -> None:
    """Dragged below zero on the linear scale a line stops at MIN_PRICE (the log scale's
    floor), never at zero or below; a trend line dragged on the log scale keeps its slope
    (its prices' ratio) at either limit. Nothing is refused."""
    said: list[str] = []
    setup.layer.failed.connect(said.append)
    setup.show((at(0), at(60)), (-50.0, 150.0))
    h = setup.book.add("BTC-USDT", HorizontalLine(105.0))
    setup.press(setup.point(at(30), 105.0))
    setup.move(setup.point(at(30), 0.0))
    setup.move(setup.point(at(30), -20.0))
    p1, _ = setup.scene_line(h.id)
    assert p1.y() == pytest.approx(setup.scene_point(0, 0.0).y(), abs=1.5)  # not below 0
    setup.release(setup.point(at(30), -20.0))
    assert setup.book.get(h.id).price == MIN_PRICE
    t = setup.book.add("BTC-USDT", TrendLine(at(10), 94.0, at(30), 98.0))
    setup.drag(setup.point(at(30), 98.0), setup.point(at(30), -30.0))  # by its end point
    assert setup.book.get(t.id).p2 == MIN_PRICE
    setup.book.remove(h.id)

    setup.book.update(t.id, TrendLine(at(10), 94.0, at(30), 98.0))
    setup.chart.set_scale_mode(ScaleMode.LOG)
    setup.show((at(0), at(60)), (-14.0, 18.0))
    setup.drag(setup.point(at(20), 96.0), setup.point(at(20), 1e-13))
    low = setup.book.get(t.id)
    assert low.p1 == pytest.approx(MIN_PRICE, rel=1e-9)
    assert low.p2 / low.p1 == pytest.approx(98.0 / 94.0, rel=1e-9)
    setup.drag(setup.point(at(20), (low.p1 * low.p2) ** 0.5), setup.point(at(20), 1e17))
    high = setup.book.get(t.id)
    assert high.p2 == pytest.approx(MAX_PRICE, rel=1e-9) and high.p2 <= MAX_PRICE
    assert high.p2 / high.p1 == pytest.approx(98.0 / 94.0, rel=1e-9)
    assert said == []


def month(year: int, number: int) -> int:
    return int(datetime(year, number, 1, tzinfo=UTC).timestamp())


@pytest.fixture
def monthly(qtbot, monkeypatch):
    """A chart of 24 monthly candles, Jan 2024 to Dec 2025."""
    starts = [month(2024 + i // 12, i % 12 + 1) for i in range(24)]
    history = [Candle(starts[0], 100.0, 110.0, 90.0, 100.0, 1.0, 100.0)]
    history += [Candle(t, 100.0, 100.5, 99.5, 100.0, 1.0, 100.0) for t in starts[1:]]
    yield from open_setup(qtbot, monkeypatch, "1month", TIMEFRAME_SECONDS["1month"], history)


def test_a_trend_line_moves_by_whole_months_on_monthly_candles(monthly: Setup) -> None:
    """Moved whole, a trend line's points go from month start to month start (by candle,
    not by a nominal 31 days: Feb 1 + 1 candle is Mar 1, not Mar 4)."""
    setup = monthly
    setup.show((month(2024, 6), month(2025, 12)), (90.0, 110.0))
    t = setup.book.add("BTC-USDT", TrendLine(month(2025, 2), 95.0, month(2025, 6), 105.0))
    middle = (t.t1 + t.t2) / 2
    setup.drag(setup.point(middle, 100.0), setup.point(middle + 31 * 86400, 100.0))
    moved = setup.book.get(t.id)
    assert (moved.t1, moved.t2) == (month(2025, 3), month(2025, 7))
    assert (moved.p1, moved.p2) == pytest.approx((95.0, 105.0), abs=0.1)
    middle = (moved.t1 + moved.t2) / 2
    setup.drag(setup.point(middle, 100.0), setup.point(middle - 92 * 86400, 100.0))
    back = setup.book.get(t.id)
    assert (back.t1, back.t2) == (month(2024, 12), month(2025, 4))
    a, b = setup.view_ends(t.id)
    assert (a[0], b[0]) == pytest.approx((back.t1, back.t2), abs=1e-3)


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
    # ... and drawn there on the 5min chart: its end points at its times and prices.
    setup.show((T0, T0 + 40 * 300), (90.0, 110.0))
    (a, b) = setup.view_ends(btc.id)
    assert a == pytest.approx((btc.t1, setup.scale.to_view(btc.p1)), abs=1e-6)
    assert b == pytest.approx((btc.t2, setup.scale.to_view(btc.p2)), abs=1e-6)
    p1, p2 = setup.scene_line(btc.id)
    assert close(p1, setup.scene_point(btc.t1, btc.p1))
    assert close(p2, setup.scene_point(btc.t2, btc.p2))
    assert layer.drawn(btc.id).line.isVisible()


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
