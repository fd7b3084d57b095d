"""What acts on the active cell and what follows it, against the local exchange: the active
cell clicked or stepped to (Ctrl+Tab), the timeframe keys, the pair dialog and the watchlist's
Enter, the layout keys wherever the focus is (a chart, the watchlist, the alerts dock), the
View menu and the CSV export, the title, menus and status bar once the active cell is gone
with a smaller layout or the source switched to the demo exchange, a refused series neither
remembered when its cell is activated nor saved in a cell put aside, and the workspace saved
soon after a change but never on a candle. Waits are on conditions with timeouts; nothing
sleeps."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from kucandle_gui.model import LayoutKind, SeriesKey, SeriesState
from kucandle_gui.model.drawings import HorizontalLine
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.ui.chart import DARK
from kucandle_gui.ui.chart.drawings import Tool
from kucandle_gui.ui.layout_store import LayoutStore
from kucandle_gui.ui.main_window import MainWindow
from tests.ui.window_kit import (
    CTRL,
    SHIFT,
    WAIT_MS,
    active_index,
    click,
    drawn,
    focus,
    keys,
    spec,
    study_entries,
)

ALT = Qt.KeyboardModifier.AltModifier


def press(qtbot, widget: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    """The key typed with the focus in ``widget``, as a user's key goes to the focus."""
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)
    qtbot.keyClick(widget, key, modifiers)


def saved_layout(window: MainWindow):
    """The workspace as written to the settings (what the next start opens)."""
    return LayoutStore(window.settings).load()[0]


def test_the_active_cell_by_click_and_ctrl_tab(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(
            LayoutKind.THREE, ("BTC-USDT", "1min"), ("ETH-USDT", "5min"), ("SOL-USDT", "1min")
        ),
    )
    window.resize(1400, 900)
    cells = window.grid.cells
    assert window.grid.active is cells[0] and cells[0].frame_color() == DARK.accent
    assert window.windowTitle().startswith("BTC-USDT · 1min")
    click(qtbot, cells[1])
    assert window.grid.active is cells[1] and window.chart is cells[1].chart
    assert cells[1].frame_color() == DARK.accent and cells[0].frame_color() != DARK.accent
    assert window.windowTitle().startswith("ETH-USDT · 5min")
    assert window.menu_actions.timeframes["5min"].isChecked()
    focus(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Tab, CTRL)
    assert active_index(window) == 2
    qtbot.keyClick(window, Qt.Key.Key_Tab, CTRL)
    assert active_index(window) == 0  # round the layout
    qtbot.keyClick(window, Qt.Key.Key_Backtab, CTRL | SHIFT)
    assert active_index(window) == 2
    assert window.windowTitle().startswith("SOL-USDT · 1min")
    window.menu_actions.previous_chart.trigger()
    assert active_index(window) == 1
    # The status bar follows the active cell's subscription.
    qtbot.waitUntil(lambda: window.status_bar.state_label.text() == "live", timeout=WAIT_MS)
    window.monitor.subscribed("ETH-USDT", "5min", False)
    assert window.status_bar.state_label.text() == "subscribing ETH-USDT 5min…"
    window.monitor.subscribed("BTC-USDT", "1min", False)  # another cell's: not said
    assert window.status_bar.state_label.text() == "subscribing ETH-USDT 5min…"


def test_keys_dialog_and_watchlist_act_on_the_active_cell(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("BTC-USDT", "1min")),
    )
    first, second = window.grid.cells
    click(qtbot, second)
    focus(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_3, ALT)  # 5min
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)  # 15min
    assert keys(window) == [("BTC-USDT", "1min"), ("BTC-USDT", "15min")]

    qtbot.keyClick(window, Qt.Key.Key_P, CTRL)
    dialog = window.pair_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.pairs_shown() != [], timeout=WAIT_MS)
    qtbot.keyClicks(dialog.filter_edit, "eth-usdt")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert keys(window) == [("BTC-USDT", "1min"), ("ETH-USDT", "15min")]

    panel = window.watchlist_panel
    panel.table.setFocus()
    panel.select(["SOL-USDT"])
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert keys(window) == [("BTC-USDT", "1min"), ("SOL-USDT", "15min")]
    assert window.grid.active is second
    assert window.windowTitle().startswith("SOL-USDT · 15min")
    assert window.settings.recent[0] == "SOL-USDT"
    drawn(qtbot, first)
    assert all(c.time % 60 == 0 for c in first.chart.candles())  # the other cell unchanged
    drawn(qtbot, second)
    assert all(c.time % 900 == 0 for c in second.chart.candles())


