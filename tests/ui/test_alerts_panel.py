"""The alerts panel over a real :class:`AlertBook` fed candles directly (its model API, as the
monitor feeds it): creating through the form, the message at each bad field, the
already-crossed question, editing, deleting, re-arming, the log of firings, the prefilled form,
and the watchlist's "New alert for PAIR…".

A fake clock stands in for the book's and the panel's. Waits are on signals or conditions with
timeouts; nothing sleeps.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QDateTime, QPoint, Qt
from PySide6.QtWidgets import QApplication

from kucandle_gui.feed import CandleSeries
from kucandle_gui.model import (
    MAX_ALERT_PAIRS,
    AlertBook,
    AlertSpec,
    AlertState,
    Arming,
    Condition,
    WatchlistModel,
)
from kucandle_gui.protocol import Candle
from kucandle_gui.ui.alerts.panel import AlertsPanel
from kucandle_gui.ui.alerts.table_model import Column
from kucandle_gui.ui.watchlist import WatchlistPanel

PAIR = "BTC-USDT"
LISTED = frozenset({PAIR, "ETH-USDT", "SOL-USDT"})
#: A 1min candle start; the session began an hour before it.
T0 = 1_700_000_040


class FakeClock:
    def __init__(self) -> None:
        self.now = T0 + 30.0

    def __call__(self) -> float:
        return self.now


class Window:
    """What the window knows of the pairs: precisions, the exchange's list, last prices."""

    def __init__(self) -> None:
        self.decimals = {PAIR: 1, "ETH-USDT": 2}
        self.listed: frozenset[str] | None = LISTED
        self.last: dict[str, float] = {}

    def known_pairs(self) -> frozenset[str] | None:
        return self.listed


def candle(i: int, close: float, high: float | None = None, low: float | None = None) -> Candle:
    """The ``i``-th 1min candle from T0, opening at its close unless said."""
    high = close if high is None else high
    low = close if low is None else low
    return Candle(T0 + 60 * i, close, high, low, close, 1.0, close)


def series(*candles: Candle) -> CandleSeries:
    held = CandleSeries(PAIR, "1min")
    held.merge(candles)
    return held


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def book(clock) -> AlertBook:
    return AlertBook(clock=clock, session_start=T0 - 3600)


@pytest.fixture
def window() -> Window:
    return Window()


@pytest.fixture
def panel(qtbot, book, window, clock):
    panel = AlertsPanel(
        book,
        lambda symbol: window.decimals.get(symbol),
        window.known_pairs,
        lambda symbol: window.last.get(symbol),
        clock=clock,
    )
    qtbot.addWidget(panel)
    panel.resize(620, 760)
    panel.show()
    qtbot.waitExposed(panel)
    yield panel
    panel.unbind()


def fill(panel: AlertsPanel, pair: str = PAIR, price: str = "70000", **more: object) -> None:
    """Type into the form as a user would (the pair and price boxes emptied first), opened
    with the New alert button unless it is open already (an edit)."""
    form = panel.form
    if form.isHidden():
        panel.buttons["New alert"].click()
    form.pair_edit.setText(pair)
    form.price_edit.setText(price)
    form.condition_combo.setCurrentIndex(0 if more.get("condition", "above") == "above" else 1)
    form.note_edit.setText(str(more.get("note", "")))
    if "cooldown" in more:
        form.repeat_radio.setChecked(True)
        form.cooldown_spin.setValue(int(more["cooldown"]))  # type: ignore[call-overload]


def shown_errors(panel: AlertsPanel) -> dict[str, str]:
    form = panel.form
    labels = {
        "": form.top_error,
        "pair": form.pair_error,
        "price": form.price_error,
        "note": form.note_error,
        "cooldown": form.cooldown_error,
        "expiry": form.expiry_error,
    }
    return {name: label.text() for name, label in labels.items() if label.isVisible()}


def cell(panel: AlertsPanel, alert_id: int, column: Column) -> str:
    row = panel.ids_shown().index(alert_id)
    return panel.proxy.index(row, column).data()


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_an_alert_created_through_the_form(qtbot, panel, book):
    fill(panel, "btc/usdt", "70,000.5", note="take profit", cooldown=10)
    with qtbot.waitSignal(panel.message, timeout=1000) as said:
        click(qtbot, panel.form.submit_button)
    assert said.args == ["Alert set: BTC-USDT rises to 70,000.5"]
    (alert,) = book.alerts()
    assert alert.spec == AlertSpec.of(PAIR, "above", 70000.5, "take profit", True, 600.0)
    assert alert.arming is Arming.PENDING  # no price of the pair yet
    texts = [cell(panel, alert.id, column) for column in Column]
    assert texts == [
        PAIR,
        "rises to",
        "70000.5",
        "Waiting for the first price",
        "Every 10 min",
        "",
        "take profit",
    ]
    assert panel.selected_ids() == [alert.id]
    assert shown_errors(panel) == {}
    # Ready for the next one: the pair kept, the price and note emptied.
    assert (panel.form.pair_edit.text(), panel.form.price_edit.text()) == (PAIR, "")
    assert panel.form.note_edit.text() == ""
    # Enter in the price box creates too; a falling one, with an end.
    fill(panel, "eth-usdt", "2999.5", condition="below")
    panel.form.expiry_check.setChecked(True)
    end = QDateTime.fromSecsSinceEpoch(int(panel.form._clock()) + 7200)
    panel.form.expiry_edit.setDateTime(end)
    qtbot.keyClick(panel.form.price_edit, Qt.Key.Key_Return)
    assert len(book.alerts()) == 2
    second = book.alerts()[1]
    assert (second.symbol, second.condition, second.price) == ("ETH-USDT", Condition.BELOW, 2999.5)
    assert second.expires_at == end.toSecsSinceEpoch()
    assert cell(panel, second.id, Column.PRICE) == "2999.50"


