"""Alerts on the chart: a real ``CandleChart`` bound to a real ``MonitorModel`` with its
``AlertBook``, candles given directly (no exchange).

The active alerts of the chart's pair are drawn as lines; the mouse drags them (real mouse
events on the graphics view), a click selects one and Delete removes it, the right-click menu
and Alt+A make new ones. What the book holds afterwards is what is checked. Waits are on
conditions with timeouts; nothing sleeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication, QMenu

from kucandle_gui.model import (
    AlertBook,
    AlertSpec,
    AlertState,
    ChartModel,
    Condition,
    MonitorModel,
)
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.alerts.chart_alerts import AT_LAST_PRICE, NO_CROSSHAIR, ChartAlerts
from kucandle_gui.ui.chart import DARK, AlertLine, CandleChart
from kucandle_gui.ui.chart.markers import y_pixel
from kucandle_gui.ui.chart_binding import ChartBinding
from tests.helpers import T0, TF
from tests.ui.chart_kit import count_color

WAIT_MS = 3000
NOW = float(T0 + 3600)


def flat_candles(n: int = 60, t0: int = T0) -> list[Candle]:
    """Candles closing at 100; the first spans 90..110, so the y range is about that."""
    out = [Candle(t0, 100.0, 110.0, 90.0, 100.0, 1.0, 100.0)]
    out += [Candle(t0 + i * TF, 100.0, 100.5, 99.5, 100.0, 1.0, 100.0) for i in range(1, n)]
    return out


@dataclass
class Setup:
    chart: CandleChart
    monitor: MonitorModel
    chart_model: ChartModel
    book: AlertBook
    alerts: ChartAlerts
    said: list[str] = field(default_factory=list)
    forms: list[tuple[str, float | None]] = field(default_factory=list)

    def add(self, condition: str, price: float, symbol: str = "BTC-USDT") -> int:
        spec = AlertSpec.of(symbol, condition, price)
        return self.book.add(spec, force=True).id

    def keys(self) -> list[int]:
        return [line.key for line in self.chart.alert_lines.lines()]

    def view_point(self, price: float, x_frac: float = 0.5) -> QPoint:
        """Where ``price`` is on the graphics view's viewport, ``x_frac`` across the pane."""
        box = self.chart.price_view
        (x0, x1), _ = box.viewRange()
        scene = box.mapViewToScene(QPointF(x0 + (x1 - x0) * x_frac, price))
        return self.chart.graphics_view.mapFromScene(scene)


@pytest.fixture
def setup(qtbot, monkeypatch):
    # pyqtgraph drops mouse moves closer than 10 ms apart: the tests move without waiting.
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    book = AlertBook(clock=lambda: NOW, session_start=NOW - 60)
    monitor = MonitorModel(alerts=book)
    chart_model = monitor.add_chart("BTC-USDT", "1min")
    chart = CandleChart()
    qtbot.addWidget(chart)
    chart.resize(1000, 600)
    chart.show()
    qtbot.waitExposed(chart)
    binding = ChartBinding(chart, chart_model, monitor)
    # The pair is live: subscribed, its history complete (the book knows its price).
    monitor.subscribed("BTC-USDT", "1min", True)
    monitor.apply("BTC-USDT", "1min", flat_candles())
    monitor.history_loaded("BTC-USDT", "1min", True)
    chart.flush()
    said: list[str] = []
    forms: list[tuple[str, float | None]] = []
    alerts = ChartAlerts(
        chart,
        chart_model,
        book,
        lambda _symbol: 2,
        said.append,
        lambda symbol, price: forms.append((symbol, price)),
    )
    made = Setup(chart, monitor, chart_model, book, alerts, said, forms)
    yield made
    made.alerts.unbind()
    binding.unbind()


def actions(menu: QMenu) -> dict[str, object]:
    return {a.text(): a for a in menu.actions() if not a.isSeparator()}


# ---------------------------------------------------------------------- lines drawn


