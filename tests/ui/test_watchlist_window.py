"""The watchlist in the main window against the local exchange: rows filled with the
exchange's statistics in each pair's precision, opening a pair from it, adding from the pair
dialog, what is saved (and what is not, in demo mode), and rows going stale when the link is
down. Driven as a user would; waits are on conditions with timeouts, nothing sleeps.
"""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QSettings, Qt

from kucandle_gui.protocol import snapshot_push_message
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


def enter(qtbot, window: MainWindow, text: str) -> None:
    """Type ``text`` in the watchlist's emptied filter box and press Enter."""
    box = window.watchlist_panel.filter_edit
    box.clear()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


@pytest.fixture
def window(make_window, exchange) -> MainWindow:
    return make_window(exchange.base_url)


def test_rows_show_the_exchanges_statistics_in_each_pairs_precision(qtbot, window, exchange):
    panel = window.watchlist_panel
    assert panel.objectName() == "watchlist" and panel.isVisible()
    assert window.monitor.watchlist.symbols == DEFAULT_WATCHLIST  # a first start
    listed: list[object] = []  # the exchange's pairs, with their price increments
    window.link.symbolsLoaded.connect(listed.append)  # asked for once the feed is live
    qtbot.waitUntil(
        lambda: bool(listed) and filled(window) and window.chart.last_price() is not None,
        timeout=WAIT_MS,
    )
    for symbol in ("ETH-USDT", "XRP-USDT", "KCS-USDT"):
        row = window.monitor.watchlist.row(symbol)
        assert row.ticker == exchange.ticker(symbol, at=row.ticker.time / 1000)
        decimals = len(CATALOG[symbol].price_increment.split(".")[1])
        assert cell(window, symbol, Column.LAST) == f"{row.last:.{decimals}f}"
        assert cell(window, symbol, Column.HIGH) == f"{row.high:.{decimals}f}"
    # The chart's pair agrees with the chart (checked in one turn of the event loop), even
    # when a snapshot says otherwise: one a minute ahead of the exchange's own (so these, older
    # from then on, are not applied), its last price not the chart's close.
    btc = window.monitor.watchlist.row("BTC-USDT")
    assert cell(window, "BTC-USDT", Column.LAST) == format_price(window.chart.last_price(), 1)
    other = dataclasses.replace(
        btc.ticker, last=round(window.chart.last_price() * 1.5, 1), time=btc.ticker.time + 60_000
    )
    assert exchange.faults.send_raw(snapshot_push_message(other, 1)) == 1
    qtbot.waitUntil(lambda: btc.ticker.time == other.time, timeout=WAIT_MS)
    assert btc.ticker.last == other.last != window.chart.last_price()
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
    enter(qtbot, window, "nope-usdt")  # the demo exchange does not list it: not added
    assert "NOPE-USDT" not in watchlist
    text = "The demo exchange does not list NOPE-USDT: not added"
    assert panel.message_label.text() == text
    panel.filter_edit.clear()
    watchlist.add("NOPE-USDT")  # (as from saved settings) refused by the exchange, marked so
    qtbot.waitUntil(lambda: cell(window, "NOPE-USDT", Column.SIGN) == "✕", timeout=WAIT_MS)
    tip = cell(window, "NOPE-USDT", Column.SIGN, Qt.ItemDataRole.ToolTipRole)
    assert tip == "The demo exchange does not serve this pair"
    assert AppSettings(store_at(settings_path)).watchlist == ["ETH-BTC", "SOL-USDT"]

    window.link.start(exchange.base_url)  # a real (not simulated) exchange again
    assert watchlist.symbols == ("ETH-BTC", "SOL-USDT")
    assert not panel.demo_label.isVisibleTo(panel)
    qtbot.waitUntil(lambda: signs(window) == ["", ""], timeout=WAIT_MS)
    assert AppSettings(store_at(settings_path)).watchlist == ["ETH-BTC", "SOL-USDT"]


def test_enter_in_the_filter_box_opens_the_match_and_adds_only_listed_pairs(qtbot, window):
    watchlist = window.monitor.watchlist
    listed: list[object] = []
    window.link.symbolsLoaded.connect(listed.append)
    window.switch_timeframe("5min")
    enter(qtbot, window, "eth-us")  # the filter shows ETH-USDT: opened, nothing added
    assert (window.symbol, window.timeframe) == ("ETH-USDT", "5min")
    enter(qtbot, window, "xrp-usdt")
    assert window.symbol == "XRP-USDT"
    assert watchlist.symbols == DEFAULT_WATCHLIST
    qtbot.waitUntil(lambda: bool(listed), timeout=WAIT_MS)  # the exchange's pairs are known
    enter(qtbot, window, "nope-usdt")
    assert watchlist.symbols == DEFAULT_WATCHLIST
    text = "KuCoin does not list NOPE-USDT: not added"
    assert window.watchlist_panel.message_label.text() == text
    enter(qtbot, window, "eth-btc")  # listed: added, its values follow
    assert watchlist.symbols[-1] == "ETH-BTC" and window.symbol == "XRP-USDT"
    qtbot.waitUntil(lambda: watchlist.row("ETH-BTC").ticker is not None, timeout=WAIT_MS)


def test_before_the_pairs_are_known_a_typed_pair_is_added_and_the_exchange_decides(
    qtbot, make_window, exchange
):
    exchange.faults.rest_server_error("/api/v2/symbols", count=1_000)  # never known
    window = make_window(exchange.base_url)
    watchlist = window.monitor.watchlist
    qtbot.waitUntil(lambda: signs(window) == [""] * len(DEFAULT_WATCHLIST), timeout=WAIT_MS)
    enter(qtbot, window, "nope-usdt")
    assert watchlist.symbols[-1] == "NOPE-USDT"
    qtbot.waitUntil(lambda: cell(window, "NOPE-USDT", Column.SIGN) == "✕", timeout=WAIT_MS)
    assert cell(window, "NOPE-USDT", Column.SIGN, Qt.ItemDataRole.ToolTipRole) == (
        "KuCoin does not serve this pair"
    )
    enter(qtbot, window, "eth-btc")
    qtbot.waitUntil(lambda: watchlist.row("ETH-BTC").ticker is not None, timeout=WAIT_MS)


def test_every_pair_dialog_adds_to_the_watchlist_however_it_was_opened(qtbot, window):
    for open_dialog in (window.menu_actions.choose_pair.trigger, window.pairs.open):
        open_dialog()
        dialog = window.pair_dialog
        qtbot.waitUntil(lambda d=dialog: d.pairs_shown() != [], timeout=WAIT_MS)
        pair = "ETH-BTC" if "ETH-BTC" not in window.monitor.watchlist else "QUIET-USDT"
        qtbot.keyClicks(dialog.filter_edit, pair)
        dialog.add_button.click()
        assert window.monitor.watchlist.symbols[-1] == pair
        assert dialog.hint_label.text() == f"{pair} added to the watchlist"
        dialog.filter_edit.clear()
        qtbot.keyClicks(dialog.filter_edit, "nope-usdt")
        dialog.add_button.click()
        assert dialog.hint_label.text() == "KuCoin does not list NOPE-USDT: not added"
        dialog.reject()
        qtbot.waitUntil(lambda: window.pair_dialog is None, timeout=WAIT_MS)


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