@pytest.mark.parametrize(
    ("pair", "price", "more", "errors"),
    [
        ("", "70000", {}, {"pair": "Enter a pair, e.g. BTC-USDT"}),
        ("not a pair!", "70000", {}, {"pair": "expected BASE-QUOTE"}),
        ("nope-usdt", "70000", {}, {"pair": "KuCoin does not list NOPE-USDT"}),
        # The model's rules and words (one rule for the form, the command line, a file),
        # each said at its field as a sentence.
        (PAIR, "abc", {}, {"price": "The price 'abc' is not a number"}),
        (PAIR, "1_000", {}, {"price": "The price '1_000' is not a number"}),
        (PAIR, "0,5", {}, {"price": "write decimals with a point (0.5)"}),
        (PAIR, "0", {}, {"price": "The price must be a positive finite number"}),
        (PAIR, "-5", {}, {"price": "The price must be a positive finite number"}),
        (PAIR, "", {}, {"price": "Enter a price"}),
        (PAIR, "70000", {"cooldown": 0}, {"cooldown": "The cool-down must be"}),
        (PAIR, "70000", {"expired": True}, {"expiry": "The expiry time has passed"}),
        ("bad", "x", {}, {"pair": "expected BASE-QUOTE", "price": "The price 'x' is not a number"}),
    ],
)
def test_each_bad_input_is_said_at_its_field_and_creates_nothing(
    qtbot, panel, book, pair, price, more, errors
):
    said: list[str] = []
    panel.message.connect(said.append)
    fill(panel, pair, price, **{k: v for k, v in more.items() if k != "expired"})
    if more.get("expired"):
        panel.form.expiry_check.setChecked(True)
        past = QDateTime.fromSecsSinceEpoch(int(panel.form._clock()) - 60)
        panel.form.expiry_edit.setDateTime(past)
    click(qtbot, panel.form.submit_button)
    assert book.alerts() == []
    assert said == []
    shown = shown_errors(panel)
    assert shown.keys() == errors.keys()
    for field, text in errors.items():
        assert text in shown[field]
    # Correcting the field takes its message away.
    edits = {"pair": panel.form.pair_edit, "price": panel.form.price_edit}
    for field, edit in edits.items():
        if field in errors:
            edit.setText(edit.text() + "1")
            assert field not in shown_errors(panel)


def test_a_pair_not_listed_passes_while_the_list_is_unknown(qtbot, panel, book, window):
    window.listed = None
    fill(panel, "nope-usdt", "5")
    click(qtbot, panel.form.submit_button)
    assert [a.symbol for a in book.alerts()] == ["NOPE-USDT"]
    window.listed = LISTED
    panel.set_simulated(True)
    fill(panel, "gone-usdt", "5")
    click(qtbot, panel.form.submit_button)
    assert shown_errors(panel) == {"pair": "The demo exchange does not list GONE-USDT"}


def test_the_books_limit_is_said_above_the_form(qtbot, panel, book, window):
    window.listed = None
    for n in range(MAX_ALERT_PAIRS):
        book.add(AlertSpec.of(f"C{n}-USDT", "above", 10.0))
    fill(panel, "ETH-USDT", "5000")
    click(qtbot, panel.form.submit_button)
    assert len(book.alerts()) == MAX_ALERT_PAIRS
    shown = shown_errors(panel)
    assert list(shown) == [""]
    assert str(MAX_ALERT_PAIRS) in shown[""]