def test_lines_show_the_active_alerts_of_the_chart_pair(setup: Setup, qtbot) -> None:
    assert setup.keys() == []
    assert count_color(setup.chart.grab().toImage(), DARK.alert) == 0
    up = setup.add("above", 105)
    down = setup.add("below", 95)
    eth = setup.add("above", 3000, "ETH-USDT")
    assert setup.keys() == [up, down]
    lines = setup.chart.alert_lines
    assert lines.tag_text(up) == "105.00" and lines.tag_text(down) == "95.00"
    assert lines.line_item(up).toolTip().startswith("BTC-USDT rises to 105.00")
    assert lines.line_item(down).value() == 95
    # Drawn: the line across the pane and its tag on the axis are in the alert colour.
    image = setup.chart.grab().toImage()
    row = setup.view_point(105).y()
    assert count_color(image.copy(0, row - 2, image.width(), 5), DARK.alert) > 300
    # Another pair on the chart: its alerts instead.
    setup.monitor.show(setup.chart_model, "ETH-USDT", "1min")
    assert setup.keys() == [eth]
    setup.monitor.show(setup.chart_model, "BTC-USDT", "5min")
    assert setup.keys() == [up, down]
    setup.book.remove(down)
    assert setup.keys() == [up]


def test_a_triggered_alert_line_goes(setup: Setup) -> None:
    up = setup.add("above", 105)
    down = setup.add("below", 95)
    assert setup.keys() == [up, down]
    spike = Candle(T0 + 60 * TF, 100.0, 106.0, 99.0, 101.0, 1.0, 100.0)
    setup.monitor.apply("BTC-USDT", "1min", [spike])
    assert setup.book.get(up).state is AlertState.TRIGGERED
    assert setup.keys() == [down]


# ---------------------------------------------------------------------- drag, select, delete


def test_dragging_a_line_moves_the_alert_and_its_condition(setup: Setup, qtbot) -> None:
    up = setup.add("above", 105)
    lines = setup.chart.alert_lines
    viewport = setup.chart.graphics_view.viewport()
    start, end = setup.view_point(105), setup.view_point(95)
    qtbot.mouseMove(viewport, start + QPoint(0, 30))
    qtbot.mouseMove(viewport, start)  # hovering: the line takes the drag, not the view
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    middle = setup.view_point(102)
    qtbot.mouseMove(viewport, middle)
    # The line and its tag follow the mouse; the alert moves only when let go.
    assert lines.line_item(up).value() == pytest.approx(102, abs=0.2)
    assert lines.tag_text(up) == f"{lines.line_item(up).value():.2f}"
    assert setup.book.get(up).price == 105
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    alert = setup.book.get(up)
    assert alert.price == pytest.approx(95, abs=0.2)
    assert alert.price == round(alert.price, 2)  # to the pair's precision
    assert alert.condition is Condition.BELOW  # below the last price (100): falls to it
    assert lines.line_item(up).value() == alert.price
    assert lines.selected() == up
    assert setup.said[-1] == f"Alert moved: BTC-USDT falls to {alert.price:,.2f}"


def test_a_line_let_go_where_it_was_refused_goes_back(setup: Setup, qtbot) -> None:
    up = setup.add("above", 105)
    line = setup.chart.alert_lines.line_item(up)
    line.setValue(-5.0)  # below zero: no price an alert can have
    line.sigPositionChangeFinished.emit(line)
    assert setup.book.get(up).price == 105
    assert line.value() == 105
    assert setup.said[-1].startswith("Alert not moved: ")


def test_a_line_let_go_on_the_last_price_goes_back(setup: Setup) -> None:
    """The last price itself counts as crossed either way: a line dropped there is refused as
    a new alert there would be, not silently kept waiting for the price to come back."""
    up = setup.add("above", 105)
    before = setup.book.get(up)
    arming, since = before.arming, before.since
    line = setup.chart.alert_lines.line_item(up)
    line.setValue(100.001)  # rounds to the last price (2 decimals)
    line.sigPositionChangeFinished.emit(line)

    alert = setup.book.get(up)
    assert (alert.price, alert.condition) == (105, Condition.ABOVE)
    assert (alert.arming, alert.since) == (arming, since)
    assert line.value() == 105
    assert setup.said[-1] == AT_LAST_PRICE


def test_click_selects_a_line_and_delete_removes_its_alert(setup: Setup, qtbot) -> None:
    up = setup.add("above", 105)
    down = setup.add("below", 95)
    lines = setup.chart.alert_lines
    view = setup.chart.graphics_view
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # nothing selected: nothing removed
    assert setup.keys() == [up, down]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=setup.view_point(95))
    assert lines.selected() == down
    assert lines.line_item(down).pen.width() > lines.line_item(up).pen.width()  # highlighted
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=setup.view_point(100))
    assert lines.selected() is None  # a click away from the lines lets go
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=setup.view_point(105))
    assert lines.selected() == up
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert setup.book.get(up) is None
    assert setup.keys() == [down]
    assert lines.selected() is None
    assert setup.said[-1] == "Alert deleted: BTC-USDT rises to 105.00"
    lines.select(down)
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert setup.book.alerts() == []


