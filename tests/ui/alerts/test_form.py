"""The alerts form in its panel over a real :class:`AlertBook`: creating, the message at each
bad field, the already-crossed question, editing, and when the form is shown.

A fake clock stands in for the book's and the panel's. Waits are on signals or conditions with
timeouts; nothing sleeps.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDateTime, Qt

from kucandle_gui.model import (
    MAX_ALERT_PAIRS,
    AlertSpec,
    AlertState,
    Arming,
    Condition,
)
from kucandle_gui.ui.alerts.table_model import Column
from tests.ui.alerts.kit import (
    LISTED,
    PAIR,
    cell,
    click,
    fill,
    shown_errors,
)


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
    # No candle of the pair known yet: it arms at the first one (waiting if still above).
    assert (alert.state, alert.arming) == (AlertState.ACTIVE, Arming.PENDING)
    assert not form.crossed.isVisible()
    assert cell(panel, alert.id, Column.STATUS) == "Waiting for the first price"
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
