"""The Indicators menu in the window against the local exchange: studies added from the quick
entries and the dialog (typed as a user would), drawn on the chart and in its readout, shown,
hidden, edited, removed, kept for every pair and across a restart (saved with the layout); a
damaged value an earlier version saved kept aside and said; the command line's indicators
added. Waits are on conditions with timeouts; nothing sleeps."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu

from kucandle_gui.model.indicators import (
    DEFAULT_COLORS,
    MAX_STUDIES,
    Study,
    parse_indicator_spec,
)
from kucandle_gui.ui.indicators import QUICK_SPECS, STUDIES_KEY
from kucandle_gui.ui.layout_store import WORKSPACE_KEY
from kucandle_gui.ui.main_window import MainWindow

WAIT_MS = 15_000
EMA20, RSI14, MACD = (parse_indicator_spec(t) for t in ("ema:20", "rsi:14", "macd:12:26:9"))


def store_at(path: str) -> QSettings:
    return QSettings(path, QSettings.Format.IniFormat)


def saved(path: str) -> list[dict] | None:
    """The active chart's studies as the window saved them with the layout (None: not yet)."""
    raw = store_at(path).value(WORKSPACE_KEY)
    if raw is None:
        return None
    workspace = json.loads(raw)
    return workspace["cells"][workspace["active"]]["studies"]


def saved_specs(path: str) -> list[str] | None:
    studies = saved(path)
    return None if studies is None else [s["spec"] for s in studies]


def specs(window: MainWindow) -> list[str]:
    return [study.spec.text for study in window.chart_model.studies]


def menu_texts(window: MainWindow) -> list[tuple[str, bool]]:
    """The studies' entries in the Indicators menu: label, checked (shown)."""
    keeper = window.indicators
    menu = window.menu_actions.indicators_menu
    entries = [a for a in menu.actions() if a in keeper.study_actions.values()]
    return [(a.text(), a.isChecked()) for a in entries]


def entry(menu: QMenu, text: str) -> QAction:
    """The entry of ``menu`` that reads ``text``."""
    (action,) = (action for action in menu.actions() if action.text() == text)
    return action


def wait_live(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.chart.last_price() is not None, timeout=WAIT_MS)


def wait_drawn(qtbot, window: MainWindow, spec) -> None:
    """Until the chart draws ``spec``'s line(s) with values in view."""

    def drawn() -> bool:
        item = window.chart.study_item(spec)
        return item is not None and item.extent() is not None

    qtbot.waitUntil(drawn, timeout=WAIT_MS)


@pytest.fixture
def window(make_window, exchange) -> MainWindow:
    window = make_window(exchange.base_url)
    window.resize(1200, 800)
    return window


def test_the_menu_offers_the_common_indicators(window):
    menu = window.menu_actions.indicators_menu
    assert menu.title() == "&Indicators"
    quick = window.indicators.quick_actions
    assert list(quick) == list(QUICK_SPECS)
    assert [quick[t].text() for t in QUICK_SPECS] == [
        "SMA 50",
        "EMA 20",
        "EMA 50",
        "BB 20 2",
        "VWAP",
        "RSI 14",
        "MACD 12 26 9",
        "Vol SMA 20",
    ]
    actions = menu.actions()
    assert actions.index(quick["volsma:20"]) < actions.index(window.menu_actions.add_indicator)
    assert window.menu_actions.add_indicator.shortcut().toString() == "Ctrl+I"
    assert not window.menu_actions.remove_indicators.isEnabled()  # nothing to remove