# ---------------------------------------------------------------------- menu, Alt+A


def test_right_click_in_the_price_pane_asks_for_the_menu_at_its_price(setup: Setup, qtbot):
    viewport = setup.chart.graphics_view.viewport()
    point = setup.view_point(104)
    with qtbot.waitSignal(setup.chart.priceMenuRequested, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(viewport, Qt.MouseButton.RightButton, pos=point)
    where, price = signal.args
    assert price == pytest.approx(104, abs=0.1)
    assert where == viewport.mapToGlobal(point)
    # The chart's alerts pop their menu up there, without waiting for it to close.
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=WAIT_MS)
    menu = QApplication.activePopupWidget()
    assert f"Alert when price rises to {round(price, 2):.2f}" in actions(menu)
    menu.close()


def test_menu_entry_creates_an_alert_at_the_clicked_price(setup: Setup) -> None:
    menu = setup.alerts.price_menu(103.4567)
    entries = actions(menu)
    assert list(entries) == ["Alert when price rises to 103.46", "New alert…"]
    entries["Alert when price rises to 103.46"].trigger()
    (alert,) = setup.book.alerts()
    assert (alert.symbol, alert.condition, alert.price) == ("BTC-USDT", Condition.ABOVE, 103.46)
    assert alert.state is AlertState.ACTIVE
    assert setup.said[-1] == "Alert set: BTC-USDT rises to 103.46"
    assert setup.keys() == [alert.id]

    below = actions(setup.alerts.price_menu(96.5))
    assert "Alert when price falls to 96.50" in below
    below["New alert…"].trigger()
    assert setup.forms == [("BTC-USDT", 96.5)]


def test_menu_on_a_line_removes_its_alert(setup: Setup) -> None:
    up = setup.add("above", 105)
    assert not any(t.startswith("Remove") for t in actions(setup.alerts.price_menu(101)))
    entries = actions(setup.alerts.price_menu(105.01))  # near the line: within a few pixels
    entries["Remove alert (rises to 105.00)"].trigger()
    assert setup.book.get(up) is None
    assert setup.keys() == []


def test_alert_at_the_crosshair(setup: Setup, qtbot) -> None:
    assert setup.chart.crosshair_price() is None
    assert not setup.alerts.add_at_crosshair()
    assert setup.said[-1] == NO_CROSSHAIR
    assert setup.book.alerts() == []

    viewport = setup.chart.graphics_view.viewport()
    point = setup.view_point(97)
    wiggle = iter(range(1_000_000))

    def on_price() -> bool:
        qtbot.mouseMove(viewport, point + QPoint(0, next(wiggle) % 2))
        return setup.chart.crosshair_price() is not None

    qtbot.waitUntil(on_price, timeout=WAIT_MS)
    at = setup.chart.crosshair_price()
    assert at == pytest.approx(97, abs=0.2)
    assert setup.alerts.add_at_crosshair()
    (alert,) = setup.book.alerts()
    assert alert.condition is Condition.BELOW
    assert alert.price == round(at, 2)
    assert setup.said[-1] == f"Alert set: BTC-USDT falls to {alert.price:,.2f}"


def test_no_alert_at_the_last_price_itself(setup: Setup) -> None:
    """At the last price both conditions count as crossed: nothing is armed there unseen."""
    assert setup.chart.last_price() == 100.0
    setup.chart.crosshair_price = lambda: 100.001  # rounds to the last price (2 decimals)

    assert not setup.alerts.add_at_crosshair()
    assert setup.said == [AT_LAST_PRICE]
    assert setup.book.alerts() == []

    menu = setup.alerts.price_menu(99.999)
    entries = actions(menu)
    assert list(entries) == ["Alert at 100.00", "New alert…"]
    entry = entries["Alert at 100.00"]
    assert not entry.isEnabled()
    assert entry.toolTip() == AT_LAST_PRICE
    assert menu.toolTipsVisible()
    # A price that became the last one while the menu was open: still nothing.
    above = actions(setup.alerts.price_menu(100.01))["Alert when price rises to 100.01"]
    setup.chart.last_price = lambda: 100.01
    above.trigger()
    assert setup.book.alerts() == []
    assert setup.said == [AT_LAST_PRICE, AT_LAST_PRICE]


