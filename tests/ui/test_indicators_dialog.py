"""The indicator dialog, filled as a user would (typed keys, Enter), and the studies' store:
what is checked at each field, what is submitted, what is saved and what is kept aside."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QColorDialog, QDialogButtonBox, QLabel

from kucandle_gui.model.indicators import Kind, Study, parse_indicator_spec, studies_to_data
from kucandle_gui.ui.indicators import STUDIES_KEY, IndicatorDialog, StudyStore
from kucandle_gui.ui.indicators.dialog import KINDS
from kucandle_gui.ui.indicators.store import MAX_BACKUPS


def choose(dialog: IndicatorDialog, kind: Kind) -> None:
    """Pick ``kind`` in the dialog's list, as the user does."""
    dialog.kind_combo.setCurrentIndex(list(KINDS).index(kind))


@pytest.fixture
def submitted() -> list[Study]:
    return []


@pytest.fixture
def make_dialog(qtbot, submitted):
    def make(**kwargs) -> IndicatorDialog:
        kwargs.setdefault("color", "#ff9800")
        dialog = IndicatorDialog(None, **kwargs)
        qtbot.addWidget(dialog)
        dialog.submitted.connect(submitted.append)
        dialog.show()
        return dialog

    return make


def type_into(qtbot, dialog: IndicatorDialog, n: int, text: str) -> None:
    """Replace field ``n``'s text by typing ``text``."""
    field = dialog.fields[n]
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def press_enter(qtbot, dialog: IndicatorDialog, n: int = 0) -> None:
    qtbot.keyClick(dialog.fields[n], Qt.Key.Key_Return)


def shown_fields(dialog: IndicatorDialog) -> list[str]:
    return [field.text() for field in dialog.fields if field.isVisibleTo(dialog)]


def errors(dialog: IndicatorDialog) -> list[str]:
    return [e.text() for e in dialog.field_errors if e.isVisibleTo(dialog)]


def test_a_new_indicator_starts_from_the_usual_values_and_is_added_with_enter(
    qtbot, make_dialog, submitted
):
    dialog = make_dialog()
    assert dialog.windowTitle() == "Add indicator"
    assert dialog.kind is Kind.SMA and shown_fields(dialog) == ["50"]
    choose(dialog, Kind.EMA)
    assert shown_fields(dialog) == ["20"]
    type_into(qtbot, dialog, 0, "21")
    press_enter(qtbot, dialog)
    assert not dialog.isVisible()
    assert submitted == [Study(parse_indicator_spec("ema:21"), "#ff9800", True)]


def test_each_kind_shows_its_own_fields(make_dialog):
    dialog = make_dialog()
    expected = {
        Kind.SMA: ["50"],
        Kind.EMA: ["20"],
        Kind.BB: ["20", "2"],
        Kind.VWAP: [],
        Kind.RSI: ["14"],
        Kind.MACD: ["12", "26", "9"],
        Kind.VOLSMA: ["20"],
    }
    for kind, fields in expected.items():
        choose(dialog, kind)
        assert shown_fields(dialog) == fields, kind


@pytest.mark.parametrize("text", ["1", "1001", "abc", "", "14.5", "-3"])
def test_a_period_is_a_whole_number_from_2_to_1000(qtbot, make_dialog, submitted, text):
    dialog = make_dialog()
    choose(dialog, Kind.RSI)
    type_into(qtbot, dialog, 0, text)
    press_enter(qtbot, dialog)
    assert submitted == [] and dialog.isVisible()
    assert errors(dialog) == ["Must be a whole number from 2 to 1000"]
    qtbot.keyClicks(dialog.fields[0], "x")  # typing again clears the line
    assert errors(dialog) == []


# ², then 14 in Arabic-Indic and in fullwidth digits.
@pytest.mark.parametrize("text", ["\u00b2", "\u0661\u0664", "\uff11\uff14"])
def test_a_period_is_written_in_ascii_digits_like_a_spec(qtbot, make_dialog, submitted, text):
    """``str.isdigit`` accepts these ("²" then fails ``int``); the SPEC parser does not."""
    dialog = make_dialog()
    choose(dialog, Kind.RSI)
    dialog.fields[0].setText(text)  # as pasted: QTest types ASCII keys only
    press_enter(qtbot, dialog)
    assert submitted == [] and dialog.isVisible()
    assert errors(dialog) == ["Must be a whole number from 2 to 1000"]


def test_the_error_is_said_when_leaving_the_field(qtbot, make_dialog):
    dialog = make_dialog()
    type_into(qtbot, dialog, 0, "0")
    dialog.fields[0].editingFinished.emit()  # as focus leaves it
    assert errors(dialog) == ["Must be a whole number from 2 to 1000"]


