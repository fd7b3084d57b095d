"""The Draw menu in the window against the local exchange: tools armed from the menu and by
keys, lines placed with the mouse on the chart, each pair's own drawings, kept across a
restart; demo mode's drawings apart and never saved; a damaged saved value kept aside and
said. Waits are on conditions with timeouts; nothing sleeps."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from kucandle_gui.model.drawings import HorizontalLine, TrendLine
from kucandle_gui.ui.chart.drawings import Tool
from kucandle_gui.ui.drawings_store import BOOK_KEY
from kucandle_gui.ui.main_window import MainWindow

WAIT_MS = 15_000


def store_at(path: str) -> QSettings:
    return QSettings(path, QSettings.Format.IniFormat)


def saved_pairs(path: str) -> dict[str, list[dict]]:
    raw = store_at(path).value(BOOK_KEY)
    return json.loads(raw)["pairs"] if raw else {}


def kinds(window: MainWindow) -> list[str]:
    return [type(d).__name__ for d in window.chart.drawings.drawings()]


def wait_drawn(qtbot, window: MainWindow) -> None:
    """Until the chart shows candles of the current series."""
    qtbot.waitUntil(lambda: window.chart.drawn_count() > 0, timeout=WAIT_MS)


def at(window: MainWindow, fx: float, fy: float) -> QPoint:
    """The point at fractions (``fx``, ``fy``) of the price pane, in the chart view's viewport."""
    box = window.chart.price_view
    rect = box.rect()
    scene = box.mapToScene(rect.left() + fx * rect.width(), rect.top() + fy * rect.height())
    return window.chart.graphics_view.mapFromScene(scene)


def click(qtbot, window: MainWindow, fx: float, fy: float) -> None:
    viewport = window.chart.graphics_view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=at(window, fx, fy))


@pytest.fixture
def window(make_window, exchange) -> MainWindow:
    window = make_window(exchange.base_url)
    window.resize(1200, 800)
    return window


def test_the_draw_menu_arms_the_layers_tools(qtbot, window):
    actions = window.menu_actions
    layer = window.chart.drawings
    assert actions.hline_tool.shortcut().toString() == "Alt+H"
    assert actions.trend_tool.shortcut().toString() == "Alt+T"
    assert not actions.measure_note.isEnabled() and "Shift+drag" in actions.measure_note.text()
    actions.hline_tool.trigger()
    assert layer.tool() is Tool.HLINE and actions.hline_tool.isChecked()
    actions.trend_tool.trigger()
    assert layer.tool() is Tool.TREND
    assert actions.trend_tool.isChecked() and not actions.hline_tool.isChecked()
    actions.trend_tool.trigger()  # again: disarmed
    assert layer.tool() is None and not actions.trend_tool.isChecked()
    actions.hline_tool.trigger()
    layer.set_tool(None)  # as Escape does: the menu follows
    assert not actions.hline_tool.isChecked()


