"""Several charts in the window against the local exchange: the Layout menu and its keys, cells
keeping their own pair, timeframe, studies and scale (the Indicators menu showing the active
cell's), drawings and alert lines shown in every cell on their pair, a refused series in one
cell, the screenshot of every cell (what else acts on the active cell: ``test_window_active_cell``;
what is kept: ``test_window_layout_saved``). Driven as a user would;
waits are on conditions with timeouts, nothing sleeps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from kucandle_gui.model import (
    AlertSpec,
    Condition,
    LayoutKind,
    SeriesState,
)
from kucandle_gui.model.drawings import HorizontalLine
from kucandle_gui.model.indicators import DEFAULT_COLORS, Study
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.ui.cells import ChartCell
from kucandle_gui.ui.chart.drawings import Tool
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.wording import BannerKind
from tests.ui.cell_kit import hover_until
from tests.ui.window_kit import (
    CTRL,
    EMA20,
    RSI14,
    SHIFT,
    WAIT_MS,
    click,
    drawn,
    focus,
    keys,
    spec,
    study_entries,
)


@pytest.fixture
def window(make_window, exchange) -> MainWindow:
    window = make_window(exchange.base_url)
    window.resize(1400, 900)
    return window


def test_the_layout_menu(window):
    actions = window.menu_actions
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("La&yout") == titles.index("&View") + 1
    assert titles.index("&Indicators") == titles.index("La&yout") + 1
    entries = [(a.text(), a.shortcut().toString()) for a in actions.layouts.values()]
    assert entries == [
        ("&1 chart", "Ctrl+Shift+1"),
        ("&2 charts side by side", "Ctrl+Shift+2"),
        ("2 charts &stacked", ""),
        ("&3 charts", "Ctrl+Shift+3"),
        ("&4 charts (2x2)", "Ctrl+Shift+4"),
    ]
    assert actions.layouts[LayoutKind.SINGLE].isChecked()
    assert actions.next_chart.shortcut().toString() == "Ctrl+Tab"
    assert actions.previous_chart.shortcut().toString() == "Ctrl+Shift+Tab"
    assert not actions.next_chart.isEnabled()  # one chart: nothing to go to
    assert len(window.grid.cells) == 1 and not window.grid.active.is_framed()


@pytest.mark.parametrize("kind", list(LayoutKind), ids=lambda kind: kind.value)
def test_each_layout_from_the_menu(qtbot, window, kind):
    window.monitor.watchlist.set_symbols(["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"])
    window.menu_actions.layouts[kind].trigger()
    assert window.workspace.layout is kind
    assert window.menu_actions.layouts[kind].isChecked()
    cells = window.grid.cells
    assert len(cells) == kind.cells
    # The first cell as it was; new ones show the watchlist's pairs not on screen yet.
    pairs = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"][: kind.cells]
    assert keys(window) == [(pair, "1min") for pair in pairs]
    assert all(cell.is_framed() == (kind.cells > 1) for cell in cells)
    assert window.menu_actions.next_chart.isEnabled() == (kind.cells > 1)
    for cell in cells:  # every cell draws its own series
        drawn(qtbot, cell)
        assert cell.isVisible() and cell.width() > 100 and cell.height() > 100


def test_ctrl_shift_digits_choose_the_layouts(qtbot, window):
    focus(qtbot, window)
    layout = window.workspace

    def press(digit: Qt.Key) -> LayoutKind:
        qtbot.keyClick(window, digit, CTRL | SHIFT)
        return layout.layout

    assert press(Qt.Key.Key_4) is LayoutKind.GRID and len(window.grid.cells) == 4
    assert press(Qt.Key.Key_3) is LayoutKind.THREE and len(window.grid.cells) == 3
    assert press(Qt.Key.Key_2) is LayoutKind.SIDE_BY_SIDE
    assert press(Qt.Key.Key_2) is LayoutKind.STACKED  # again: stacked
    assert window.menu_actions.layouts[LayoutKind.STACKED].isChecked()
    assert press(Qt.Key.Key_2) is LayoutKind.SIDE_BY_SIDE  # and back
    assert press(Qt.Key.Key_1) is LayoutKind.SINGLE and len(window.grid.cells) == 1
    assert window.menu_actions.layouts[LayoutKind.SINGLE].isChecked()


def test_cells_keep_their_own_studies_and_scale(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(LayoutKind.STACKED, ("BTC-USDT", "1min"), ("ETH-USDT", "1min")),
    )
    first, second = window.grid.cells
    window.indicators.quick_actions["ema:20"].trigger()
    window.menu_actions.scales[ScaleMode.LOG].trigger()
    assert study_entries(window) == ["EMA 20"]
    window.menu_actions.next_chart.trigger()
    assert window.grid.active is second
    assert study_entries(window) == []  # the menu shows the active cell's
    assert window.menu_actions.scales[ScaleMode.LINEAR].isChecked()
    window.indicators.quick_actions["rsi:14"].trigger()
    window.menu_actions.scales[ScaleMode.PERCENT].trigger()
    assert study_entries(window) == ["RSI 14"]
    assert first.model.studies == (Study(EMA20, DEFAULT_COLORS[0], True),)
    assert second.model.studies == (Study(RSI14, DEFAULT_COLORS[0], True),)
    assert (first.chart.scale.mode, second.chart.scale.mode) == (ScaleMode.LOG, ScaleMode.PERCENT)
    assert first.chart.study_views() == [] and second.chart.study_view(RSI14) is not None
    window.menu_actions.next_chart.trigger()  # round to the first again
    assert study_entries(window) == ["EMA 20"]
    assert window.menu_actions.scales[ScaleMode.LOG].isChecked()
    # A switch of pair keeps the cell's own.
    window.switch_pair("SOL-USDT")
    assert first.model.studies == (Study(EMA20, DEFAULT_COLORS[0], True),)
    assert first.chart.scale.mode is ScaleMode.LOG


def test_a_line_drawn_in_one_cell_shows_in_another_on_the_same_pair(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(
            LayoutKind.THREE, ("BTC-USDT", "1min"), ("BTC-USDT", "5min"), ("ETH-USDT", "1min")
        ),
    )
    window.resize(1400, 900)
    first, second, third = window.grid.cells
    for cell in (first, second):
        drawn(qtbot, cell)
        cell.chart.set_follow_live(False)
    actions = window.menu_actions
    actions.hline_tool.trigger()
    assert first.chart.drawings.tool() is Tool.HLINE
    window.menu_actions.next_chart.trigger()  # the armed tool moves to the active cell
    assert first.chart.drawings.tool() is None
    assert second.chart.drawings.tool() is Tool.HLINE and actions.hline_tool.isChecked()
    click(qtbot, second)
    (line,) = second.chart.drawings.drawings()
    assert isinstance(line, HorizontalLine)
    assert first.chart.drawings.drawings() == (line,)  # the same pair, another timeframe
    assert third.chart.drawings.drawings() == ()  # another pair
    assert not actions.hline_tool.isChecked()
    window.drawings.book.add("ETH-USDT", HorizontalLine(2000.0))
    assert [d.price for d in third.chart.drawings.drawings()] == [2000.0]
    actions.delete_drawings.trigger()  # the active cell's pair
    assert first.chart.drawings.drawings() == () == second.chart.drawings.drawings()
    assert len(third.chart.drawings.drawings()) == 1
    assert window.status_bar.message_label.text() == "1 drawing on BTC-USDT deleted"


def test_an_alert_line_shows_in_every_cell_on_its_pair(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(
            LayoutKind.THREE, ("BTC-USDT", "1min"), ("BTC-USDT", "5min"), ("ETH-USDT", "1min")
        ),
    )
    window.resize(1400, 900)
    first, second, third = window.grid.cells
    drawn(qtbot, first)
    price = first.chart.last_price()
    alert = window.monitor.alerts.add(AlertSpec.of("BTC-USDT", Condition.ABOVE, price * 2))

    def lines(cell: ChartCell) -> list[int]:
        return [line.key for line in cell.chart.alert_lines.lines()]

    assert lines(first) == [alert.id] == lines(second)
    assert lines(third) == []
    # Alt+A: the cell under the mouse, though another one is active.
    drawn(qtbot, third)
    third.chart.set_follow_live(False)
    assert window.grid.active is first
    middle = third.chart.graphics_view.viewport().rect().center()
    hover_until(qtbot, third.chart, middle, lambda: third.chart.crosshair_price() is not None)
    window.menu_actions.alert_at_crosshair.trigger()
    eth = [a for a in window.monitor.alerts.alerts() if a.symbol == "ETH-USDT"]
    assert len(eth) == 1
    assert lines(third) == [eth[0].id] and eth[0].id not in lines(first)
    window.menu_actions.new_alert.trigger()  # the active cell's pair
    assert window.alerts.panel.form.pair_edit.text() == "BTC-USDT"


def test_a_refused_series_in_one_cell_leaves_the_others_drawing(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("ETH-USDT", "1min")),
    )
    first, second = window.grid.cells
    drawn(qtbot, first)
    click(qtbot, second)
    window.switch_pair("NOPE-USDT")
    click(qtbot, first)  # the refused cell is not the active one
    qtbot.waitUntil(lambda: window.banner.kind is BannerKind.PAIR, timeout=WAIT_MS)
    assert "NOPE-USDT" in window.banner.text()
    assert second.model.series.state is SeriesState.REFUSED
    assert second.header_text() == "NOPE-USDT · 1min · refused by the exchange"
    assert second.chart.loading_text() == "NOPE-USDT 1min is not available"
    assert window.banner.action_button.text() == "Back to ETH-USDT 1min"
    count = first.chart.candle_count()
    qtbot.waitUntil(lambda: first.chart.candle_count() > count, timeout=WAIT_MS)  # still live
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    assert keys(window) == [("BTC-USDT", "1min"), ("ETH-USDT", "1min")]
    assert window.grid.active is first  # that cell switched back, the active one untouched
    assert window.banner.text() == ""
    drawn(qtbot, second)


def test_back_to_switches_every_cell_showing_the_refused_series(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("ETH-USDT", "1min")),
    )
    first, second = window.grid.cells
    for cell in (first, second):
        click(qtbot, cell)
        window.switch_pair("NOPE-USDT")
    qtbot.waitUntil(lambda: window.banner.kind is BannerKind.PAIR, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: all(c.model.series.state is SeriesState.REFUSED for c in (first, second)),
        timeout=WAIT_MS,
    )
    assert window.banner.action_button.text() == "Back to ETH-USDT 1min"  # the active cell's
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    assert keys(window) == [("BTC-USDT", "1min"), ("ETH-USDT", "1min")]
    assert window.banner.text() == ""  # no chart shows the refused pair any more


def test_a_screenshot_of_several_cells_is_the_whole_chart_area(qtbot, window, tmp_path):
    window.menu_actions.layouts[LayoutKind.SIDE_BY_SIDE].trigger()
    for cell in window.grid.cells:
        drawn(qtbot, cell)
    png = tmp_path / "charts.png"
    assert window.files.save_screenshot(str(png))
    image = QImage(str(png))
    ratio = window.grid.devicePixelRatioF()
    assert (image.width(), image.height()) == (
        round(window.grid.width() * ratio),
        round(window.grid.height() * ratio),
    )
    assert image.width() > window.chart.width() * ratio  # both cells, not the active one


def callbacks(model) -> list[int]:
    """What is still connected to a chart model's events and its series'."""
    series = model.series
    return [
        len(model.series_switched),
        len(model.studies_changed),
        len(model.scale_changed),
        len(series.changed),
        len(series.state_changed),
        len(series.subscription_changed),
    ]


def test_cells_gone_leave_nothing_on_the_model(qtbot, window):
    window.monitor.watchlist.set_symbols(["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"])
    window.menu_actions.layouts[LayoutKind.GRID].trigger()
    window.menu_actions.next_chart.trigger()
    gone = [cell.model for cell in window.grid.cells[1:]]
    window.menu_actions.layouts[LayoutKind.SINGLE].trigger()
    assert all(callbacks(model) == [0] * 6 for model in gone)
    wanted = {key.symbol for key in window.monitor.wanted()}
    assert wanted.isdisjoint({"ETH-USDT", "SOL-USDT", "XRP-USDT"})  # released, unsubscribed
    assert window.grid.active.model.key.symbol == "BTC-USDT"
    window.menu_actions.layouts[LayoutKind.SIDE_BY_SIDE].trigger()
    shown = [cell.model for cell in window.grid.cells]
    window.close()
    assert all(callbacks(model) == [0] * 6 for model in shown)
    assert window.monitor.charts == []
