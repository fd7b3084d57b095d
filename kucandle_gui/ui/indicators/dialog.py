"""A small dialog to add one indicator to the chart, or edit one: kind, parameters, colour,
visibility.

Each parameter is checked at its field, and what is wrong is said under it in a small red line
(a period is a whole number from 2 to 1000, MACD's slow period is longer than its fast one,
Bollinger's k is above 0 and at most 10); nothing is added until all is well. The model's
parser (:func:`parse_indicator_spec`) has the last word, so the dialog, the command line and a
saved file accept the same indicators. An indicator already on the chart is refused (the same
one twice would draw one line over the other); that line goes once a field or the kind changes.

Numbers are written as the SPEC writes them (:attr:`IndicatorSpec.text`: the shortest text that
reads back the same float), both in the fields of a study edited and in the SPEC built from the
fields: an edit that changes only the colour or the visibility keeps the indicator exactly.

Every label's and button's Alt+letter is its own for every kind (the kinds' fields, Colour,
Shown, Add or Save, and Cancel, which some platforms write "&Cancel").
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kucandle_gui.model.indicators import (
    MAX_PERIOD,
    MIN_PERIOD,
    IndicatorSpec,
    IndicatorSpecError,
    Kind,
    Study,
    parse_indicator_spec,
)
from kucandle_gui.model.indicators.spec import MAX_BB_K

from ..error_label import error_label


@dataclass(frozen=True)
class Param:
    """One parameter's field: its label, the value it starts with, whole or not."""

    label: str
    default: float
    whole: bool = True


#: What the kind combo offers, in this order, with each kind's parameters.
KINDS: dict[Kind, tuple[str, tuple[Param, ...]]] = {
    Kind.SMA: ("SMA: simple moving average", (Param("&Period", 50),)),
    Kind.EMA: ("EMA: exponential moving average", (Param("&Period", 20),)),
    Kind.BB: ("Bollinger Bands", (Param("&Period", 20), Param("&k (std devs)", 2, False))),
    Kind.VWAP: ("VWAP (from each UTC day's start)", ()),
    Kind.RSI: ("RSI (Wilder)", (Param("&Period", 14),)),
    # Not "&Slow" nor "&Signal": Alt+S is Save, Alt+I the Indicator combo.
    Kind.MACD: ("MACD", (Param("&Fast", 12), Param("S&low", 26), Param("Si&gnal", 9))),
    Kind.VOLSMA: ("Volume SMA", (Param("&Period", 20),)),
}
_MOST_PARAMS = max(len(params) for _, params in KINDS.values())