def test_quick_entries_add_studies_drawn_on_the_chart_and_in_the_readout(qtbot, window):
    wait_live(qtbot, window)
    quick = window.indicators.quick_actions
    quick["ema:20"].trigger()
    quick["rsi:14"].trigger()
    quick["macd:12:26:9"].trigger()
    assert window.chart_model.studies == (
        Study(EMA20, DEFAULT_COLORS[0], True),
        Study(RSI14, DEFAULT_COLORS[1], True),
        Study(MACD, DEFAULT_COLORS[2], True),
    )
    assert window.chart.studies() == window.chart_model.studies
    for spec in (EMA20, RSI14, MACD):
        wait_drawn(qtbot, window, spec)
    # RSI and MACD each in a pane of their own under the price; the EMA on the price.
    assert len(window.chart.study_views()) == 2
    assert window.chart.study_view(RSI14) is not None and window.chart.study_view(EMA20) is None
    newest = window.chart.store.last()
    window.chart.show_readout_at(newest.time)
    readout = window.chart.readout_text()
    assert "EMA 20" in readout and "RSI 14" in readout and "MACD" in readout
    assert menu_texts(window) == [("EMA 20", True), ("RSI 14", True), ("MACD 12 26 9", True)]
    assert window.menu_actions.remove_indicators.isEnabled()
    assert window.status_bar.message_label.text() == "MACD 12 26 9 added to the chart"

    quick["ema:20"].trigger()  # already there: not twice
    assert specs(window) == ["ema:20", "rsi:14", "macd:12:26:9"]
    assert window.status_bar.message_label.text() == "EMA 20 is already on the chart"


def test_a_quick_entry_shows_a_hidden_study_again_and_says_so(qtbot, window):
    keeper = window.indicators
    keeper.quick_actions["ema:20"].trigger()
    keeper.study_actions[EMA20].trigger()  # hidden
    assert window.chart_model.studies == (Study(EMA20, DEFAULT_COLORS[0], False),)
    keeper.quick_actions["ema:20"].trigger()
    assert window.chart_model.studies == (Study(EMA20, DEFAULT_COLORS[0], True),)
    assert menu_texts(window) == [("EMA 20", True)]
    assert window.status_bar.message_label.text() == "EMA 20 shown again"


def test_removing_what_is_not_on_the_chart_says_nothing_was_removed(window):
    keeper = window.indicators
    keeper.quick_actions["ema:20"].trigger()
    assert not keeper.remove(RSI14)
    assert specs(window) == ["ema:20"]
    assert window.status_bar.message_label.text() == "RSI 14 is not on the chart"
    assert keeper.remove(EMA20)
    assert window.status_bar.message_label.text() == "EMA 20 removed from the chart"


def test_a_chart_takes_no_more_studies_than_are_kept(window):
    """More than MAX_STUDIES would be cut at the next start: the keeper refuses and says so."""
    keeper = window.indicators
    full = tuple(
        Study(parse_indicator_spec(f"sma:{period}"), DEFAULT_COLORS[0], False)
        for period in range(2, 2 + MAX_STUDIES)
    )
    window.chart_model.set_studies(full)
    keeper.quick_actions["rsi:14"].trigger()
    assert window.chart_model.studies == full
    said = f"No indicator added: a chart holds at most {MAX_STUDIES}; remove one first"
    assert window.status_bar.message_label.text() == said
    keeper.quick_actions["sma:50"].trigger()  # one already there is shown again, as ever
    assert window.chart_model.studies[48] == Study(
        parse_indicator_spec("sma:50"), DEFAULT_COLORS[0], True
    )


def _mnemonic(text: str) -> str | None:
    """The Alt+letter of a menu entry's text (``&&`` is a plain ampersand)."""
    plain = text.replace("&&", "")
    i = plain.find("&")
    return plain[i + 1].lower() if 0 <= i < len(plain) - 1 else None


def mnemonic_clashes(menu: QMenu, path: str) -> dict[str, list[str]]:
    """Per menu (and submenu) path, the Alt+letters two visible entries share."""
    found: dict[str, list[str]] = {}
    clashes: dict[str, list[str]] = {}
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        if (key := _mnemonic(action.text())) is not None:
            found.setdefault(key, []).append(action.text())
        if action.menu() is not None:
            clashes |= mnemonic_clashes(action.menu(), f"{path} > {action.text()}")
    clashes |= {f"{path}: Alt+{k}": texts for k, texts in found.items() if len(texts) > 1}
    return clashes


