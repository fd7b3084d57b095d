"""The alerts panel's form: a new alert, or one being edited, checked field by field.

Whatever is wrong is said under the field it is about, in a small red line, and nothing is
created: a pair that is malformed or that the exchange does not list (once its list is known),
a price that is not a number or not above 0, a cool-down of 0, an expiry already past. The
rules are the model's (``parse_price``, ``AlertSpec.of``, the book's checks), the same for the
command line and a saved file: the form adds only what it alone knows (the exchange's list of
pairs) and puts each ``AlertError`` at the field it names, or above the form (a limit). A price the
market is already past is a question, not an error: asked in the form, answered with "Arm
anyway" (the alert then waits for the price to come back first) or "Change price"
(:class:`~.crossed.CrossedQuestion`). No dialog: the user keeps the form, and what was typed,
in view.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from PySide6.QtCore import QDateTime, QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from kucandle_gui.model import Alert, AlertBook, AlertError, AlertSpec, AlreadyCrossed, Condition
from kucandle_gui.model.alerts.spec import parse_price

from ..error_label import error_label
from ..pair_dialog import normalise_pair
from ..watchlist.formatting import format_price
from .crossed import CrossedQuestion
from .texts import (
    alert_saved_text,
    alert_set_text,
    alert_text,
    condition_text,
    crossed_question,
    not_listed_text,
    price_text,
)

#: Longest cool-down the form offers, in minutes (the book's limit, a day).
MAX_COOLDOWN_MINUTES = 1440
DEFAULT_COOLDOWN_MINUTES = 5
_CONDITIONS = (Condition.ABOVE, Condition.BELOW)


class AlertForm(QWidget):
    """Creates alerts in ``book``, or saves the one loaded by :meth:`load`; emits ``message``
    with what was done (for the status bar) and ``saved`` with the alert's id."""

    message = Signal(str)
    saved = Signal(int)
    #: The user is done with the form (cancelled): the panel puts it away.
    closed = Signal()

    def __init__(
        self,
        book: AlertBook,
        decimals: Callable[[str], int | None],
        known_pairs: Callable[[], Collection[str] | None],
        last_price: Callable[[str], float | None],
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self.book = book
        self._decimals = decimals
        self._known_pairs = known_pairs
        self._last_price = last_price
        self._clock = clock
        #: Demo mode: a pair not listed is the demo exchange's refusal.
        self.simulated = False
        #: The id of the alert being edited (None: a new one).
        self.editing: int | None = None
        #: A cool-down in seconds the minutes box cannot show, kept while its value stays.
        self._kept_cooldown: tuple[int, float] | None = None
        self._pairs: list[str] = []
        self._build()

    def _build(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        self.title_label = QLabel("New alert", self)
        self.title_label.setStyleSheet("font-weight: bold;")
        self.top_error = error_label(self)
        grid.addWidget(self.title_label, 0, 0, 1, 2)
        grid.addWidget(self.top_error, 1, 0, 1, 2)

        self.pair_edit = QLineEdit(self)
        self.pair_edit.setPlaceholderText("e.g. BTC-USDT")
        self._completer_model = QStringListModel(self)
        completer = QCompleter(self._completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.pair_edit.setCompleter(completer)
        self.pair_edit.installEventFilter(self)
        self.condition_combo = QComboBox(self)
        for condition in _CONDITIONS:
            self.condition_combo.addItem(condition_text(condition))
        self.price_edit = QLineEdit(self)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText("optional")
        self.note_edit.setMaxLength(200)
        self.once_radio = QRadioButton("Once", self)
        self.once_radio.setChecked(True)
        self.repeat_radio = QRadioButton("Repeat, cool-down", self)
        self.cooldown_spin = QSpinBox(self)
        self.cooldown_spin.setRange(0, MAX_COOLDOWN_MINUTES)
        self.cooldown_spin.setValue(DEFAULT_COOLDOWN_MINUTES)
        self.cooldown_spin.setEnabled(False)
        self.expiry_check = QCheckBox("at", self)
        self.expiry_edit = QDateTimeEdit(self)
        self.expiry_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.expiry_edit.setCalendarPopup(True)
        self.expiry_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(self._clock()) + 86_400))
        self.expiry_edit.setEnabled(False)

        price_row = _row(self.condition_combo, self.price_edit)
        minutes = QLabel("minutes", self)
        repeat_row = _row(self.once_radio, self.repeat_radio, self.cooldown_spin, minutes)
        expiry_row = _row(self.expiry_check, self.expiry_edit)
        self._errors: dict[str, QLabel] = {}
        self.pair_error = self._add_row(grid, "Pair", self.pair_edit, "symbol")
        self.price_error = self._add_row(grid, "Price", price_row, "price", "condition")
        self.note_error = self._add_row(grid, "Note", self.note_edit, "note")
        self.cooldown_error = self._add_row(grid, "Repeat", repeat_row, "cooldown")
        self.expiry_error = self._add_row(grid, "Expires", expiry_row, "expires")
        self.crossed = CrossedQuestion(self)
        grid.addWidget(self.crossed, grid.rowCount(), 0, 1, 2)

        self.submit_button = QPushButton("Create", self)
        self.submit_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel", self)
        grid.addLayout(_row(self.submit_button, self.cancel_button), grid.rowCount(), 0, 1, 2)
        grid.setColumnStretch(1, 1)

        for edit in (self.pair_edit, self.price_edit, self.note_edit):
            edit.returnPressed.connect(self.submit)
        self.submit_button.clicked.connect(self.submit)
        self.crossed.armRequested.connect(self.arm_anyway)
        self.crossed.changeRequested.connect(self.change_price)
        self.cancel_button.clicked.connect(self._cancel)
        self.repeat_radio.toggled.connect(self.cooldown_spin.setEnabled)
        self.expiry_check.toggled.connect(self._expiry_toggled)
        self.pair_edit.textChanged.connect(self._pair_changed)
        self.price_edit.textChanged.connect(lambda: self._edited(self.price_error))
        self.condition_combo.currentIndexChanged.connect(lambda: self._edited(self.price_error))
        self.note_edit.textChanged.connect(lambda: self._edited(self.note_error))
        self.cooldown_spin.valueChanged.connect(lambda: self._edited(self.cooldown_error))
        self.expiry_edit.dateTimeChanged.connect(lambda: self._edited(self.expiry_error))
        self._pair_changed()

    def _add_row(
        self, grid: QGridLayout, label: str, field: QWidget | QHBoxLayout, *names: str
    ) -> QLabel:
        """A labelled field with its error line under it, for the book's field ``names``."""
        row = grid.rowCount()
        grid.addWidget(QLabel(label, self), row, 0)
        if isinstance(field, QWidget):
            grid.addWidget(field, row, 1)
        else:
            grid.addLayout(field, row, 1)
        error = error_label(self)
        grid.addWidget(error, row + 1, 1)
        self._errors.update(dict.fromkeys(names, error))
        return error

    # -- what the panel asks ----------------------------------------------------------------

    def new(
        self,
        symbol: str | None = None,
        price: float | None = None,
        condition: Condition | None = None,
    ) -> None:
        """An empty form for a new alert (no longer editing), with what is given filled in."""
        self.editing = None
        self._kept_cooldown = None
        self.title_label.setText("New alert")
        self.submit_button.setText("Create")
        if symbol is not None:
            self.pair_edit.setText(symbol)
        decimals = None if symbol is None else self._decimals(symbol)
        self.price_edit.setText("" if price is None else format_price(price, decimals))
        if condition is not None:
            self.condition_combo.setCurrentIndex(_CONDITIONS.index(condition))
        self.note_edit.clear()
        self.once_radio.setChecked(True)
        self.cooldown_spin.setValue(DEFAULT_COOLDOWN_MINUTES)
        self.expiry_check.setChecked(False)
        self._clear_errors()

    def load(self, alert: Alert) -> None:
        """Edit ``alert``: its values in the form; the button saves them."""
        decimals = self._decimals(alert.symbol)
        self.new(alert.symbol, alert.price, alert.condition)
        self.editing = alert.id
        self.title_label.setText(f"Edit: {alert_text(alert, decimals)}")
        self.submit_button.setText("Save")
        self.note_edit.setText(alert.note)
        self.repeat_radio.setChecked(alert.repeat)
        minutes = max(1, round(alert.cooldown / 60))
        self.cooldown_spin.setValue(minutes)
        self._kept_cooldown = None if minutes * 60 == alert.cooldown else (minutes, alert.cooldown)
        if alert.expires_at is not None:
            self.expiry_check.setChecked(True)
            self.expiry_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(alert.expires_at)))

    def last_price(self, symbol: str) -> float | None:
        """The pair's last price: the book's own (1min closes), else the window's."""
        last = self.book.last_price(symbol)
        return self._last_price(symbol) if last is None else last

    def focus_pair(self) -> None:
        self.pair_edit.setFocus()
        self.pair_edit.selectAll()

    def change_price(self) -> None:
        """The already-crossed question answered "Change price": the price to type again."""
        self.crossed.dismiss()
        self.price_edit.setFocus()
        self.price_edit.selectAll()

    def refresh_pairs(self) -> None:
        """The completer offers the exchange's pairs, once they are known."""
        known = self._known_pairs()
        pairs = sorted(known) if known is not None else []
        if pairs != self._pairs:
            self._pairs = pairs
            self._completer_model.setStringList(pairs)

    # -- creating and saving ----------------------------------------------------------------

    def submit(self) -> Alert | None:
        """Create or save what the form says: the alert, or None with the reasons shown."""
        self._clear_errors()
        fields = self._read()
        if fields is None:
            return None
        try:
            spec = AlertSpec.of(**fields)
        except AlertError as exc:
            self._show_error(exc.field, str(exc))
            return None
        return self._commit(spec, force=False)

    def arm_anyway(self) -> Alert | None:
        """The already-crossed question answered "Arm anyway"."""
        spec = self.crossed.dismiss()
        return None if spec is None else self._commit(spec, force=True)

    def _commit(self, spec: AlertSpec, *, force: bool) -> Alert | None:
        last = self._last_price(spec.symbol)
        editing = self.editing
        if editing is not None and self.book.get(editing) is None:
            self.new()
            self._show_error("", "The alert being edited was deleted: Create makes a new one")
            return None
        try:
            if editing is None:
                alert = self.book.add(spec, force=force, last_price=last)
            else:
                alert = self.book.update(editing, spec, force=force, last_price=last)
        except AlreadyCrossed as exc:
            self._ask(exc)
            return None
        except AlertError as exc:
            self._show_error(exc.field, str(exc))
            return None
        decimals = self._decimals(alert.symbol)
        done = alert_set_text if editing is None else alert_saved_text
        self.new(alert.symbol, None, alert.condition)  # ready for the next one
        self.message.emit(done(alert, decimals))
        self.saved.emit(alert.id)
        return alert

    def _read(self) -> dict[str, object] | None:
        """The fields' values for ``AlertSpec.of``, or None with each problem shown."""
        fields: dict[str, object] = {
            "condition": _CONDITIONS[self.condition_combo.currentIndex()],
            "note": self.note_edit.text().strip(),
            "repeat": self.repeat_radio.isChecked(),
        }
        try:
            fields["symbol"] = self._check_pair(self.pair_edit.text())
        except ValueError as exc:
            self._show_error("symbol", str(exc))
        try:
            fields["price"] = parse_price(self.price_edit.text())
        except AlertError as exc:
            self._show_error(exc.field, str(exc))
        if fields["repeat"]:  # a once alert's cool-down is not asked (its box is disabled)
            minutes = self.cooldown_spin.value()
            kept = self._kept_cooldown
            fields["cooldown"] = kept[1] if kept and kept[0] == minutes else minutes * 60.0
        fields["expires_at"] = None
        if self.expiry_check.isChecked():
            fields["expires_at"] = float(self.expiry_edit.dateTime().toSecsSinceEpoch())
        return None if any(label.text() for label in self._errors.values()) else fields

    def _check_pair(self, text: str) -> str:
        if not text.strip():
            raise ValueError("Enter a pair, e.g. BTC-USDT")
        symbol = normalise_pair(text)  # InvalidSymbolError says the form expected
        self.refresh_pairs()
        if self._pairs and symbol not in self._pairs:
            raise ValueError(not_listed_text(symbol, self.simulated))
        return symbol

    def _ask(self, refusal: AlreadyCrossed) -> None:
        """The price is already past: ask whether to arm it anyway."""
        spec = refusal.spec
        decimals = self._decimals(spec.symbol)
        text = crossed_question(
            spec.symbol, spec.condition, spec.price, refusal.last_price, decimals
        )
        self.crossed.ask(spec, text)

    # -- errors -----------------------------------------------------------------------------

    def _show_error(self, field: str, text: str) -> None:
        """``text`` under the field (the model's messages start in lower case: a sentence here)."""
        label = self._errors.get(field, self.top_error)
        label.setText(text[:1].upper() + text[1:])
        label.show()

    def _clear_errors(self) -> None:
        for label in (self.top_error, *self._errors.values()):
            label.clear()
            label.hide()
        self.crossed.dismiss()

    def _edited(self, error: QLabel) -> None:
        """A field changed: its message (and a question about the old values) goes."""
        error.clear()
        error.hide()
        self.crossed.dismiss()

    def _pair_changed(self) -> None:
        """The pair's last price as the price's placeholder, a hint where to set it."""
        self._edited(self.pair_error)
        try:
            symbol = normalise_pair(self.pair_edit.text())
        except ValueError:
            symbol = ""
        last = self.last_price(symbol) if symbol else None
        decimals = self._decimals(symbol) if symbol else None
        self.price_edit.setPlaceholderText(
            "e.g. 70000.5" if last is None else f"last {price_text(last, decimals)}"
        )

    def _expiry_toggled(self, on: bool) -> None:
        self.expiry_edit.setEnabled(on)
        self._edited(self.expiry_error)
        if on and self.expiry_edit.dateTime().toSecsSinceEpoch() <= self._clock():
            tomorrow = int(self._clock()) + 24 * 3600
            self.expiry_edit.setDateTime(QDateTime.fromSecsSinceEpoch(tomorrow))

    def _cancel(self) -> None:
        self.new()  # nothing changed; the panel puts the form away
        self.closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The pair box's completer is filled as the box takes the focus (the exchange's list
        of pairs may have come since)."""
        if watched is self.pair_edit and event.type() == QEvent.Type.FocusIn:
            self.refresh_pairs()
        return super().eventFilter(watched, event)


def _row(*widgets: QWidget) -> QHBoxLayout:
    """Widgets side by side from the left (a line edit among them takes the width)."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row