def _number_text(value: float) -> str:
    """As :attr:`IndicatorSpec.text` writes it: ``2`` for 2.0, else the float's ``repr`` (the
    shortest text that reads back the same number: never rounded)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class IndicatorDialog(QDialog):
    """Add an indicator (no ``study``), or edit ``study``; emits ``submitted`` with the
    :class:`Study` once every field is right, then closes."""

    submitted = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        color: str,
        study: Study | None = None,
        taken: Collection[IndicatorSpec] = (),
    ) -> None:
        """``color``: the new indicator's colour (a study's own when editing); ``taken``: the
        indicators already on the chart (the one edited may keep its own)."""
        super().__init__(parent)
        self.editing = study
        self._taken = {spec for spec in taken if study is None or spec != study.spec}
        self._color = QColor(study.color if study is not None else color)
        self.setWindowTitle(f"Edit {study.spec.label}" if study else "Add indicator")

        self.kind_combo = QComboBox(self)
        for kind, (name, _params) in KINDS.items():
            self.kind_combo.addItem(name, kind)
        self.fields: list[QLineEdit] = []
        self.field_errors: list[QLabel] = []
        self._labels: list[QLabel] = []
        form = QFormLayout()
        form.addRow("&Indicator", self.kind_combo)
        for _ in range(_MOST_PARAMS):
            field, error, label = QLineEdit(self), error_label(self), QLabel(self)
            label.setBuddy(field)
            field.textEdited.connect(lambda _t, e=error: self._edited(e))
            field.editingFinished.connect(lambda f=field: self._check_field_of(f))
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(field)
            column.addWidget(error)
            form.addRow(label, column)
            self.fields.append(field)
            self.field_errors.append(error)
            self._labels.append(label)
        self.color_button = QPushButton(self)
        self.color_button.clicked.connect(self._pick_color)
        # Not "&Colour": some platforms' Cancel is "&Cancel".
        form.addRow("C&olour", self.color_button)
        # Not "&Shown": Alt+S is Save.
        self.visible_box = QCheckBox("Sho&wn on the chart", self)
        self.visible_box.setChecked(study.visible if study is not None else True)
        form.addRow("", self.visible_box)
        self.error_label = error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Save" if study is not None else "&Add")
        ok.setDefault(True)  # Enter in a field submits; Escape cancels
        self.color_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.kind_combo.currentIndexChanged.connect(lambda _i: self._show_kind(None))
        start = study.spec if study is not None else None
        self.kind_combo.setCurrentIndex(list(KINDS).index(start.kind) if start else 0)
        self._show_kind(start)
        self._show_color()

    # -- what the fields hold --------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        return self.kind_combo.currentData()

    @property
    def color(self) -> str:
        return self._color.name()

    def _params(self) -> tuple[Param, ...]:
        return KINDS[self.kind][1]

    def _show_kind(self, spec: IndicatorSpec | None) -> None:
        """The kind's fields, at ``spec``'s values (else the usual ones), errors cleared."""
        params = self._params()
        # The study's numbers as its SPEC writes them (``bb:20:2.1234567``): never rounded.
        written = spec.text.split(":")[1:] if spec is not None else None
        for n, (field, error, label) in enumerate(
            zip(self.fields, self.field_errors, self._labels, strict=True)
        ):
            error.hide()
            shown = n < len(params)
            field.setVisible(shown)
            label.setVisible(shown)
            if shown:
                label.setText(params[n].label)
                field.setText(
                    written[n] if written is not None else _number_text(params[n].default)
                )
        self.error_label.hide()

    def _edited(self, error: QLabel) -> None:
        """A field changed: what was said of it, and of the whole indicator, is out of date."""
        error.hide()
        self.error_label.hide()

    def _pick_color(self) -> None:
        dialog = QColorDialog(self._color, self)
        dialog.setWindowTitle("Indicator colour")
        dialog.colorSelected.connect(self._color_chosen)
        dialog.open()

    def _color_chosen(self, color: QColor) -> None:
        if color.isValid():
            self._color = color
            self._show_color()

    def _show_color(self) -> None:
        name = self._color.name()
        text = "#000000" if self._color.lightness() > 140 else "#ffffff"
        self.color_button.setText(name)
        self.color_button.setStyleSheet(f"background-color: {name}; color: {text};")

    # -- checks ----------------------------------------------------------------------------

    def _check_field_of(self, field: QLineEdit) -> None:
        if field.isVisible():
            self._check_field(self.fields.index(field))

    def _check_field(self, n: int) -> float | None:
        """Field ``n``'s value, or None with what is wrong said under it."""
        param, text = self._params()[n], self.fields[n].text().strip()
        problem = _field_problem(param, text)
        if problem is None and self.kind is Kind.MACD and n == 1:
            fast = _field_value(self._params()[0], self.fields[0].text().strip())
            if fast is not None and float(text) <= fast:
                problem = f"longer than the fast period ({_number_text(fast)})"
        error = self.field_errors[n]
        if problem is not None:
            error.setText(f"Must be {problem}")
            error.show()
            return None
        error.hide()
        return float(text)

    def spec(self) -> IndicatorSpec | None:
        """The indicator the fields describe, or None with what is wrong said at its place."""
        values = [self._check_field(n) for n in range(len(self._params()))]
        if any(value is None for value in values):
            return None
        text = ":".join([self.kind.value, *(_number_text(v) for v in values if v is not None)])
        try:
            spec = parse_indicator_spec(text)
        except IndicatorSpecError as exc:  # a rule only the model knows
            return self._refuse(str(exc))
        if spec in self._taken:
            return self._refuse(f"{spec.label} is already on the chart")
        self.error_label.hide()
        return spec

    def _refuse(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        return None

    def study(self) -> Study | None:
        """What the dialog would submit now (None: something is wrong, said)."""
        spec = self.spec()
        if spec is None:
            return None
        return Study(spec, self.color, self.visible_box.isChecked())

    def accept(self) -> None:
        study = self.study()
        if study is None:
            return  # the dialog stays, with what is wrong said
        self.submitted.emit(study)
        super().accept()


def _field_value(param: Param, text: str) -> float | None:
    return None if _field_problem(param, text) is not None else float(text)


def _field_problem(param: Param, text: str) -> str | None:
    """What is wrong with ``text`` for ``param`` (None: nothing), said to follow "Must be"."""
    if param.whole:
        # ASCII digits only, as the SPEC parser: "²".isdigit() is True, int("²") raises.
        if not (text.isascii() and text.isdigit()) or not MIN_PERIOD <= int(text) <= MAX_PERIOD:
            return f"a whole number from {MIN_PERIOD} to {MAX_PERIOD}"
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_BB_K):
        return f"a number above 0 and at most {_number_text(MAX_BB_K)}"
    return None
