"""The pair dialog: filter as you type, keyboard selection, free typing, loading state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kucandle_gui.protocol import InvalidSymbolError
from kucandle_gui.ui.pair_dialog import PairDialog, normalise_pair

PAIRS = ["BTC-USDT", "ETH-USDT", "ETH-BTC", "SOL-USDT", "XRP-USDT", "QUIET-USDT"]


@pytest.fixture
def dialog(qtbot):
    dialog = PairDialog(current="BTC-USDT")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_loading_until_pairs_arrive(dialog):
    assert dialog.pairs_shown() == []
    assert dialog.hint_label.text() == "loading pairs…"
    dialog.set_pairs(PAIRS)
    assert dialog.pairs_shown() == sorted(PAIRS)
    # With nothing typed, the current pair is the one highlighted.
    assert dialog.chosen_pair() == "BTC-USDT"
    assert dialog.hint_label.text() == "Enter opens BTC-USDT"


def test_filters_as_you_type_case_insensitive(qtbot, dialog):
    dialog.set_pairs(PAIRS)
    qtbot.keyClicks(dialog.filter_edit, "eth")
    assert dialog.pairs_shown() == ["ETH-BTC", "ETH-USDT"]
    qtbot.keyClicks(dialog.filter_edit, "-u")
    assert dialog.pairs_shown() == ["ETH-USDT"]


def test_typing_before_the_list_arrives_is_kept(qtbot, dialog):
    qtbot.keyClicks(dialog.filter_edit, "sol")
    dialog.set_pairs(PAIRS)
    assert dialog.pairs_shown() == ["SOL-USDT"]


def test_keyboard_selection_arrow_and_enter(qtbot, dialog):
    dialog.set_pairs(PAIRS)
    qtbot.keyClicks(dialog.filter_edit, "usdt")
    assert dialog.pairs_shown() == ["BTC-USDT", "ETH-USDT", "QUIET-USDT", "SOL-USDT", "XRP-USDT"]
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Down)
    assert dialog.chosen_pair() == "QUIET-USDT"
    with qtbot.waitSignal(dialog.pairChosen, timeout=1000) as blocker:
        qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert blocker.args == ["QUIET-USDT"]
    assert not dialog.isVisible()


def test_escape_cancels_without_choosing(qtbot, dialog):
    dialog.set_pairs(PAIRS)
    chosen: list[str] = []
    dialog.pairChosen.connect(chosen.append)
    qtbot.keyClicks(dialog.filter_edit, "eth")
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Escape)
    assert chosen == []


def test_a_pair_not_in_the_list_can_be_typed(qtbot, dialog):
    dialog.set_pairs(PAIRS)
    qtbot.keyClicks(dialog.filter_edit, "doge/usdt")
    assert dialog.pairs_shown() == []
    assert dialog.hint_label.text() == "Enter tries DOGE-USDT (not in the list)"
    with qtbot.waitSignal(dialog.pairChosen, timeout=1000) as blocker:
        qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert blocker.args == ["DOGE-USDT"]


def test_invalid_text_keeps_the_dialog_open_with_the_reason(qtbot, dialog):
    dialog.set_pairs(PAIRS)
    chosen: list[str] = []
    dialog.pairChosen.connect(chosen.append)
    qtbot.keyClicks(dialog.filter_edit, "not a pair!")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert chosen == []
    assert dialog.isVisible()
    assert "expected BASE-QUOTE" in dialog.hint_label.text()
    assert dialog.filter_edit.text() == "not a pair!"


def test_exact_match_is_highlighted_over_the_first_row(qtbot, dialog):
    dialog.set_pairs([*PAIRS, "BETH-USDT", "ETH-USDT3L"])
    qtbot.keyClicks(dialog.filter_edit, "ETH-USDT")
    assert dialog.pairs_shown() == ["BETH-USDT", "ETH-USDT", "ETH-USDT3L"]
    assert dialog.chosen_pair() == "ETH-USDT"
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Down)
    assert dialog.chosen_pair() == "ETH-USDT3L"
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Up)
    assert dialog.chosen_pair() == "ETH-USDT"


@pytest.mark.parametrize(
    ("typed", "pair"),
    [("btc-usdt", "BTC-USDT"), (" eth/btc ", "ETH-BTC"), ("sol_usdt", "SOL-USDT")],
)
def test_normalise_pair(typed, pair):
    assert normalise_pair(typed) == pair


def test_normalise_pair_rejects_garbage():
    with pytest.raises(InvalidSymbolError):
        normalise_pair("BTCUSDT")


def test_a_failed_pair_list_is_said_and_typing_still_works(qtbot, dialog):
    dialog.set_load_failed("cannot load the list of pairs: exchange unreachable")
    assert dialog.hint_label.text().startswith("cannot load the list of pairs")
    qtbot.keyClicks(dialog.filter_edit, "eth-btc")
    assert dialog.hint_label.text() == "Enter tries ETH-BTC (the list of pairs is unavailable)"
    with qtbot.waitSignal(dialog.pairChosen, timeout=1000) as blocker:
        qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)
    assert blocker.args == ["ETH-BTC"]