def test_no_two_entries_of_a_menu_share_an_alt_letter(window):
    # Every entry there is: studies on the chart, watchlist and recent pairs.
    for text in QUICK_SPECS:
        window.indicators.quick_actions[text].trigger()
    window.menu_actions.set_pairs(["BTC-USDT", "ETH-USDT"], ["SOL-USDT"], "BTC-USDT")
    bar = window.menuBar()
    assert mnemonic_clashes(bar, "menu bar") == {}
    titles = [a.text() for a in bar.actions()]
    assert len(titles) == 9 and all(_mnemonic(t) for t in titles)
    assert window.menu_actions.remove_indicators.text() == "Remove a&ll"


def test_add_indicator_by_keyboard_in_the_dialog(qtbot, window, settings_path):
    wait_live(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)  # Add indicator…
    dialog = window.indicators.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.kind_combo, "R")  # the combo's own type-ahead: RSI
    field = dialog.fields[0]
    assert field.text() == "14"
    field.selectAll()
    qtbot.keyClicks(field, "1")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert dialog.isVisible()  # refused, said at the field
    assert dialog.field_errors[0].text() == "Must be a whole number from 2 to 1000"
    qtbot.keyClicks(field, "9")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.indicators.dialog is None, timeout=WAIT_MS)
    assert specs(window) == ["rsi:19"]
    wait_drawn(qtbot, window, parse_indicator_spec("rsi:19"))
    assert len(window.chart.study_views()) == 1
    expected = [{"spec": "rsi:19", "color": DEFAULT_COLORS[0], "visible": True}]
    qtbot.waitUntil(lambda: saved(settings_path) == expected, timeout=WAIT_MS)


def test_show_hide_edit_and_remove_from_the_menu(qtbot, window):
    wait_live(qtbot, window)
    keeper = window.indicators
    keeper.quick_actions["ema:20"].trigger()
    keeper.quick_actions["rsi:14"].trigger()
    wait_drawn(qtbot, window, RSI14)

    keeper.study_actions[RSI14].trigger()  # unchecked: hidden, its pane gone
    assert window.chart_model.studies[1] == Study(RSI14, DEFAULT_COLORS[1], False)
    assert window.chart.study_view(RSI14) is None and window.chart.study_views() == []
    assert menu_texts(window) == [("EMA 20", True), ("RSI 14", False)]
    keeper.study_actions[RSI14].trigger()  # shown again
    assert window.chart.study_view(RSI14) is not None

    entry(keeper.edit_menu, "EMA 20…").trigger()
    dialog = keeper.dialog
    assert dialog is not None and dialog.windowTitle() == "Edit EMA 20"
    assert dialog.fields[0].text() == "20" and dialog.color == DEFAULT_COLORS[0]
    dialog.fields[0].selectAll()
    qtbot.keyClicks(dialog.fields[0], "30")
    qtbot.keyClick(dialog.fields[0], Qt.Key.Key_Return)
    ema30 = parse_indicator_spec("ema:30")
    assert window.chart_model.studies[0] == Study(ema30, DEFAULT_COLORS[0], True)  # in place
    wait_drawn(qtbot, window, ema30)
    assert window.chart.study_item(EMA20) is None
    assert [a.text() for a in keeper.edit_menu.actions()] == ["EMA 30…", "RSI 14…"]

    entry(keeper.remove_menu, "RSI 14").trigger()
    assert specs(window) == ["ema:30"]
    assert window.chart.study_views() == []
    window.menu_actions.remove_indicators.trigger()
    assert specs(window) == [] and menu_texts(window) == []
    assert window.chart.study_item(ema30) is None
    assert not keeper.edit_menu.menuAction().isEnabled()
    assert not window.menu_actions.remove_indicators.isEnabled()


def test_studies_are_kept_for_every_pair_and_across_a_restart(
    qtbot, make_window, exchange, settings_path
):
    first = make_window(exchange.base_url)
    wait_live(qtbot, first)
    first.indicators.quick_actions["bb:20:2"].trigger()
    first.indicators.quick_actions["volsma:20"].trigger()
    first.indicators.study_actions[parse_indicator_spec("volsma:20")].trigger()  # hidden
    first.switch_pair("ETH-USDT")
    assert specs(first) == ["bb:20:2", "volsma:20"]  # the same studies on every pair
    wait_drawn(qtbot, first, parse_indicator_spec("bb:20:2"))
    studies = first.chart_model.studies
    first.close()

    again = make_window(exchange.base_url)
    assert again.chart_model.studies == studies
    assert menu_texts(again) == [("BB 20 2", True), ("Vol SMA 20", False)]
    wait_drawn(qtbot, again, parse_indicator_spec("bb:20:2"))


