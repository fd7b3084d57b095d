"""The chart's x range is kept to the data plus a margin, offscreen, with real wheel and drag
events: a zoom out or a pan stops there on every pane, the limits follow appends and older
history (not live ticks), and older history is still asked for at the left edge. The policy
itself, without widgets: ``tests/model/test_viewport.py``."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kucandle_gui.model.viewport import LEFT_LIMIT_CANDLES, RESET_CANDLES, RIGHT_LIMIT_CANDLES
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.chart import CandleChart
from tests.helpers import TF, numpy_walk
from tests.ui.chart_kit import open_chart, x_range
from tests.ui.study_kit import with_studies

LEFT = Qt.MouseButton.LeftButton
#: One notch of a mouse wheel; pyqtgraph zooms out by 1.02 ** 15 per notch back.
NOTCH = 120
#: More than pyqtgraph's shortest time between two mouse moves it looks at.
MOVE_INTERVAL_MS = 12
#: A long drag: at the reset zoom (about 6 px a candle), some 8000 candles.
FAR_PX = 50_000


@pytest.fixture
def chart(qtbot) -> CandleChart:
    """A 1000 x 600 chart with 300 1min candles, following the newest at the reset zoom."""
    widget = open_chart(qtbot)
    widget.set_history(numpy_walk(300))
    widget.flush()
    return widget


def centre(chart: CandleChart, box: pg.ViewBox | None = None) -> QPoint:
    """The middle of a pane (the price pane's by default) on the graphics view's viewport."""
    box = box or chart.price_view
    return chart.graphics_view.mapFromScene(box.sceneBoundingRect().center())


def wheel(chart: CandleChart, where: QPoint, notches: int) -> None:
    """Turn the wheel over ``where``: ``notches`` < 0 zooms out, > 0 in."""
    viewport = chart.graphics_view.viewport()
    event = QWheelEvent(
        QPointF(where),
        QPointF(viewport.mapToGlobal(where)),
        QPoint(0, 0),
        QPoint(0, NOTCH * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


def drag(chart: CandleChart, start: QPoint, dx: int) -> None:
    """Drag with the left button from ``start`` by ``dx`` pixels (right: towards older).

    pyqtgraph drops mouse moves less than 10 ms after the one before (``mouseRateLimit``):
    the drag waits that long before its one move."""
    viewport = chart.graphics_view.viewport()

    def send(kind: QEvent.Type, at: QPoint, button, buttons) -> None:
        global_at = QPointF(viewport.mapToGlobal(at))
        event = QMouseEvent(
            kind, QPointF(at), global_at, button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(viewport, event)

    end = start + QPoint(dx, 0)
    send(QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    QTest.qWait(MOVE_INTERVAL_MS)
    send(QEvent.Type.MouseMove, end, Qt.MouseButton.NoButton, LEFT)
    send(QEvent.Type.MouseButtonRelease, end, LEFT, Qt.MouseButton.NoButton)


def ends(chart: CandleChart) -> tuple[int, int]:
    candles = chart.candles()
    return candles[0].time, candles[-1].time


def left_limit(chart: CandleChart) -> float:
    return chart.candles()[0].time - LEFT_LIMIT_CANDLES * TF


def right_limit(chart: CandleChart) -> float:
    return chart.candles()[-1].time + RIGHT_LIMIT_CANDLES * TF


def all_x_ranges(chart: CandleChart) -> list[tuple[float, float]]:
    boxes = [chart.price_view, chart.volume_view, *chart.study_views()]
    return [tuple(box.viewRange()[0]) for box in boxes]


def test_a_wheel_zoom_out_stops_at_the_data_and_its_margins(chart: CandleChart) -> None:
    width = x_range(chart)[1] - x_range(chart)[0]
    wheel(chart, centre(chart), -2)
    x0, x1 = x_range(chart)
    assert x1 - x0 > 1.5 * width  # the wheel zooms out
    for _ in range(40):  # 1.35 ** 40: without limits, a hundred thousand years of 1min
        wheel(chart, centre(chart), -1)
    assert x_range(chart) == pytest.approx((left_limit(chart), right_limit(chart)))
    assert chart.follow_live()  # the newest candle is still in view
    assert len(chart.visible_candles()) == 300
    assert all_x_ranges(chart) == [x_range(chart)] * 2
    # Zooming in again works from there.
    wheel(chart, centre(chart), 3)
    x0, x1 = x_range(chart)
    assert x1 - x0 < 0.5 * (right_limit(chart) - left_limit(chart))


def test_every_pane_stops_at_the_limits(qtbot) -> None:
    chart = open_chart(qtbot, height=700)
    chart.set_history(numpy_walk(300))
    chart.flush()
    with_studies(chart, "rsi:14")
    (rsi,) = chart.study_views()
    for box in (chart.volume_view, rsi):
        for _ in range(40):
            wheel(chart, centre(chart, box), -1)
        assert x_range(chart) == pytest.approx((left_limit(chart), right_limit(chart)))
        assert all_x_ranges(chart) == [x_range(chart)] * 3
        chart.reset_zoom()
        drag(chart, centre(chart, box), FAR_PX)
        assert x_range(chart)[0] == pytest.approx(left_limit(chart))
        chart.reset_zoom()


def test_a_drag_cannot_pan_past_either_end(chart: CandleChart) -> None:
    x0, x1 = x_range(chart)
    width = x1 - x0
    drag(chart, centre(chart), 200)
    assert x_range(chart)[0] < x0 - 10 * TF  # the drag pans (towards older candles)
    assert not chart.follow_live()
    for _ in range(3):  # each drag moves some 8000 candles' worth: days of 1min
        drag(chart, centre(chart), FAR_PX)
    assert x_range(chart) == pytest.approx((left_limit(chart), left_limit(chart) + width))
    assert chart.visible_candles()[0] == chart.candles()[0]
    for _ in range(3):
        drag(chart, centre(chart), -FAR_PX)
    assert x_range(chart) == pytest.approx((right_limit(chart) - width, right_limit(chart)))
    assert chart.follow_live()  # the newest is in view again
    assert all_x_ranges(chart) == [x_range(chart)] * 2


def test_the_limits_follow_appends_but_not_live_ticks(chart: CandleChart, monkeypatch) -> None:
    calls: list[tuple[float, float]] = []
    set_limits = chart._panes.set_x_limits
    monkeypatch.setattr(
        chart._panes, "set_x_limits", lambda lo, hi: (calls.append((lo, hi)), set_limits(lo, hi))
    )
    for _ in range(40):
        wheel(chart, centre(chart), -1)
    assert chart.follow_live()
    last = chart.candles()[-1]
    for k in range(20):  # the live candle ticks: no new limits
        chart.apply(Candle(last.time, last.open, last.high + k, last.low, last.close, 2 + k, 1))
        chart.flush()
    assert calls == []
    new = Candle(last.time + TF, last.close, last.close + 1, last.close - 1, last.close, 1, 1)
    chart.apply(new)
    chart.flush()
    assert calls == [(left_limit(chart), new.time + RIGHT_LIMIT_CANDLES * TF)]
    # Following live, the view moved with the newest candle and shows it.
    assert x_range(chart) == pytest.approx((left_limit(chart) + TF, right_limit(chart)))
    assert chart.follow_live()
    assert chart.visible_candles()[-1] == new
    for _ in range(3):
        drag(chart, centre(chart), -FAR_PX)
    assert x_range(chart)[1] == pytest.approx(right_limit(chart))


def test_older_history_moves_the_left_limit_and_is_asked_for_at_the_edge(qtbot) -> None:
    chart = open_chart(qtbot)
    chart.set_history(numpy_walk(1000))
    chart.flush()
    asked: list[int] = []
    chart.olderHistoryWanted.connect(asked.append)
    oldest, _ = ends(chart)
    drag(chart, centre(chart), FAR_PX)
    assert x_range(chart)[0] == pytest.approx(oldest - LEFT_LIMIT_CANDLES * TF)
    assert asked and set(asked) == {oldest}  # the viewport's "near the left edge" rule fired
    older = numpy_walk(500, seed=9, t0=oldest - 500 * TF)
    chart.apply_many(older)
    chart.flush()
    assert chart.price_view.state["limits"]["xLimits"][0] == left_limit(chart)
    drag(chart, centre(chart), FAR_PX)
    assert x_range(chart)[0] == pytest.approx(older[0].time - LEFT_LIMIT_CANDLES * TF)
    assert asked[-1] == older[0].time


def test_no_candles_no_limits_and_a_few_candles_keep_the_usual_zoom(qtbot) -> None:
    chart = open_chart(qtbot)
    chart.flush()
    unlimited = chart.price_view.state["limits"]["xLimits"]
    assert unlimited == [-1e307, 1e307]
    chart.set_history(numpy_walk(10))
    chart.flush()
    x0, x1 = x_range(chart)
    assert (x1 - x0) / TF == pytest.approx(RESET_CANDLES + 2.5)  # not stretched
    for _ in range(40):
        wheel(chart, centre(chart), -1)
    x0, x1 = x_range(chart)
    assert x1 == pytest.approx(right_limit(chart))
    assert x0 == pytest.approx(ends(chart)[1] - (RESET_CANDLES - 0.5) * TF)
    chart.clear()
    chart.flush()
    for box in (chart.price_view, chart.volume_view):
        assert box.state["limits"]["xLimits"] == unlimited
        assert box.state["limits"]["xRange"][1] is None


def test_a_new_series_gets_its_own_limits(chart: CandleChart) -> None:
    hourly = numpy_walk(50, seed=3, tf=3600)
    chart.set_series("ETH-USDT", "1hour", 3600)
    chart.set_history(hourly)
    chart.flush()
    for _ in range(40):
        wheel(chart, centre(chart), -1)
    x0, x1 = x_range(chart)
    assert x1 == pytest.approx(hourly[-1].time + RIGHT_LIMIT_CANDLES * 3600)
    assert x0 == pytest.approx(hourly[-1].time - (RESET_CANDLES - 0.5) * 3600)
