"""The alerts panel over a real :class:`AlertBook` fed candles directly (its model API, as the
monitor feeds it): deleting, re-arming, the log of firings, the prefilled form, the table's cost
per change, and the watchlist's "New alert for PAIR…" (the form: ``test_form.py``).

A fake clock stands in for the book's and the panel's. Waits are on signals or conditions with
timeouts; nothing sleeps.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from kucandle_gui.model import (
    AlertBook,
    AlertSpec,
    AlertState,
    Condition,
    WatchlistModel,
)
from kucandle_gui.ui.alerts.table_model import Column
from kucandle_gui.ui.watchlist import WatchlistPanel
from tests.ui.alerts.kit import (
    PAIR,
    T0,
    candle,
    cell,
    click,
    series,
)


def test_delete_by_button_and_by_key(qtbot, panel, book):
    ids = [book.add(AlertSpec.of(PAIR, "above", p)).id for p in (70000.0, 71000.0, 72000.0)]
    panel.select(ids[0])
    with qtbot.waitSignal(panel.message, timeout=1000) as said:
        click(qtbot, panel.buttons["Delete"])
    assert said.args == ["Alert deleted: BTC-USDT rises to 70,000.0"]
    assert [a.id for a in book.alerts()] == ids[1:]
    assert panel.selected_ids() == [ids[1]]  # the next row, for the next Delete
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert [a.id for a in book.alerts()] == [ids[2]]
    assert panel.ids_shown() == [ids[2]]
    panel.table.clearSelection()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)  # nothing selected: nothing deleted
    assert [a.id for a in book.alerts()] == [ids[2]]
    assert not panel.buttons["Delete"].isEnabled()


def test_a_triggered_alert_re_armed(qtbot, panel, book, clock):
    alert = book.add(AlertSpec.of(PAIR, "above", 70000.0))
    book.filled(PAIR, series(candle(0, 69000.0)))  # the pair's prices known: armed
    panel.select(alert.id)
    assert not panel.buttons["Re-arm"].isEnabled()  # active: nothing to re-arm
    clock.now = T0 + 70.0
    said: list[str] = []
    panel.message.connect(said.append)
    book.candles(PAIR, [candle(1, 69500.0, high=70010.0)])
    assert said == []  # a firing is the notifier's to say
    assert book.get(alert.id).state is AlertState.TRIGGERED
    assert cell(panel, alert.id, Column.STATUS).startswith("Triggered ")
    assert panel.buttons["Re-arm"].isEnabled()
    click(qtbot, panel.buttons["Re-arm"])
    assert said == ["Alert re-armed: BTC-USDT rises to 70,000.0"]
    assert book.get(alert.id).state is AlertState.ACTIVE
    # Its pair was let go when it fired: it arms at the first price of the pair again.
    assert cell(panel, alert.id, Column.STATUS) == "Waiting for the first price"
    assert not panel.buttons["Re-arm"].isEnabled()


def test_one_alert_changed_repaints_its_row_and_keeps_the_selection(qtbot, panel, book):
    first = book.add(AlertSpec.of(PAIR, "above", 70000.0))
    second = book.add(AlertSpec.of(PAIR, "below", 60000.0))
    panel.select(second.id)
    model = panel.table_model
    seen: list[object] = []
    model.dataChanged.connect(lambda top, bottom, *_: seen.append((top.row(), bottom.row())))
    for name in ("modelReset", "rowsInserted", "rowsRemoved", "layoutChanged"):
        getattr(model, name).connect(lambda *_a, n=name: seen.append(n))
    book.filled(PAIR, series(candle(0, 65000.0)))  # both armed: two rows repainted
    assert sorted(seen) == [(0, 0), (1, 1)]
    assert cell(panel, first.id, Column.STATUS) == "Armed"
    seen.clear()
    third = book.add(AlertSpec.of(PAIR, "above", 66000.0))  # e.g. from the chart
    assert seen == ["rowsInserted"]
    assert panel.ids_shown() == [first.id, second.id, third.id]
    book.remove(first.id)
    assert seen == ["rowsInserted", "rowsRemoved"]
    assert panel.ids_shown() == [second.id, third.id]
    assert panel.selected_ids() == [second.id]
    book.set_simulated(True)  # another set of alerts: all again
    assert seen[-1] == "modelReset" and panel.ids_shown() == []


def test_the_log_shows_firings_newest_first_a_late_one_said_so(qtbot, panel, book, clock):
    rise = book.add(AlertSpec.of(PAIR, "above", 70000.0))
    fall = book.add(AlertSpec.of(PAIR, "below", 68000.0, "stop"))
    book.filled(PAIR, series(candle(0, 69000.0)))  # both armed
    assert panel.log_lines() == []
    # The connection drops; the backfill holds a wick to 70,100 while it was down.
    book.gap(PAIR)
    book.candles(PAIR, [candle(3, 69000.0)])  # a live push past the gap: not evaluated yet
    assert book.log == []
    backfill = series(candle(0, 69000.0), candle(1, 69500.0, high=70100.0), candle(2, 69000.0))
    backfill.merge([candle(3, 69000.0)])
    book.filled(PAIR, backfill)
    qtbot.waitUntil(lambda: len(panel.log_lines()) == 1, timeout=1000)
    (line,) = panel.log_lines()
    title, detail = line.split("\n")
    assert title == "BTC-USDT rose to 70,000.0"
    assert detail.startswith("reached at ") and detail.endswith("while the connection was down")
    assert book.get(rise.id).state is AlertState.TRIGGERED
    # A live firing goes on top.
    clock.now = T0 + 4 * 60 + 5
    book.candles(PAIR, [candle(4, 68500.0, low=67990.0)])
    lines = panel.log_lines()
    assert len(lines) == 2
    minute = datetime.fromtimestamp(T0 + 4 * 60).strftime("%H:%M")
    assert lines[0].split("\n") == ["BTC-USDT fell to 68,000.0", f"candle {minute} · live · stop"]
    assert lines[1] == line
    assert book.get(fall.id).state is AlertState.TRIGGERED
    click(qtbot, panel.clear_log_button)
    assert panel.log_lines() == [] and book.log == []


def test_new_alert_prefills_the_form(qtbot, panel, window):
    panel.hide()
    window.last[PAIR] = 71000.0
    form = panel.form
    panel.new_alert(PAIR, 72000.0)
    assert panel.isVisible()
    assert (form.pair_edit.text(), form.price_edit.text()) == (PAIR, "72000.0")
    assert form.condition_combo.currentText() == "rises to"  # above the last price
    # The focus in the window goes to the price (the window itself is the system's to raise).
    assert panel.focusWidget() is form.price_edit
    panel.new_alert(PAIR, 70500.0)
    assert form.condition_combo.currentText() == "falls to"
    assert form.price_edit.placeholderText() == "last 71,000.0"
    panel.new_alert("ETH-USDT", 3000.0, Condition.BELOW)  # no last price: as asked
    assert (form.pair_edit.text(), form.price_edit.text()) == ("ETH-USDT", "3000.00")
    assert form.condition_combo.currentText() == "falls to"
    panel.new_alert()
    assert form.price_edit.text() == "" and form.editing is None
    assert panel.focusWidget() is form.pair_edit


def test_open_chart_sort_and_the_simulated_mark(qtbot, panel, book):
    first = book.add(AlertSpec.of("ETH-USDT", "below", 3000.0))
    second = book.add(AlertSpec.of(PAIR, "above", 70000.0))
    panel.table.sortByColumn(Column.PRICE, Qt.SortOrder.DescendingOrder)
    assert panel.ids_shown() == [second.id, first.id]
    panel.table.sortByColumn(Column.PAIR, Qt.SortOrder.DescendingOrder)
    assert panel.ids_shown() == [first.id, second.id]
    panel.select(second.id)
    with qtbot.waitSignal(panel.pairOpened, timeout=1000) as opened:
        click(qtbot, panel.buttons["Open chart"])
    assert opened.args == [PAIR]
    assert not panel.demo_label.isVisible()
    panel.set_simulated(True)
    assert panel.demo_label.isVisible() and "SIMULATED" in panel.demo_label.text()
    assert "never saved" in panel.demo_label.toolTip()


def test_the_watchlists_menu_asks_for_an_alert_on_the_rows_pair(qtbot):
    watchlist = WatchlistModel()
    watchlist.set_symbols(["BTC-USDT", "ETH-USDT", "SOL-USDT"])
    panel = WatchlistPanel(watchlist)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.select(["SOL-USDT"])
    row = panel.symbols_shown().index("SOL-USDT")
    where: QPoint = panel.table.visualRect(panel.table_model.index(row, 1)).center()
    panel.table.customContextMenuRequested.emit(where)
    assert panel.alert_action.text() == "New &alert for SOL-USDT…"
    assert panel.alert_action in panel.menu.actions()
    with qtbot.waitSignal(panel.alertRequested, timeout=1000) as asked:
        panel.alert_action.trigger()
    assert asked.args == ["SOL-USDT"]
    panel.menu.close()
    panel.unbind()
    QApplication.processEvents()


def test_clearing_the_log_writes_it_once_and_keeps_the_table(qtbot, panel, book):
    rise = book.add(AlertSpec.of(PAIR, "above", 70000.0))
    other = book.add(AlertSpec.of(PAIR, "below", 60000.0))
    book.filled(PAIR, series(candle(0, 69000.0)))
    book.candles(PAIR, [candle(1, 69500.0, high=70010.0)])
    assert len(panel.log_lines()) == 1
    panel.select(other.id)
    log_resets: list[int] = []
    panel.log.list.model().modelReset.connect(lambda: log_resets.append(1))
    table: list[str] = []
    for name in ("modelReset", "dataChanged", "rowsInserted", "rowsRemoved", "layoutChanged"):
        getattr(panel.table_model, name).connect(lambda *_a, n=name: table.append(n))

    click(qtbot, panel.clear_log_button)

    assert panel.log_lines() == [] and book.log == []
    assert log_resets == [1]  # written once
    assert table == []  # no row changed: the table is left alone
    assert panel.selected_ids() == [other.id]
    assert panel.ids_shown() == [rise.id, other.id]


def test_a_late_firing_from_before_the_start_says_the_app_was_not_running(panel, book, clock):
    before = AlertBook(clock=clock)  # the last session: armed at candle 0, then closed
    before.add(AlertSpec.of(PAIR, "above", 70000.0))
    before.filled(PAIR, series(candle(0, 69000.0)))
    clock.now = T0 + 6 * 60
    book.session_start = clock.now  # this session started after the wick
    assert book.load(before.to_dict()) == []  # this session's first catch-up spans the wick
    book.filled(PAIR, series(candle(0, 69000.0), candle(1, 69500.0, high=70100.0), candle(5, 69e3)))

    (line,) = panel.log_lines()
    minute = datetime.fromtimestamp(T0 + 60).strftime("%H:%M")
    assert line.split("\n") == [
        "BTC-USDT rose to 70,000.0",
        f"reached at {minute} while kucandle-gui was not running",
    ]


def test_a_span_the_alerts_could_not_check_is_said_in_the_log(qtbot, panel, book):
    alert = book.add(AlertSpec.of(PAIR, "above", 70000.0))
    book.filled(PAIR, series(candle(0, 69000.0)))  # armed: checked from candle 0 on
    book.candles(PAIR, [candle(1, 69000.0)])
    book.gap(PAIR)
    # Back after ten minutes; nothing older than candle 10 can be had.
    later = series(candle(10, 69000.0), candle(11, 69000.0))
    book.filled(PAIR, later)
    book.older_missing(PAIR, later)

    start, end = (datetime.fromtimestamp(T0 + 60 * n).strftime("%H:%M") for n in (1, 10))
    note = f"BTC-USDT: alerts could not be checked from {start} to {end} (no candles for that time)"
    assert panel.log_lines() == [note]
    # A firing goes on top of it; clearing the log takes both.
    book.candles(PAIR, [candle(12, 69500.0, high=70010.0)])
    lines = panel.log_lines()
    assert lines[0].startswith("BTC-USDT rose to 70,000.0\n") and lines[1:] == [note]
    panel.table.clearSelection()
    log = panel.log.list
    for row in (1, 0):  # the note leads nowhere; the firing to its alert
        where = log.visualItemRect(log.item(row)).center()
        qtbot.mouseClick(log.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(log.viewport(), Qt.MouseButton.LeftButton, pos=where)
        assert panel.selected_ids() == ([] if row == 1 else [alert.id])
    click(qtbot, panel.clear_log_button)
    assert panel.log_lines() == []


def test_a_catch_up_firing_many_alerts_costs_a_row_each(qtbot, panel, book, clock):
    n = 100
    # Repeating alerts whose cool-downs end the sooner the later they were made.
    for k in range(n):
        book.add(AlertSpec.of(PAIR, "above", 70000.0 + k, repeat=True, cooldown=60.0 + n - k))
    book.filled(PAIR, series(candle(0, 69000.0)))  # all armed
    book.gap(PAIR)
    scans: list[int] = []
    every = book.alerts
    book.alerts = lambda: scans.append(1) or every()  # a look at all the alerts
    clock.now = T0 + 120.8  # the last alert's cool-down ends at T0 + 121, 0.2 s from now

    book.filled(PAIR, series(candle(0, 69000.0), candle(1, 69500.0, high=71000.0)))

    assert len(panel.log_lines()) == n  # all fired, late
    assert len(scans) < 10  # not a look at all of them for each one that changed
    last = book.alerts()[-1]
    assert cell(panel, last.id, Column.STATUS).startswith("Cooling down until ")
    # The earliest end was kept as the rows changed: its row says so once it has passed.
    clock.now = T0 + 121.5
    waiting = "Waiting for the price to go back below 70,099.0"
    qtbot.waitUntil(lambda: cell(panel, last.id, Column.STATUS) == waiting, timeout=3000)
    first = book.alerts()[0]
    assert cell(panel, first.id, Column.STATUS).startswith("Cooling down until ")


def test_a_firing_remakes_its_row_once(qtbot, panel, book, clock):
    alert = book.add(AlertSpec.of(PAIR, "above", 70000.0))
    other = book.add(AlertSpec.of(PAIR, "above", 80000.0))
    book.filled(PAIR, series(candle(0, 69000.0)))  # armed
    model = panel.table_model
    made: list[int] = []
    remake = model._make_row
    model._make_row = lambda one, now: made.append(one.id) or remake(one, now)
    repainted: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, *_: repainted.append((top.row(), bottom.row())))
    clock.now = T0 + 75.0

    book.candles(PAIR, [candle(1, 69500.0, high=70100.0)])

    assert alert.state is AlertState.TRIGGERED and other.active
    assert made == [alert.id]  # not twice (once as changed, once as fired)
    row = model.row_of(alert.id)
    assert repainted == [(row, row)]
    assert cell(panel, alert.id, Column.STATUS).startswith("Triggered")