def test_alt_h_and_alt_t_arm_the_tools_from_the_keyboard(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    layer = window.chart.drawings
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    assert layer.tool() is Tool.HLINE
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert layer.tool() is Tool.TREND
    assert window.timeframe == "1min"  # Alt+T is not the Timeframe menu's any more


def test_lines_are_placed_with_the_mouse_and_kept_per_pair(qtbot, window, settings_path):
    wait_drawn(qtbot, window)
    window.chart.set_follow_live(False)  # the view stays put while lines are placed
    actions, layer = window.menu_actions, window.chart.drawings
    actions.hline_tool.trigger()
    click(qtbot, window, 0.5, 0.5)
    assert kinds(window) == ["HorizontalLine"]
    assert layer.tool() is None and not actions.hline_tool.isChecked()  # one line per arming
    actions.trend_tool.trigger()
    click(qtbot, window, 0.3, 0.6)  # two clicks: the trend line's two points
    click(qtbot, window, 0.7, 0.4)
    assert kinds(window) == ["HorizontalLine", "TrendLine"]
    assert all(d.id for d in layer.drawings())

    window.switch_pair("ETH-USDT")
    assert layer.symbol == "ETH-USDT" and kinds(window) == []  # another pair: its own lines
    wait_drawn(qtbot, window)
    actions.hline_tool.trigger()
    click(qtbot, window, 0.5, 0.5)
    assert kinds(window) == ["HorizontalLine"]
    window.switch_pair("BTC-USDT")
    assert kinds(window) == ["HorizontalLine", "TrendLine"]

    actions.delete_drawings.trigger()
    assert kinds(window) == []
    assert window.status_bar.message_label.text() == "2 drawings on BTC-USDT deleted"
    window.close()
    pairs = saved_pairs(settings_path)
    assert list(pairs) == ["ETH-USDT"] and pairs["ETH-USDT"][0]["kind"] == "hline"


def test_an_armed_tool_stays_armed_on_another_pair(qtbot, window):
    """A switch of pair drops the gesture under way (the trend line's first point), not the
    tool: its line is placed on the new pair (``DrawingLayer.set_pair``)."""
    wait_drawn(qtbot, window)
    window.chart.set_follow_live(False)
    actions, layer = window.menu_actions, window.chart.drawings
    actions.trend_tool.trigger()
    click(qtbot, window, 0.3, 0.6)  # the first point
    window.switch_pair("ETH-USDT")
    assert layer.tool() is Tool.TREND and actions.trend_tool.isChecked()
    wait_drawn(qtbot, window)
    window.chart.set_follow_live(False)
    click(qtbot, window, 0.3, 0.6)
    assert kinds(window) == []  # a first point again: the one placed before went
    click(qtbot, window, 0.7, 0.4)
    assert kinds(window) == ["TrendLine"] and layer.tool() is None
    window.switch_pair("BTC-USDT")
    assert kinds(window) == []


def test_drawings_are_restored_per_pair_after_a_restart(make_window, exchange, settings_path):
    first = make_window(exchange.base_url)
    book = first.drawings.book
    price = 50_000.0
    book.add("BTC-USDT", HorizontalLine(price))
    book.add("ETH-USDT", TrendLine(1_700_000_000, 2000.0, 1_700_003_600, 2100.0, True))
    first.close()

    again = make_window(exchange.base_url)
    layer = again.chart.drawings
    assert [(type(d), getattr(d, "price", None)) for d in layer.drawings()] == [
        (HorizontalLine, price)
    ]
    again.switch_pair("ETH-USDT")
    (trend,) = layer.drawings()
    assert isinstance(trend, TrendLine)
    assert (trend.t1, trend.p1, trend.t2, trend.p2, trend.extend_right) == (
        1_700_000_000,
        2000.0,
        1_700_003_600,
        2100.0,
        True,
    )


def test_a_change_is_saved_soon_without_closing(qtbot, window, settings_path):
    window.drawings.book.add("BTC-USDT", HorizontalLine(123.0))
    qtbot.waitUntil(lambda: "BTC-USDT" in saved_pairs(settings_path), timeout=WAIT_MS)


def test_demo_drawings_are_apart_and_never_saved(qtbot, make_window, exchange, settings_path):
    first = make_window(exchange.base_url)
    first.drawings.book.add("BTC-USDT", HorizontalLine(100.0))
    first.close()
    before = store_at(settings_path).value(BOOK_KEY)

    demo = make_window("http://unused.invalid", demo=True)
    layer = demo.chart.drawings
    assert demo.demo and kinds(demo) == []  # the real lines are not at simulated prices
    assert demo.drawings.book is demo.drawings.demo_book
    demo.drawings.book.add("BTC-USDT", HorizontalLine(200.0))
    assert [d.price for d in layer.drawings()] == [200.0]
    demo.link.start(exchange.base_url)  # the real exchange again: its lines are back
    assert not demo.demo
    assert [d.price for d in layer.drawings()] == [100.0]
    demo.close()
    assert store_at(settings_path).value(BOOK_KEY) == before


def test_a_damaged_saved_value_is_kept_aside_and_said(make_window, exchange, settings_path):
    store = store_at(settings_path)
    store.setValue(BOOK_KEY, "{damaged")
    store.sync()
    window = make_window(exchange.base_url)
    text = window.status_bar.message_label.text()
    assert text.startswith("Saved drawings: the saved drawings could not be read")
    assert "drawings/book-backup-" in text
    assert kinds(window) == []
    window.drawings.book.add("BTC-USDT", HorizontalLine(1.0))
    window.close()
    backups = [k for k in store_at(settings_path).allKeys() if "book-backup-" in k]
    assert [store_at(settings_path).value(k) for k in backups if "drawings" in k] == ["{damaged"]
