"""The watchlist panel over a watchlist model fed tickers directly (no exchange): what the
rows show, sorting, the manual order, the keyboard, the filter-or-add box, flashes and stale
signs, and the cost of a 300-row update in signals.

A fake clock stands in for the model's and the table's: flashes and ages move when the test
says. Waits are on conditions with timeouts; nothing sleeps.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor

from kucandle_gui.model import FLASH_SECONDS, MAX_WATCHLIST, STALE_AFTER, WatchlistModel
from kucandle_gui.protocol import Ticker
from kucandle_gui.ui.watchlist import Colours, Column, WatchlistPanel

PAIRS = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "ETH-BTC", "XRP-USDT"]
_Role = Qt.ItemDataRole


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def ticker(symbol: str, last: float, change: float = 0.0, at: int = 1, **fields: float) -> Ticker:
    values = {"high": last * 1.1, "low": last * 0.9, "volume": 10.0, "turnover": 1e6}
    values.update(fields)
    return Ticker(
        symbol,
        last,
        change,
        last * change,
        values["high"],
        values["low"],
        values["volume"],
        values["turnover"],
        at,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def watchlist(clock) -> WatchlistModel:
    model = WatchlistModel(clock)
    model.set_symbols(PAIRS)
    model.set_live(True)
    return model


@pytest.fixture
def panel(qtbot, watchlist, clock):
    panel = WatchlistPanel(watchlist, clock=clock)
    qtbot.addWidget(panel)
    panel.resize(560, 420)
    panel.show()
    qtbot.waitExposed(panel)
    yield panel
    panel.unbind()


def feed(watchlist: WatchlistModel, at: int = 1) -> None:
    """One ticker per pair, each change distinct."""
    watchlist.apply_tickers(
        [
            ticker("BTC-USDT", 67644.9, 0.0047, at, high=68000.0, low=66000.5, turnover=3.4e9),
            ticker("ETH-USDT", 3000.5, -0.012, at, turnover=1.23e6),
            ticker("SOL-USDT", 150.25, 0.031, at, turnover=999.0),
            ticker("ETH-BTC", 0.05506, -0.002, at, turnover=12.5),
            ticker("XRP-USDT", 0.6291, 0.0, at, turnover=5.6e9),
        ]
    )


def shown(panel: WatchlistPanel, column: Column) -> list[str]:
    model = panel.table_model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def cell(panel: WatchlistPanel, symbol: str, column: Column, role=_Role.DisplayRole):
    row = panel.symbols_shown().index(symbol)
    return panel.table_model.index(row, column).data(role)


def click_header(qtbot, panel: WatchlistPanel, column: Column) -> None:
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def row_centre(panel: WatchlistPanel, symbol: str) -> QPoint:
    row = panel.symbols_shown().index(symbol)
    return panel.table.visualRect(panel.table_model.index(row, Column.PAIR)).center()


def test_rows_show_the_values_formatted(panel, watchlist):
    assert shown(panel, Column.PAIR) == PAIRS
    assert shown(panel, Column.LAST) == [""] * 5  # nothing known yet: stale, blank
    assert shown(panel, Column.SIGN) == ["⚠"] * 5
    feed(watchlist)
    row = [cell(panel, "BTC-USDT", column) for column in Column]
    assert row == ["", "BTC-USDT", "67644.9", "+0.47 %", "68000", "66000.5", "3.4B"]
    assert shown(panel, Column.CHANGE) == ["+0.47 %", "-1.20 %", "+3.10 %", "-0.20 %", "+0.00 %"]
    assert shown(panel, Column.VOLUME) == ["3.4B", "1.2M", "999", "12.5", "5.6B"]
    # Once the exchange's increments are known: each pair's own precision.
    panel.table_model.set_price_decimals({"BTC-USDT": 1, "ETH-USDT": 2, "ETH-BTC": 5})
    row = [cell(panel, "BTC-USDT", column) for column in Column]
    assert row == ["", "BTC-USDT", "67644.9", "+0.47 %", "68000.0", "66000.5", "3.4B"]
    assert cell(panel, "ETH-USDT", Column.LAST) == "3000.50"
    assert cell(panel, "ETH-BTC", Column.LAST) == "0.05506"
    assert cell(panel, "SOL-USDT", Column.LAST) == "150.25"  # no increment known: shortest
    # Rising green, falling red, flat as any text.
    colours = Colours()
    up = cell(panel, "BTC-USDT", Column.CHANGE, _Role.ForegroundRole)
    down = cell(panel, "ETH-USDT", Column.CHANGE, _Role.ForegroundRole)
    assert (up.color().name(), down.color().name()) == (colours.up, colours.down)
    assert cell(panel, "XRP-USDT", Column.CHANGE, _Role.ForegroundRole) is None


def test_sorting_by_change_and_by_pair_and_back_to_the_manual_order(qtbot, panel, watchlist):
    feed(watchlist)
    panel.table.sortByColumn(Column.CHANGE, Qt.SortOrder.DescendingOrder)
    assert panel.symbols_shown() == ["SOL-USDT", "BTC-USDT", "XRP-USDT", "ETH-BTC", "ETH-USDT"]
    assert not panel.table.dragEnabled() and not panel.manual_action.isChecked()
    # A new change moves its row.
    watchlist.apply_tickers([ticker("ETH-USDT", 3100.0, 0.05, at=2)])
    assert panel.symbols_shown()[0] == "ETH-USDT"
    panel.table.sortByColumn(Column.PAIR, Qt.SortOrder.AscendingOrder)
    assert panel.symbols_shown() == sorted(PAIRS)
    # A row without values sorts last, whichever the order.
    watchlist.add("ADA-USDT")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        panel.table.sortByColumn(Column.LAST, order)
        assert panel.symbols_shown()[-1] == "ADA-USDT"
    watchlist.remove("ADA-USDT")
    # Clicks on a header: ascending, descending, then the manual order again.
    panel.manual_action.trigger()
    assert panel.symbols_shown() == PAIRS
    header = panel.table.horizontalHeader()
    orders = []
    for _ in range(3):
        click_header(qtbot, panel, Column.VOLUME)
        orders.append((header.sortIndicatorSection(), panel.symbols_shown()[0]))
    by_volume = sorted(PAIRS, key=lambda s: watchlist.row(s).turnover)
    assert sorted(orders[:2]) == [(Column.VOLUME, by_volume[0]), (Column.VOLUME, by_volume[-1])]
    assert orders[2] == (-1, PAIRS[0])
    assert panel.symbols_shown() == PAIRS
    assert panel.table.dragEnabled() and panel.manual_action.isChecked()


def test_dragging_rows_and_move_to_top_change_the_manual_order(panel, watchlist):
    model = panel.table_model
    drag = model.mimeData([model.index(2, 0), model.index(4, 1)])  # SOL, XRP
    assert model.dropMimeData(drag, Qt.DropAction.MoveAction, 1, 0, QModelIndex())
    assert watchlist.symbols == ("BTC-USDT", "SOL-USDT", "XRP-USDT", "ETH-USDT", "ETH-BTC")
    drag = model.mimeData([model.index(0, 0)])
    assert model.dropMimeData(drag, Qt.DropAction.MoveAction, -1, -1, QModelIndex())  # the end
    assert watchlist.symbols == ("SOL-USDT", "XRP-USDT", "ETH-USDT", "ETH-BTC", "BTC-USDT")
    # Filtered, a drop lands before the row it was dropped on.
    panel.filter_edit.setText("eth")
    assert panel.symbols_shown() == ["ETH-USDT", "ETH-BTC"]
    drag = model.mimeData([model.index(1, 0)])  # ETH-BTC
    assert model.dropMimeData(drag, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert watchlist.symbols == ("SOL-USDT", "XRP-USDT", "ETH-BTC", "ETH-USDT", "BTC-USDT")
    panel.filter_edit.clear()
    panel.select(["BTC-USDT", "ETH-USDT"])
    panel.top_action.trigger()
    assert watchlist.symbols == ("ETH-USDT", "BTC-USDT", "SOL-USDT", "XRP-USDT", "ETH-BTC")
    assert panel.selected_symbols() == ["ETH-USDT", "BTC-USDT"]  # kept through the reorder


def test_enter_and_double_click_open_the_pair(qtbot, panel):
    panel.table.setFocus()
    panel.select(["SOL-USDT"])
    with qtbot.waitSignal(panel.pairOpened, timeout=1000) as opened:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert opened.args == ["SOL-USDT"]
    viewport, where = panel.table.viewport(), row_centre(panel, "ETH-BTC")
    with qtbot.waitSignal(panel.pairOpened, timeout=1000) as opened:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == ["ETH-BTC"]


def test_delete_removes_the_selected_rows(qtbot, panel, watchlist):
    panel.table.setFocus()
    panel.select(["ETH-USDT", "SOL-USDT"])
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert watchlist.symbols == ("BTC-USDT", "ETH-BTC", "XRP-USDT")
    assert panel.selected_symbols() == ["ETH-BTC"]  # the next row, for the next Delete
    panel.select(["XRP-USDT"])
    panel.remove_action.trigger()
    assert watchlist.symbols == ("BTC-USDT", "ETH-BTC")


def enter(qtbot, panel: WatchlistPanel, text: str) -> list[str]:
    """Type ``text`` in the emptied box and press Enter: the pairs opened."""
    opened: list[str] = []
    panel.pairOpened.connect(opened.append)
    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, text)
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)
    panel.pairOpened.disconnect(opened.append)
    return opened


def test_enter_opens_the_row_the_filter_shows_never_a_made_up_pair(qtbot, panel, watchlist):
    assert enter(qtbot, panel, "eth-us") == ["ETH-USDT"]  # a pair's form, not "ETH-US" added
    assert enter(qtbot, panel, "ETH") == ["ETH-USDT"]  # no pair's form: the first row shown
    assert enter(qtbot, panel, "usdt") == ["BTC-USDT"]
    assert enter(qtbot, panel, "eth_btc") == ["ETH-BTC"]
    assert watchlist.symbols == tuple(PAIRS)
    assert panel.selected_symbols() == ["ETH-BTC"]
    # An exact name opens its row, even where the filter shows another one first.
    watchlist.add("BETH-USDT", 0)
    assert enter(qtbot, panel, "eth-usdt") == ["ETH-USDT"]
    assert panel.symbols_shown() == ["BETH-USDT", "ETH-USDT"]
    assert not panel.message_label.isVisible()


def test_a_name_the_exchange_does_not_list_is_not_added_once_its_pairs_are_known(qtbot, panel):
    watchlist = panel.watchlist
    panel.set_listed([*PAIRS, "ADA-USDT", "BTC-EUR"])
    assert enter(qtbot, panel, "nope-usdt") == []
    assert "NOPE-USDT" not in watchlist
    assert panel.message_label.text() == "KuCoin does not list NOPE-USDT: not added"
    assert panel.filter_edit.text() == "nope-usdt"  # kept, to be corrected
    assert panel.add("btc/eur") == (True, "BTC-EUR added to the watchlist")  # listed
    assert enter(qtbot, panel, "ada-usdt") == []
    assert watchlist.symbols[-2:] == ("BTC-EUR", "ADA-USDT")
    panel.set_simulated(True)
    assert panel.add("NOPE-USDT") == (False, "The demo exchange does not list NOPE-USDT: not added")
    panel.set_listed(None)  # another exchange, its pairs not known yet: the exchange decides
    assert enter(qtbot, panel, "nope-usdt") == []
    assert watchlist.symbols[-1] == "NOPE-USDT"


def test_typing_filters_and_enter_opens_or_adds(qtbot, panel, watchlist):
    qtbot.keyClicks(panel.filter_edit, "eth")
    assert panel.symbols_shown() == ["ETH-USDT", "ETH-BTC"]
    with qtbot.waitSignal(panel.pairOpened, timeout=1000) as opened:
        qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)  # a partial name: the first match
    assert opened.args == ["ETH-USDT"]
    qtbot.keyClicks(panel.filter_edit, "/btc")
    assert panel.symbols_shown() == ["ETH-BTC"]
    with qtbot.waitSignal(panel.pairOpened, timeout=1000) as opened:
        qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)  # a listed pair: opened
    assert opened.args == ["ETH-BTC"]
    assert len(watchlist) == len(PAIRS)

    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "ada/usdt")
    assert panel.symbols_shown() == []
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)  # not listed: added
    assert watchlist.symbols[-1] == "ADA-USDT"
    assert panel.filter_edit.text() == ""
    assert panel.message_label.text() == "ADA-USDT added to the watchlist"
    assert panel.selected_symbols() == ["ADA-USDT"]
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_A)
    assert not panel.message_label.isVisible()  # typing again clears the news


def test_a_bad_name_is_said_in_the_panel(qtbot, panel, watchlist):
    qtbot.keyClicks(panel.filter_edit, "not a pair!")
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)
    assert len(watchlist) == len(PAIRS)
    assert panel.message_label.isVisible()
    assert "expected BASE-QUOTE" in panel.message_label.text()
    assert panel.filter_edit.text() == "not a pair!"  # kept, to be corrected


def test_the_pair_past_the_limit_is_refused_with_the_reason(qtbot, panel, watchlist):
    many = [f"C{n}-USDT" for n in range(MAX_WATCHLIST)]
    watchlist.set_symbols(many)
    assert panel.table_model.rowCount() == MAX_WATCHLIST
    qtbot.keyClicks(panel.filter_edit, "zzz-usdt")
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)
    assert watchlist.symbols == tuple(many)
    assert f"at most {MAX_WATCHLIST} pairs" in panel.message_label.text()
    assert panel.add("ETH-USDT") == (False, panel.message_label.text().replace("ZZZ", "ETH"))


def test_a_changed_price_flashes_then_fades(qtbot, panel, watchlist, clock):
    colours = Colours()
    feed(watchlist)
    assert panel.table_model.flashing() == frozenset()  # a first value is no change
    clock.now += 1
    watchlist.apply_tickers([ticker("BTC-USDT", 67650.0, at=2), ticker("ETH-USDT", 2999.0, at=2)])
    assert panel.table_model.flashing() == {"BTC-USDT", "ETH-USDT"}
    rise = cell(panel, "BTC-USDT", Column.LAST, _Role.BackgroundRole).color()
    fall = cell(panel, "ETH-USDT", Column.LAST, _Role.BackgroundRole).color()
    assert (rise.rgb(), fall.rgb()) == (QColor(colours.up).rgb(), QColor(colours.down).rgb())
    assert rise.alphaF() > 0.3
    assert cell(panel, "BTC-USDT", Column.CHANGE, _Role.BackgroundRole) is None
    clock.now += FLASH_SECONDS / 2
    qtbot.waitUntil(
        lambda: (
            cell(panel, "BTC-USDT", Column.LAST, _Role.BackgroundRole).color().alphaF()
            < rise.alphaF()
        ),
        timeout=1000,
    )
    clock.now += FLASH_SECONDS
    qtbot.waitUntil(lambda: not panel.table_model.flashing(), timeout=1000)
    assert cell(panel, "BTC-USDT", Column.LAST, _Role.BackgroundRole) is None


def test_stale_and_refused_signs(qtbot, panel, watchlist, clock):
    feed(watchlist)
    assert shown(panel, Column.SIGN) == [""] * 5
    watchlist.set_live(False)  # the link is down
    assert shown(panel, Column.SIGN) == ["⚠"] * 5
    tip = cell(panel, "BTC-USDT", Column.SIGN, _Role.ToolTipRole)
    assert tip == "connection down: these values may be out of date"
    colours = Colours()
    assert cell(panel, "BTC-USDT", Column.LAST, _Role.ForegroundRole).color().name() == colours.dim
    assert cell(panel, "BTC-USDT", Column.SIGN, _Role.ForegroundRole).color().name() == colours.warn
    watchlist.set_live(True)
    assert shown(panel, Column.SIGN) == [""] * 5
    clock.now += STALE_AFTER - 1
    watchlist.apply_tickers([ticker("BTC-USDT", 67000.0, at=2)])
    clock.now += 3  # the others: no update for STALE_AFTER + 2 s
    assert shown(panel, Column.SIGN) == [""] * 5  # not repainted until the next check
    panel.table_model.check_stale()  # what the 1 s timer calls
    assert shown(panel, Column.SIGN) == ["", "⚠", "⚠", "⚠", "⚠"]
    assert cell(panel, "ETH-USDT", Column.SIGN, _Role.ToolTipRole) == (
        f"no update for {int(STALE_AFTER) + 2} s"
    )
    watchlist.refused("XRP-USDT")
    assert cell(panel, "XRP-USDT", Column.SIGN) == "✕"
    tip = cell(panel, "XRP-USDT", Column.SIGN, _Role.ToolTipRole)
    assert tip == "KuCoin does not serve this pair"
    assert cell(panel, "XRP-USDT", Column.SIGN, _Role.ForegroundRole).color().name() == colours.down
    panel.set_simulated(True)
    assert panel.demo_label.isVisible() and "SIMULATED" in panel.demo_label.text()
    tip = cell(panel, "XRP-USDT", Column.SIGN, _Role.ToolTipRole)
    assert tip == "The demo exchange does not serve this pair"


class Signals:
    """What a table model emits, by signal."""

    def __init__(self, model) -> None:
        self.data: list[tuple[int, int, int, int]] = []
        self.other: list[str] = []
        model.dataChanged.connect(
            lambda a, b, _roles=(): self.data.append((a.row(), a.column(), b.row(), b.column()))
        )
        for name in ("modelReset", "layoutChanged", "rowsInserted", "rowsRemoved", "rowsMoved"):
            getattr(model, name).connect(lambda *_a, n=name: self.other.append(n))


def test_a_300_row_update_repaints_the_changed_rows_and_never_resets(panel, watchlist):
    many = [f"C{n}-USDT" for n in range(MAX_WATCHLIST)]
    watchlist.set_symbols(many)
    signals = Signals(panel.table_model)
    watchlist.apply_tickers([ticker(s, 100.0 + n, 0.01, at=1) for n, s in enumerate(many)])
    last = len(Column) - 1
    assert signals.data == [(0, 0, MAX_WATCHLIST - 1, last)]  # one signal for all
    signals.data.clear()
    watchlist.apply_tickers([ticker(many[n], 50.0, 0.02, at=2) for n in (30, 10, 20, 11)])
    # Only the cells that changed are repainted: last, change, high and low, not the pair.
    high, low = Column.HIGH, Column.LOW
    assert signals.data == [(10, Column.LAST, 11, low), (20, 2, 20, low), (30, 2, 30, low)]
    signals.data.clear()
    watchlist.apply_tickers([ticker(many[10], 50.0, 0.02, at=3, turnover=2e6, high=56.0)])
    assert signals.data == [(10, high, 10, high), (10, Column.VOLUME, 10, last)]
    signals.data.clear()
    watchlist.apply_tickers([ticker(many[10], 50.0, -0.02, at=4, turnover=2e6, high=56.0)])
    assert signals.data == [(10, 0, 10, last)]  # the change's sign: its colour, the whole row
    assert signals.other == []
    assert cell(panel, "C20-USDT", Column.LAST) == "50"
    # Sorted: rows that move are one new layout, rows that do not are repainted.
    panel.table.sortByColumn(Column.CHANGE, Qt.SortOrder.DescendingOrder)
    signals.data.clear()
    signals.other.clear()
    watchlist.apply_tickers([ticker(s, 100.0, 0.03 * (n % 5), at=3) for n, s in enumerate(many)])
    assert (signals.data, signals.other) == ([], ["layoutChanged"])
    assert cell(panel, panel.symbols_shown()[0], Column.CHANGE) == "+12.00 %"
    first = panel.symbols_shown()[0]
    watchlist.apply_tickers([ticker(first, 101.0, 0.12, at=4)])
    repainted = [(0, Column.LAST, 0, Column.LAST), (0, high, 0, low)]  # the change is the same
    assert (signals.data, signals.other) == (repainted, ["layoutChanged"])