def test_macd_slow_must_be_longer_than_fast(qtbot, make_dialog, submitted):
    dialog = make_dialog()
    choose(dialog, Kind.MACD)
    type_into(qtbot, dialog, 0, "26")
    type_into(qtbot, dialog, 1, "12")
    press_enter(qtbot, dialog, 1)
    assert submitted == []
    assert errors(dialog) == ["Must be longer than the fast period (26)"]
    assert not dialog.field_errors[0].isVisibleTo(dialog)  # said at the slow period only
    type_into(qtbot, dialog, 1, "30")
    press_enter(qtbot, dialog, 2)
    assert [s.spec.text for s in submitted] == ["macd:26:30:9"]


@pytest.mark.parametrize("text", ["0", "10.5", "-1", "nan", "inf", "two"])
def test_bollinger_k_is_above_0_and_at_most_10(qtbot, make_dialog, submitted, text):
    dialog = make_dialog()
    choose(dialog, Kind.BB)
    type_into(qtbot, dialog, 1, text)
    press_enter(qtbot, dialog, 1)
    assert submitted == []
    assert errors(dialog) == ["Must be a number above 0 and at most 10"]


def test_bollinger_with_a_fractional_k(qtbot, make_dialog, submitted):
    dialog = make_dialog()
    choose(dialog, Kind.BB)
    type_into(qtbot, dialog, 0, "30")
    type_into(qtbot, dialog, 1, "2.5")
    press_enter(qtbot, dialog, 1)
    assert [s.spec.text for s in submitted] == ["bb:30:2.5"]


def test_vwap_has_nothing_to_fill(qtbot, make_dialog, submitted):
    dialog = make_dialog()
    choose(dialog, Kind.VWAP)
    qtbot.keyClick(dialog.kind_combo, Qt.Key.Key_Return)
    assert [s.spec.text for s in submitted] == ["vwap"]


def test_an_indicator_already_on_the_chart_is_refused(qtbot, make_dialog, submitted):
    dialog = make_dialog(taken=[parse_indicator_spec("ema:20")])
    choose(dialog, Kind.EMA)
    press_enter(qtbot, dialog)
    assert submitted == [] and dialog.isVisible()
    assert dialog.error_label.isVisibleTo(dialog)
    assert dialog.error_label.text() == "EMA 20 is already on the chart"


def test_the_already_on_the_chart_line_goes_once_a_field_changes(qtbot, make_dialog, submitted):
    dialog = make_dialog(taken=[parse_indicator_spec("ema:20")])
    choose(dialog, Kind.EMA)
    press_enter(qtbot, dialog)
    assert dialog.error_label.isVisibleTo(dialog)
    type_into(qtbot, dialog, 0, "21")
    assert not dialog.error_label.isVisibleTo(dialog)  # said of EMA 20, not of EMA 21
    press_enter(qtbot, dialog)
    assert dialog.error_label.text() == "EMA 20 is already on the chart"  # not shown again
    assert not dialog.error_label.isVisibleTo(dialog)
    assert [s.spec.text for s in submitted] == ["ema:21"]


@pytest.mark.parametrize("text", ["bb:20:2.1234567", "bb:20:2.0000001", "bb:7:0.1", "bb:20:1e-05"])
def test_bollinger_k_is_shown_and_kept_exactly(qtbot, make_dialog, submitted, text):
    """The k a study has is shown as its SPEC writes it, never rounded: changing only the
    colour keeps the indicator exactly (and ``bb:20:2`` beside it is another one)."""
    spec = parse_indicator_spec(text)
    study = Study(spec, "#2196f3", True)
    dialog = make_dialog(study=study, taken=[spec, parse_indicator_spec("bb:20:2")])
    assert shown_fields(dialog) == text.split(":")[1:]
    dialog._color_chosen(QColor("#00aa55"))  # as the colour picker does
    press_enter(qtbot, dialog)
    assert submitted == [Study(spec, "#00aa55", True)]
    assert submitted[0].spec.text == text


def test_a_typed_k_is_taken_exactly(qtbot, make_dialog, submitted):
    dialog = make_dialog()
    choose(dialog, Kind.BB)
    type_into(qtbot, dialog, 1, "2.0000001")
    press_enter(qtbot, dialog, 1)
    assert [s.spec for s in submitted] == [parse_indicator_spec("bb:20:2.0000001")]


def _mnemonic(text: str) -> str | None:
    """The Alt+letter of a label or button text (``&&`` is a plain ampersand)."""
    plain = text.replace("&&", "")
    i = plain.find("&")
    return plain[i + 1].lower() if 0 <= i < len(plain) - 1 else None


def dialog_mnemonics(dialog: IndicatorDialog) -> dict[str, list[str]]:
    """Per Alt+letter, the visible labels and buttons that have it. Cancel counts as
    "&Cancel" where the platform does not say (GTK's and KDE's have that mnemonic)."""
    found: dict[str, list[str]] = {}
    texts = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.buddy() is not None and label.isVisibleTo(dialog)
    ]
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    for button in dialog.findChildren(QAbstractButton):
        if button.isVisibleTo(dialog):
            text = button.text()
            texts.append("&Cancel" if button is cancel and _mnemonic(text) is None else text)
    for text in texts:
        if (key := _mnemonic(text)) is not None:
            found.setdefault(key, []).append(text)
    return found


