"""What the window says at start of saved settings it could not read: every store's problems
(alerts, the layout or the indicators migrated into it, drawings) in one status line, each
store's saved text kept aside under a key the line names; with ``--demo`` the switch to the
demo exchange at start does not clear it, a later switch of source does. Waits are on
conditions with timeouts; nothing sleeps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from kucandle_gui.ui.alerts.store import BOOK_KEY as ALERTS_KEY
from kucandle_gui.ui.drawings_store import BOOK_KEY as DRAWINGS_KEY
from kucandle_gui.ui.indicators import STUDIES_KEY
from kucandle_gui.ui.layout_store import WORKSPACE_KEY
from kucandle_gui.ui.main_window import MainWindow
from kucandle_gui.ui.wording import KEPT_AS, saved_settings_text

ERROR_COLOUR = "#e01b24"
DAMAGED = {
    ALERTS_KEY: '{"version": 1, "alerts": [{"id": 1, "symbol": "BTC-',
    STUDIES_KEY: '[{"spec": "ema:20", "color": "#123456"}, {"spec": "ema:1"}]',
    DRAWINGS_KEY: "{damaged",
}


def store_at(path: str) -> QSettings:
    return QSettings(path, QSettings.Format.IniFormat)


def damage(path: str, *keys: str) -> None:
    store = store_at(path)
    for key in keys:
        store.setValue(key, DAMAGED[key])
    store.sync()


def backups(path: str) -> dict[str, str]:
    """Per backup key, the text kept there."""
    store = store_at(path)
    return {k: store.value(k) for k in store.allKeys() if "-backup-" in k}


def message(window: MainWindow) -> str:
    return window.status_bar.message_label.text()


def test_every_store_s_problems_are_said_in_one_line(make_window, exchange, settings_path):
    damage(settings_path, *DAMAGED)
    window = make_window(exchange.base_url)
    text = message(window)
    assert text.startswith("Saved settings partly unreadable: alerts (the saved alerts could")
    assert "; indicators (indicator 2 skipped: " in text
    assert "; drawings (the saved drawings could not be read: " in text
    kept = backups(settings_path)
    assert sorted(kept.values()) == sorted(DAMAGED.values())  # nothing lost
    listed = text.rsplit(" — kept aside in the settings as ", 1)[1].split(", ")
    assert sorted(listed) == sorted(kept)
    assert ERROR_COLOUR in window.status_bar.message_label.styleSheet()
    tooltip = window.status_bar.message_label.toolTip()
    for key in kept:
        assert f"{KEPT_AS}{key}" in tooltip
    assert [s.spec.text for s in window.chart_model.studies] == ["ema:20"]  # what was read


def test_an_unreadable_layout_is_said_with_the_other_stores(make_window, exchange, settings_path):
    """A saved layout (several charts) that cannot be read: one chart opens, and the line says
    so beside the drawings' problem."""
    store = store_at(settings_path)
    store.setValue(WORKSPACE_KEY, '{"layout": "2x2", "cells": [')
    store.sync()
    damage(settings_path, DRAWINGS_KEY)
    window = make_window(exchange.base_url)
    text = message(window)
    assert text.startswith("Saved settings partly unreadable: layout (")
    assert "; drawings (the saved drawings could not be read: " in text
    assert len(window.grid.cells) == 1
    kept = backups(settings_path)
    assert sorted(kept.values()) == sorted(['{"layout": "2x2", "cells": [', DAMAGED[DRAWINGS_KEY]])
    assert sorted(text.rsplit(" as ", 1)[1].split(", ")) == sorted(kept)


def test_one_store_s_problems_are_said_as_that_store_s(make_window, exchange, settings_path):
    damage(settings_path, DRAWINGS_KEY)
    window = make_window(exchange.base_url)
    [key] = backups(settings_path)
    assert message(window).startswith("Saved drawings: the saved drawings could not be read: ")
    assert message(window).endswith(f"; {KEPT_AS}{key}")


def test_the_demo_exchange_at_start_keeps_the_line(qtbot, make_window, settings_path):
    damage(settings_path, STUDIES_KEY, DRAWINGS_KEY)
    window = make_window("http://unused.invalid", demo=True)
    assert window.demo
    said = message(window)
    assert said.startswith("Saved settings partly unreadable: indicators (")
    qtbot.waitUntil(lambda: window.controller is not None, timeout=15_000)  # the loop ran
    QApplication.processEvents()
    assert message(window) == said


def test_a_later_switch_of_source_clears_the_line(qtbot, make_window, settings_path):
    damage(settings_path, STUDIES_KEY)
    window = make_window("http://127.0.0.1:9")  # nothing listens: no news but the line
    assert message(window).startswith("Saved indicators: indicator 2 skipped")
    qtbot.waitUntil(lambda: not window._starting, timeout=5000)
    window.use_demo_exchange()
    assert window.demo and message(window) == ""


@pytest.mark.parametrize(
    ("problems", "expected"),
    [
        ([("alerts", []), ("drawings", [])], None),
        (
            [("drawings", ["a", "b", "c", f"{KEPT_AS}drawings/x"]), ("alerts", [])],
            (
                f"Saved drawings: a (and 2 more); {KEPT_AS}drawings/x",
                f"a\nb\nc\n{KEPT_AS}drawings/x",
            ),
        ),
        (
            [("alerts", ["a", f"{KEPT_AS}alerts/x"]), ("indicators", ["b", "c", f"{KEPT_AS}i/y"])],
            (
                "Saved settings partly unreadable: alerts (a); indicators (b (and 1 more)) — "
                "kept aside in the settings as alerts/x, i/y",
                f"Saved alerts:\na\n{KEPT_AS}alerts/x\n\nSaved indicators:\nb\nc\n{KEPT_AS}i/y",
            ),
        ),
    ],
    ids=["none", "one", "two"],
)
def test_the_wording(problems, expected):
    assert saved_settings_text(problems) == expected
