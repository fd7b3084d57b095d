"""The watchlist in the main window against the local exchange: rows filled with the
exchange's statistics in each pair's precision, opening a pair from it, adding from the pair
dialog, what is saved (and what is not, in demo mode), and rows going stale when the link is
down. Driven as a user would; waits are on conditions with timeouts, nothing sleeps.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from kucandle_gui.sim.symbols import CATALOG, DEFAULT_SYMBOLS
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.settings import DEFAULT_WATCHLIST, AppSettings
from kucandle_gui.ui.watchlist import Column
from kucandle_gui.ui.watchlist.formatting import format_price

WAIT_MS = 15_000


def cell(window: MainWindow, symbol: str, column: Column, role=Qt.ItemDataRole.DisplayRole):
    model = window.watchlist_panel.table_model
    return model.index(model.row_of(symbol), column).data(role)


def signs(window: MainWindow) -> list[str]:
    model = window.watchlist_panel.table_model
    return [model.index(row, Column.SIGN).data() for row in range(model.rowCount())]


def filled(window: MainWindow) -> bool:
    return all(row.ticker is not None for row in window.monitor.watchlist.rows())


def store_at(path: str) -> QSettings:
    return QSettings(path, QSettings.Format.IniFormat)


@pytest.fixture
def window(make_window, exchange) -> MainWindow:
    return make_window(exchange.base_url)


def test_rows_show_the_exchanges_statistics_in_each_pairs_precision(qtbot, window, exchange):
    panel = window.watchlist_panel
    assert panel.objectName() == "watchlist" and panel.isVisible()
    assert window.monitor.watchlist.symbols == DEFAULT_WATCHLIST  # a first start
    listed: list[object] = []  # the exchange's pairs, with their price increments
    window.link.symbolsLoaded.connect(listed.append)  # asked for once the feed is live
    qtbot.waitUntil(lambda: bool(listed) and filled(window), timeout=WAIT_MS)
    for symbol in ("ETH-USDT", "XRP-USDT", "KCS-USDT"):
        row = window.monitor.watchlist.row(symbol)
        assert row.ticker == exchange.ticker(symbol, at=row.ticker.time / 1000)
        decimals = len(CATALOG[symbol].price_increment.split(".")[1])
        assert cell(window, symbol, Column.LAST) == f"{row.last:.{decimals}f}"
        assert cell(window, symbol, Column.HIGH) == f"{row.high:.{decimals}f}"
    # The chart's pair agrees with the chart (checked in one turn of the event loop).
    assert cell(window, "BTC-USDT", Column.LAST) == format_price(window.chart.last_price(), 1)
    assert signs(window) == [""] * len(DEFAULT_WATCHLIST)


def test_enter_and_double_click_open_the_pair_keeping_the_timeframe(qtbot, window):
    panel = window.watchlist_panel
    window.switch_timeframe("5min")
    panel.table.setFocus()
    panel.select(["ETH-USDT"])
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert (window.symbol, window.timeframe) == ("ETH-USDT", "5min")
    assert window.chart.loading_text() == "loading ETH-USDT 5min…"
    where = panel.table.visualRect(panel.table_model.index(2, Column.PAIR)).center()  # SOL-USDT
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert (window.symbol, window.timeframe) == ("SOL-USDT", "5min")
    assert window.windowTitle().startswith("SOL-USDT · 5min")


def test_the_pair_dialog_adds_to_the_watchlist_and_stays_open(qtbot, window):
    dialog = window.open_pair_dialog()
    qtbot.waitUntil(lambda: dialog.pairs_shown() != [], timeout=WAIT_MS)
    qtbot.keyClicks(dialog.filter_edit, "quiet")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert window.monitor.watchlist.symbols[-1] == "QUIET-USDT"
    assert dialog.hint_label.text() == "QUIET-USDT added to the watchlist"
    assert dialog.isVisible() and window.symbol == "BTC-USDT"
    dialog.filter_edit.clear()
    qtbot.keyClicks(dialog.filter_edit, "eth-btc")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.monitor.watchlist.symbols[-1] == "ETH-BTC"
    assert dialog.isVisible()
    dialog.filter_edit.clear()
    qtbot.keyClicks(dialog.filter_edit, "eth-btc")
    dialog.add_button.click()
    assert dialog.hint_label.text() == "ETH-BTC is in the watchlist already"
    assert window.monitor.watchlist.symbols.count("ETH-BTC") == 1
    assert window.settings.watchlist[-2:] == ["QUIET-USDT", "ETH-BTC"]


def test_the_first_watchlist_is_the_favourites_and_it_persists(
    qtbot, make_window, exchange, settings_path
):
    store = store_at(settings_path)
    store.setValue("pairs/favourites", ["SOL-USDT", "ETH-BTC"])
    store.sync()
    first = make_window(exchange.base_url)
    watchlist = first.monitor.watchlist
    assert watchlist.symbols == ("SOL-USDT", "ETH-BTC")
    first.watchlist_panel.add("xrp-usdt")
    watchlist.move("XRP-USDT", 0)
    first.close()

    settings = AppSettings(store_at(settings_path))
    assert settings.watchlist == ["XRP-USDT", "SOL-USDT", "ETH-BTC"]
    assert settings.favourites == ["SOL-USDT", "ETH-BTC"]  # as the user saved them
    second = make_window(exchange.base_url)
    assert second.monitor.watchlist.symbols == ("XRP-USDT", "SOL-USDT", "ETH-BTC")
    assert second.watchlist_panel.symbols_shown() == ["XRP-USDT", "SOL-USDT", "ETH-BTC"]


def test_demo_mode_shows_the_demo_pairs_saves_nothing_and_gives_the_list_back(
    qtbot, make_window, exchange, settings_path
):
    store = store_at(settings_path)
    store.setValue("watchlist", ["ETH-BTC", "SOL-USDT"])
    store.sync()
    window = make_window("http://unused.invalid", demo=True)
    panel, watchlist = window.watchlist_panel, window.monitor.watchlist
    assert panel.demo_label.isVisibleTo(panel) and "SIMULATED" in panel.demo_label.text()
    qtbot.waitUntil(lambda: watchlist.symbols == DEFAULT_SYMBOLS, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: cell(window, "QUIET-USDT", Column.LAST) != "", timeout=WAIT_MS)
    watchlist.remove("QUIET-USDT")
    panel.add("NOPE-USDT")  # the demo exchange does not list it: refused, marked so
    qtbot.waitUntil(lambda: cell(window, "NOPE-USDT", Column.SIGN) == "✕", timeout=WAIT_MS)
    tip = cell(window, "NOPE-USDT", Column.SIGN, Qt.ItemDataRole.ToolTipRole)
    assert tip == "The demo exchange does not serve this pair"
    assert AppSettings(store_at(settings_path)).watchlist == ["ETH-BTC", "SOL-USDT"]

    window.link.start(exchange.base_url)  # a real (not simulated) exchange again
    assert watchlist.symbols == ("ETH-BTC", "SOL-USDT")
    assert not panel.demo_label.isVisibleTo(panel)
    qtbot.waitUntil(lambda: signs(window) == ["", ""], timeout=WAIT_MS)
    assert AppSettings(store_at(settings_path)).watchlist == ["ETH-BTC", "SOL-USDT"]


def test_rows_turn_stale_while_the_link_is_down(qtbot, window, exchange):
    qtbot.waitUntil(lambda: signs(window) == [""] * len(DEFAULT_WATCHLIST), timeout=WAIT_MS)
    exchange.faults.outage(True)
    qtbot.waitUntil(lambda: signs(window) == ["⚠"] * len(DEFAULT_WATCHLIST), timeout=WAIT_MS)
    tip = cell(window, "ETH-USDT", Column.SIGN, Qt.ItemDataRole.ToolTipRole)
    assert tip == "connection down: these values may be out of date"
    exchange.faults.outage(False)
    qtbot.waitUntil(lambda: signs(window) == [""] * len(DEFAULT_WATCHLIST), timeout=WAIT_MS)


def test_the_watchlist_dock_hides_and_shows_with_ctrl_l(qtbot, window):
    toggle = window.menu_actions.watchlist
    assert toggle.shortcut().toString() == "Ctrl+L" and toggle.isChecked()
    toggle.trigger()
    assert not window.watchlist_panel.isVisible()
    toggle.trigger()
    assert window.watchlist_panel.isVisible()