def test_no_alert_at_the_crosshair_without_a_price(qtbot) -> None:
    book = AlertBook(clock=lambda: NOW)
    monitor = MonitorModel(alerts=book)
    chart_model = monitor.add_chart("SOL-USDT", "1min")
    chart = CandleChart()
    qtbot.addWidget(chart)
    said: list[str] = []
    alerts = ChartAlerts(chart, chart_model, book, lambda _s: None, said.append, print)
    chart.crosshair_price = lambda: 25.0  # a crosshair, but no candle to compare with
    assert not alerts.add_at_crosshair()
    assert said == ["No alert set: no price of SOL-USDT yet to compare with"]
    assert book.alerts() == []
    assert list(actions(alerts.price_menu(25.0))) == [
        "Alert when price rises to 25.0000",
        "Alert when price falls to 25.0000",
        "New alert…",
    ]
    alerts.unbind()


def test_unbind_stops_drawing_and_clears_the_lines(setup: Setup) -> None:
    setup.add("above", 105)
    setup.alerts.unbind()
    assert setup.keys() == []
    setup.add("above", 106)
    assert setup.keys() == []
    setup.alerts = ChartAlerts(
        setup.chart, setup.chart_model, setup.book, lambda _s: 2, print, print
    )
    assert len(setup.keys()) == 2


def test_set_lines_keeps_the_items_when_unchanged(setup: Setup) -> None:
    lines = setup.chart.alert_lines
    lines.set_lines([AlertLine(7, 101.0, "a"), AlertLine(8, 99.0, "b")])
    item = lines.line_item(7)
    lines.set_lines([AlertLine(7, 102.0, "a2"), AlertLine(8, 99.0, "b")])
    assert lines.line_item(7) is item
    assert (item.value(), item.toolTip()) == (102.0, "a2")
    lines.set_lines([AlertLine(8, 99.0, "b")])
    assert lines.line_item(7) is None and item.scene() is None


def test_tags_follow_the_view_and_the_theme(setup: Setup, qtbot) -> None:
    up = setup.add("above", 105)
    lines, box = setup.chart.alert_lines, setup.chart.price_view
    tag = lines.tag_item(up)

    def tag_on_line() -> bool:
        return abs(tag.scenePos().y() - box.mapViewToScene(QPointF(0, 105)).y()) < 1.5

    assert tag_on_line()
    box.setRange(yRange=(100, 140), padding=0)  # the view moves: the tag is placed again
    qtbot.waitUntil(tag_on_line, timeout=WAIT_MS)
    assert lines.tag_text(up) == "105.00"
    box.setRange(yRange=(120, 140), padding=0)  # out of view: no tag
    qtbot.waitUntil(lambda: lines.tag_text(up) == "", timeout=WAIT_MS)

    setup.chart.set_theme(replace(DARK, alert="#00ff00"))
    assert lines.line_item(up).pen.color().name() == "#00ff00"


def test_a_catch_up_firing_many_alerts_costs_a_line_each(setup: Setup) -> None:
    ids = [setup.add("above", 101.0 + k / 100) for k in range(200)]
    kept = setup.add("above", 108.0)
    assert setup.keys() == [*ids, kept]
    lines = setup.chart.alert_lines
    kept_line, kept_tip = lines.line_item(kept), lines.line_item(kept).toolTip()
    setup.monitor.subscribed("BTC-USDT", "1min", False)  # the link drops
    scans: list[int] = []
    every = setup.book.alerts
    setup.book.alerts = lambda: scans.append(1) or every()  # a look at all the alerts
    spike = Candle(T0 + 60 * TF, 100.0, 104.0, 99.0, 100.0, 1.0, 100.0)

    setup.monitor.subscribed("BTC-USDT", "1min", True)
    setup.monitor.apply("BTC-USDT", "1min", [spike])
    setup.monitor.history_loaded("BTC-USDT", "1min", True)  # the catch-up: 200 fire

    assert len(setup.book.log) == 200
    assert len(scans) < 10  # not all the lines again for each alert that changed
    assert setup.keys() == [kept]
    assert lines.line_item(kept) is kept_line and kept_line.toolTip() == kept_tip


def test_y_pixel_places_a_value_in_the_boxs_pixels(setup: Setup) -> None:
    box = setup.chart.price_view
    box.setRange(yRange=(100, 140), padding=0)
    assert y_pixel(box, 140) == 0
    assert y_pixel(box, 100) == pytest.approx(box.height())
    assert y_pixel(box, 120) == pytest.approx(box.height() / 2)