def test_an_already_crossed_price_is_asked_about(qtbot, panel, book, window):
    window.last[PAIR] = 71000.0
    form = panel.form
    fill(panel, PAIR, "70000")
    click(qtbot, form.submit_button)
    assert book.alerts() == []
    assert form.crossed.isVisible()
    assert form.crossed.label.text() == (
        "BTC-USDT is at 71,000.0, already above 70,000.0. Arm it anyway? It fires once the "
        "price has gone back below and rises to it again."
    )
    # "Change price": nothing made, the price to type again.
    click(qtbot, form.crossed.change_button)
    assert book.alerts() == []
    assert not form.crossed.isVisible()
    qtbot.waitUntil(form.price_edit.hasFocus, timeout=1000)
    # Asked again, then "Arm anyway": it waits for the price to come back below.
    click(qtbot, form.submit_button)
    assert form.crossed.isVisible()
    with qtbot.waitSignal(panel.message, timeout=1000) as said:
        click(qtbot, form.crossed.arm_button)
    assert said.args == ["Alert set: BTC-USDT rises to 70,000.0"]
    (alert,) = book.alerts()
    assert (alert.state, alert.arming) == (AlertState.ACTIVE, Arming.WAITING)
    assert not form.crossed.isVisible()
    status = cell(panel, alert.id, Column.STATUS)
    assert status == "Waiting for the price to go back below 70,000.0"
    # A changed field takes the question about the old values away.
    fill(panel, PAIR, "60000", condition="below")
    window.last[PAIR] = 59000.0
    click(qtbot, form.submit_button)
    assert form.crossed.isVisible()
    form.price_edit.setText("58000")
    assert not form.crossed.isVisible()
    assert len(book.alerts()) == 1


def test_an_alert_edited_and_saved(qtbot, panel, book):
    alert = book.add(AlertSpec.of(PAIR, "above", 70000.0, "old"))
    other = book.add(AlertSpec.of("ETH-USDT", "below", 3000.0))
    form = panel.form
    row = panel.ids_shown().index(alert.id)
    where = panel.table.visualRect(panel.proxy.index(row, Column.PAIR)).center()
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert form.editing == alert.id
    assert form.title_label.text() == "Edit: BTC-USDT rises to 70,000.0"
    assert (form.price_edit.text(), form.note_edit.text()) == ("70000.0", "old")
    assert form.submit_button.text() == "Save"
    form.price_edit.setText("72,500")
    form.note_edit.setText("new")
    with qtbot.waitSignal(panel.message, timeout=1000) as said:
        click(qtbot, form.submit_button)
    assert said.args == ["Alert saved: BTC-USDT rises to 72,500.0"]
    assert [a.id for a in book.alerts()] == [alert.id, other.id]  # the same alert
    assert (book.get(alert.id).price, book.get(alert.id).note) == (72500.0, "new")
    assert cell(panel, alert.id, Column.PRICE) == "72500.0"
    assert form.editing is None and form.submit_button.text() == "Create"
    # The Edit button loads the selected one; Cancel edit leaves it as it was.
    panel.select(other.id)
    click(qtbot, panel.buttons["Edit"])
    assert form.editing == other.id and form.condition_combo.currentText() == "falls to"
    form.price_edit.setText("1")
    click(qtbot, form.cancel_button)
    assert form.editing is None and book.get(other.id).price == 3000.0
    # An alert deleted while it is edited: the form forgets it.
    panel.edit(other.id)
    book.remove(other.id)
    assert form.editing is None


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
    book.add(AlertSpec.of(PAIR, "above", 70000.0))
    book.filled(PAIR, series(candle(0, 69000.0)))  # armed (as saved before a restart)
    book.session_start = T0 + 5 * 60  # the app started after the wick below
    clock.now = T0 + 6 * 60
    book.gap(PAIR)
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
        book.add(AlertSpec.of(PAIR, "above", 70000.0 + k, repeat=True, cooldown=10.0 + n - k))
    book.filled(PAIR, series(candle(0, 69000.0)))  # all armed
    book.gap(PAIR)
    scans: list[int] = []
    every = book.alerts
    book.alerts = lambda: scans.append(1) or every()  # a look at all the alerts
    clock.now = T0 + 70.8  # the last alert's cool-down ends at T0 + 71, 0.2 s from now

    book.filled(PAIR, series(candle(0, 69000.0), candle(1, 69500.0, high=71000.0)))

    assert len(panel.log_lines()) == n  # all fired, late
    assert len(scans) < 10  # not a look at all of them for each one that changed
    last = book.alerts()[-1]
    assert cell(panel, last.id, Column.STATUS).startswith("Cooling down until ")
    # The earliest end was kept as the rows changed: its row says so once it has passed.
    clock.now = T0 + 71.5
    waiting = "Waiting for the price to go back below 70,099.0"
    qtbot.waitUntil(lambda: cell(panel, last.id, Column.STATUS) == waiting, timeout=3000)
    first = book.alerts()[0]
    assert cell(panel, first.id, Column.STATUS).startswith("Cooling down until ")


def test_the_form_is_shown_only_while_an_alert_is_made_or_edited(qtbot, panel, book):
    assert panel.form.isHidden()  # the list is the panel
    click(qtbot, panel.buttons["New alert"])
    assert panel.form.isVisible()
    click(qtbot, panel.form.cancel_button)
    assert panel.form.isHidden() and book.alerts() == []
    fill(panel)
    click(qtbot, panel.form.submit_button)
    [alert] = book.alerts()
    assert panel.form.isHidden()  # created: put away
    panel.edit(alert.id)
    assert panel.form.isVisible() and panel.form.editing == alert.id
    fill(panel, price="71000")
    click(qtbot, panel.form.submit_button)
    assert panel.form.isHidden() and book.get(alert.id).price == 71000.0