def test_a_damaged_saved_value_is_kept_aside_and_said(qtbot, make_window, exchange, settings_path):
    """Studies an earlier version saved, migrated into the layout: what could be read."""
    good = {"spec": "ema:20", "color": "#123456", "visible": True}
    raw = json.dumps([good, {"spec": "ema:1"}])
    store = store_at(settings_path)
    store.setValue(STUDIES_KEY, raw)
    store.sync()
    window = make_window(exchange.base_url)
    assert specs(window) == ["ema:20"]  # what could be read is used
    text = window.status_bar.message_label.text()
    assert text.startswith("Saved indicators: indicator 2 skipped")
    assert "indicators/studies-backup-" in text
    backups = [k for k in store_at(settings_path).allKeys() if "studies-backup-" in k]
    assert len(backups) == 1
    assert store_at(settings_path).value(backups[0]) == raw  # nothing lost
    window.indicators.quick_actions["rsi:14"].trigger()
    qtbot.waitUntil(lambda: saved_specs(settings_path) == ["ema:20", "rsi:14"], timeout=WAIT_MS)
    assert store_at(settings_path).value(backups[0]) == raw


def test_an_unreadable_saved_value_starts_empty_and_is_kept(make_window, exchange, settings_path):
    store = store_at(settings_path)
    store.setValue(STUDIES_KEY, "[{not json")
    store.sync()
    window = make_window(exchange.base_url)
    assert specs(window) == []
    assert "the saved indicators could not be read" in window.status_bar.message_label.text()
    window.close()
    backups = [k for k in store_at(settings_path).allKeys() if "studies-backup-" in k]
    assert [store_at(settings_path).value(k) for k in backups] == ["[{not json"]


def test_command_line_indicators_are_added_when_missing(make_window, exchange, settings_path):
    store = store_at(settings_path)
    store.setValue(STUDIES_KEY, json.dumps([{"spec": "ema:20", "color": "#123456"}]))
    store.sync()
    window = make_window(exchange.base_url, indicators=[EMA20, RSI14])
    assert window.chart_model.studies == (
        Study(EMA20, "#123456", True),  # already saved: kept as it was
        Study(RSI14, DEFAULT_COLORS[0], True),
    )
    window.close()
    assert saved_specs(settings_path) == ["ema:20", "rsi:14"]
    assert len(window.chart_model.studies_changed) == 0  # nothing of the window left on it


def test_a_command_line_indicator_saved_hidden_is_shown(make_window, exchange, settings_path):
    """The chart opens with the indicators asked for: one saved hidden is shown, in its own
    colour, and saved so."""
    store = store_at(settings_path)
    saved_ema = {"spec": "ema:20", "color": "#123456", "visible": False}
    store.setValue(STUDIES_KEY, json.dumps([saved_ema]))
    store.sync()
    window = make_window(exchange.base_url, indicators=[EMA20, RSI14])
    assert window.chart_model.studies == (
        Study(EMA20, "#123456", True),
        Study(RSI14, DEFAULT_COLORS[0], True),
    )
    assert menu_texts(window) == [("EMA 20", True), ("RSI 14", True)]
    window.close()
    assert saved(settings_path)[0] == {**saved_ema, "visible": True}


def test_demo_mode_shows_and_saves_the_same_studies(qtbot, make_window, settings_path):
    store = store_at(settings_path)
    store.setValue(STUDIES_KEY, json.dumps([{"spec": "vwap", "color": "#123456"}]))
    store.sync()
    window = make_window("http://unused.invalid", demo=True)
    assert specs(window) == ["vwap"]
    wait_live(qtbot, window)
    wait_drawn(qtbot, window, parse_indicator_spec("vwap"))
    window.indicators.quick_actions["sma:50"].trigger()
    window.close()
    assert saved_specs(settings_path) == ["vwap", "sma:50"]