def test_layout_keys_work_wherever_the_focus_is(qtbot, make_window, exchange):
    window = make_window(exchange.base_url)
    window.resize(1400, 900)
    focus(qtbot, window)
    window.alerts.show_panel()
    places: dict[str, Callable[[], QWidget]] = {
        "chart": lambda: window.chart.graphics_view,  # the active one's (a click activates)
        "watchlist": lambda: window.watchlist_panel.table,
        "alerts dock": lambda: window.alerts.panel.table,
    }
    layout = window.workspace
    for where, widget in places.items():
        press(qtbot, widget(), Qt.Key.Key_4, CTRL | SHIFT)
        assert layout.layout is LayoutKind.GRID, where
        press(qtbot, widget(), Qt.Key.Key_Tab, CTRL)
        assert layout.active_index == 1, where
        press(qtbot, widget(), Qt.Key.Key_Backtab, CTRL | SHIFT)
        press(qtbot, widget(), Qt.Key.Key_Backtab, CTRL | SHIFT)
        assert layout.active_index == 3, where  # round the layout
        press(qtbot, widget(), Qt.Key.Key_3, CTRL | SHIFT)
        assert layout.layout is LayoutKind.THREE and layout.active_index == 2, where
        press(qtbot, widget(), Qt.Key.Key_1, CTRL | SHIFT)
        assert layout.layout is LayoutKind.SINGLE and len(window.grid.cells) == 1, where


def test_the_view_menu_and_the_export_act_on_the_active_cell(
    qtbot, make_window, exchange, tmp_path
):
    window = make_window(
        exchange.base_url,
        workspace=spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("ETH-USDT", "5min")),
    )
    first, second = window.grid.cells
    for cell in (first, second):
        drawn(qtbot, cell)
    click(qtbot, second)
    actions = window.menu_actions
    actions.follow_live.trigger()  # off: the active chart only
    assert not second.chart.follow_live() and first.chart.follow_live()
    assert not actions.follow_live.isChecked()
    click(qtbot, first)
    assert actions.follow_live.isChecked()  # the entry says the active chart's
    click(qtbot, second)
    assert not actions.follow_live.isChecked()
    assert window.files.export_csv(str(tmp_path / "window.csv")) > 0
    second.chart.export_csv(tmp_path / "second.csv")
    first.chart.export_csv(tmp_path / "first.csv")
    exported = (tmp_path / "window.csv").read_text()
    assert exported == (tmp_path / "second.csv").read_text() != (tmp_path / "first.csv").read_text()


def test_everything_follows_when_the_active_cell_goes(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(
            LayoutKind.GRID,
            ("BTC-USDT", "1min"),
            ("ETH-USDT", "5min"),
            ("SOL-USDT", "15min"),
            ("XRP-USDT", "1hour"),
            active=3,
        ),
    )
    actions = window.menu_actions
    window.indicators.quick_actions["ema:20"].trigger()
    actions.scales[ScaleMode.LOG].trigger()
    actions.hline_tool.trigger()
    window.chart.set_follow_live(False)
    assert not actions.follow_live.isChecked()
    assert actions.watch.text().endswith("XRP-USDT from watchlist")
    first = window.grid.cells[0]
    actions.layouts[LayoutKind.SINGLE].trigger()  # the active cell goes
    assert window.grid.active is first
    assert window.windowTitle().startswith("BTC-USDT · 1min")
    assert actions.timeframes["1min"].isChecked() and actions.scales[ScaleMode.LINEAR].isChecked()
    assert study_entries(window) == [] and actions.follow_live.isChecked()
    assert actions.watch.text().endswith("BTC-USDT from watchlist")
    assert first.chart.drawings.tool() is Tool.HLINE and actions.hline_tool.isChecked()
    qtbot.waitUntil(lambda: window.status_bar.state_label.text() == "live", timeout=WAIT_MS)
    window.monitor.subscribed("BTC-USDT", "1min", False)
    assert window.status_bar.state_label.text() == "subscribing BTC-USDT 1min…"