@pytest.mark.parametrize("editing", [False, True], ids=["add", "edit"])
def test_no_two_labels_or_buttons_share_an_alt_letter(make_dialog, editing):
    for kind in KINDS:
        default = ":".join([kind.value, *("2" if not p.whole else "20" for p in KINDS[kind][1])])
        if kind is Kind.MACD:
            default = "macd:12:26:9"
        study = Study(parse_indicator_spec(default), "#2196f3") if editing else None
        dialog = make_dialog(study=study)
        choose(dialog, kind)
        found = dialog_mnemonics(dialog)
        assert sum(len(texts) for texts in found.values()) >= 5, (kind, found)
        clashes = {key: texts for key, texts in found.items() if len(texts) > 1}
        assert clashes == {}, (kind, editing, clashes)
        dialog.close()


def test_editing_starts_from_the_study_and_may_keep_its_own_spec(qtbot, make_dialog, submitted):
    study = Study(parse_indicator_spec("bb:20:2.5"), "#2196f3", False)
    dialog = make_dialog(study=study, taken=[study.spec, parse_indicator_spec("ema:20")])
    assert dialog.windowTitle() == f"Edit {study.spec.label}"
    assert dialog.kind is Kind.BB and shown_fields(dialog) == ["20", "2.5"]
    assert dialog.color == "#2196f3" and not dialog.visible_box.isChecked()
    dialog.visible_box.click()
    press_enter(qtbot, dialog)
    assert submitted == [Study(study.spec, "#2196f3", True)]


def test_the_colour_button_opens_a_colour_picker(qtbot, make_dialog, submitted):
    dialog = make_dialog()
    qtbot.mouseClick(dialog.color_button, Qt.MouseButton.LeftButton)
    picker = dialog.findChild(QColorDialog)
    assert picker is not None and picker.isVisible()
    assert picker.currentColor().name() == "#ff9800"
    picker.setCurrentColor(QColor("#00aa55"))
    picker.accept()
    assert dialog.color == "#00aa55" and dialog.color_button.text() == "#00aa55"
    assert not picker.isVisible()
    dialog.fields[0].setFocus()
    press_enter(qtbot, dialog)
    assert submitted[0].color == "#00aa55"


def test_escape_cancels(qtbot, make_dialog, submitted):
    dialog = make_dialog()
    qtbot.keyClick(dialog.fields[0], Qt.Key.Key_Escape)
    assert not dialog.isVisible() and submitted == []


# -- the store -----------------------------------------------------------------------------


@pytest.fixture
def qsettings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_saved_studies_are_read_back(qsettings, tmp_path):
    """The one-chart settings' studies, as an earlier version wrote them (read to migrate)."""
    studies = [
        Study(parse_indicator_spec("ema:20"), "#ff9800", True),
        Study(parse_indicator_spec("macd:12:26:9"), "#2196f3", False),
    ]
    qsettings.setValue(STUDIES_KEY, json.dumps(studies_to_data(studies)))
    qsettings.sync()
    again = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert StudyStore(again).load() == (studies, [])


def test_nothing_saved_is_no_problem(qsettings):
    assert StudyStore(qsettings).load() == ([], [])


@pytest.mark.parametrize("raw", ["{not json", "[[[[" * 50_000, 42, "x" * 70_000])
def test_an_unreadable_value_is_kept_aside_and_said(qsettings, raw):
    qsettings.setValue(STUDIES_KEY, raw)
    store = StudyStore(qsettings, clock=lambda: 1_767_225_600.0)  # 2026-01-01 00:00 UTC
    studies, problems = store.load()
    assert studies == []
    assert problems[0].startswith("the saved indicators could not be read")
    key = f"{STUDIES_KEY}-backup-20260101T000000"
    assert problems[-1] == f"the saved text is kept in the settings as {key}"
    assert qsettings.value(key) == raw
    assert qsettings.value(STUDIES_KEY) == raw  # untouched until the next save


def test_good_entries_of_a_damaged_value_are_kept(qsettings):
    good = Study(parse_indicator_spec("rsi:14"), "#9c27b0", True)
    saved = [*studies_to_data([good]), {"spec": "sma:1", "color": "#ffffff"}]
    qsettings.setValue(STUDIES_KEY, json.dumps(saved))
    studies, problems = StudyStore(qsettings).load()
    assert studies == [good]
    assert len(problems) == 2 and "sma" in problems[0]
    assert "kept in the settings as" in problems[-1]


def test_backups_are_bounded(qsettings):
    times = iter(range(1_767_225_600, 1_767_225_600 + 100))
    store = StudyStore(qsettings, clock=lambda: float(next(times)))
    for _ in range(MAX_BACKUPS + 2):
        qsettings.setValue(STUDIES_KEY, "{bad")
        store.load()
    assert len(store.backups()) == MAX_BACKUPS