def refuse_second(qtbot, window: MainWindow) -> None:
    """The second cell (active) switched to a pair the exchange refuses."""
    second = window.grid.cells[1]
    click(qtbot, second)
    window.switch_pair("NOPE-USDT")
    qtbot.waitUntil(lambda: second.model.series.state is SeriesState.REFUSED, timeout=WAIT_MS)


def test_a_refused_series_is_not_remembered_when_its_cell_is_activated(
    qtbot, make_window, exchange
):
    window = make_window(
        exchange.base_url,
        workspace=spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("ETH-USDT", "1min")),
    )
    refuse_second(qtbot, window)
    first, second = window.grid.cells
    click(qtbot, first)
    click(qtbot, second)  # the refused cell active again
    assert window.windowTitle().startswith("NOPE-USDT · 1min")
    assert "NOPE-USDT" not in window.settings.recent
    assert "NOPE-USDT" not in [a.text() for a in window.menu_actions.recent_actions]
    assert window.settings.symbol != "NOPE-USDT"


def test_a_refused_series_put_aside_is_not_opened_again(qtbot, make_window, exchange):
    window = make_window(
        exchange.base_url,
        workspace=spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("ETH-USDT", "1min")),
    )
    refuse_second(qtbot, window)
    window.menu_actions.layouts[LayoutKind.SINGLE].trigger()  # the refused cell put aside
    window.menu_actions.layouts[LayoutKind.SIDE_BY_SIDE].trigger()  # and back, in this run
    assert keys(window) == [("BTC-USDT", "1min"), ("ETH-USDT", "1min")]
    window.menu_actions.layouts[LayoutKind.SINGLE].trigger()
    window.close()
    assert [cell.key for cell in saved_layout(window).cells] == [
        SeriesKey("BTC-USDT", "1min"),
        SeriesKey("ETH-USDT", "1min"),  # the series it showed before
    ]
    again = make_window(exchange.base_url, None, None)
    again.menu_actions.layouts[LayoutKind.SIDE_BY_SIDE].trigger()
    assert keys(again) == [("BTC-USDT", "1min"), ("ETH-USDT", "1min")]


def test_the_workspace_is_saved_soon_after_a_change_and_not_on_candles(
    qtbot, make_window, exchange
):
    window = make_window(exchange.base_url)
    window.monitor.watchlist.set_symbols(["BTC-USDT", "ETH-USDT"])
    window.menu_actions.layouts[LayoutKind.SIDE_BY_SIDE].trigger()
    window.menu_actions.next_chart.trigger()
    window.switch_timeframe("5min")  # a burst of changes
    qtbot.waitUntil(lambda: saved_layout(window).layout is LayoutKind.SIDE_BY_SIDE, timeout=WAIT_MS)
    saved = saved_layout(window)
    assert saved.active == 1 and saved.cells[1].key == SeriesKey("ETH-USDT", "5min")
    timer = window.layout_keeper._save_timer
    assert not timer.isActive()  # the burst was written once
    pending: list[bool] = []
    window.monitor.candles_applied.connect(lambda _key: pending.append(timer.isActive()))
    qtbot.waitUntil(lambda: len(pending) >= 20, timeout=WAIT_MS)
    assert not any(pending)  # candles are no change of the workspace


def test_after_a_switch_to_the_demo_exchange_every_cell_is_simulated_and_the_active_one_said(
    qtbot, make_window, exchange
):
    window = make_window(
        exchange.base_url,
        workspace=spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("ETH-USDT", "5min")),
    )
    first, second = window.grid.cells
    click(qtbot, second)
    window.use_demo_exchange()
    for cell in (first, second):
        drawn(qtbot, cell)
        assert cell.chart.watermark_text() == "SIMULATED"
    assert window.windowTitle() == "SIMULATED · ETH-USDT · 5min — kucandle-gui (demo exchange)"
    assert window.menu_actions.timeframes["5min"].isChecked()
    qtbot.waitUntil(lambda: window.status_bar.state_label.text() == "live", timeout=WAIT_MS)
    window.drawings.book.add("ETH-USDT", HorizontalLine(2000.0))  # the demo's own book
    assert [d.price for d in second.chart.drawings.drawings()] == [2000.0]
    assert first.chart.drawings.drawings() == () and len(window.drawings.real_book) == 0
    window.menu_actions.next_chart.trigger()
    assert window.windowTitle().startswith("SIMULATED · BTC-USDT · 1min")
    assert window.menu_actions.watch.text().endswith("BTC-USDT from watchlist")
