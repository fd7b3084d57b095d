"""View → Price scale in the window against the local exchange: linear, logarithmic and percent
chosen from the menu and by keys, the chart's scale following, the choice kept across a
restart (saved with the layout; an earlier version's saved scale migrated). Waits are on
conditions with timeouts; nothing sleeps."""

from __future__ import annotations

import json
import math

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.ui.layout_store import WORKSPACE_KEY
from kucandle_gui.ui.main_window import MainWindow

WAIT_MS = 15_000


def saved_scale(path: str) -> object:
    """The active chart's scale as the window saved it with the layout (None: not yet)."""
    raw = QSettings(path, QSettings.Format.IniFormat).value(WORKSPACE_KEY)
    if raw is None:
        return None
    workspace = json.loads(raw)
    return workspace["cells"][workspace["active"]]["scale"]


def checked(window: MainWindow) -> list[ScaleMode]:
    return [mode for mode, action in window.menu_actions.scales.items() if action.isChecked()]


@pytest.fixture
def window(make_window, exchange) -> MainWindow:
    return make_window(exchange.base_url)


def test_linear_at_first(window, settings_path):
    assert window.chart.scale.mode is ScaleMode.LINEAR
    assert checked(window) == [ScaleMode.LINEAR]
    assert window.menu_actions.scale_menu.title() == "Price &scale"


def test_each_entry_sets_the_charts_scale_and_is_saved(qtbot, window, settings_path):
    qtbot.waitUntil(lambda: window.chart.last_price() is not None, timeout=WAIT_MS)
    scales = window.menu_actions.scales
    scales[ScaleMode.LOG].trigger()
    assert window.chart.scale.mode is ScaleMode.LOG
    assert checked(window) == [ScaleMode.LOG]
    qtbot.waitUntil(lambda: saved_scale(settings_path) == "log", timeout=WAIT_MS)
    # The axis follows: its labels are prices at log-spaced view positions.
    price = window.chart.last_price()
    assert window.chart.scale.to_view(price) == pytest.approx(math.log10(price))

    scales[ScaleMode.PERCENT].trigger()
    assert window.chart.scale.mode is ScaleMode.PERCENT
    assert checked(window) == [ScaleMode.PERCENT]
    qtbot.waitUntil(lambda: window.chart.scale.base is not None, timeout=WAIT_MS)
    assert window.chart.scale.shows_percent
    qtbot.waitUntil(lambda: window.chart.last_price_label().endswith("%"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: saved_scale(settings_path) == "percent", timeout=WAIT_MS)

    scales[ScaleMode.LINEAR].trigger()
    assert window.chart.scale.mode is ScaleMode.LINEAR
    qtbot.waitUntil(lambda: saved_scale(settings_path) == "linear", timeout=WAIT_MS)


def test_choosing_the_checked_mode_again_goes_back_to_linear(window):
    scales = window.menu_actions.scales
    scales[ScaleMode.LOG].trigger()
    scales[ScaleMode.LOG].trigger()  # as Alt+L twice
    assert window.chart.scale.mode is ScaleMode.LINEAR
    assert checked(window) == [ScaleMode.LINEAR]
    scales[ScaleMode.LINEAR].trigger()  # linear stays linear, still checked
    assert window.chart.scale.mode is ScaleMode.LINEAR
    assert checked(window) == [ScaleMode.LINEAR]


def test_alt_l_toggles_the_log_scale_and_alt_c_the_percent_scale(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(window, Qt.Key.Key_L, alt)
    assert window.chart.scale.mode is ScaleMode.LOG
    qtbot.keyClick(window, Qt.Key.Key_C, alt)
    assert window.chart.scale.mode is ScaleMode.PERCENT
    qtbot.keyClick(window, Qt.Key.Key_C, alt)
    assert window.chart.scale.mode is ScaleMode.LINEAR
    qtbot.keyClick(window, Qt.Key.Key_L, alt)
    qtbot.keyClick(window, Qt.Key.Key_L, alt)
    assert window.chart.scale.mode is ScaleMode.LINEAR


def test_the_scale_is_restored_in_a_new_window_and_kept_across_pairs(
    qtbot, make_window, exchange, settings_path
):
    first = make_window(exchange.base_url)
    first.menu_actions.scales[ScaleMode.LOG].trigger()
    first.switch_pair("ETH-USDT")
    assert first.chart.scale.mode is ScaleMode.LOG  # a display setting: every pair alike
    first.close()

    again = make_window(exchange.base_url)
    assert again.chart.scale.mode is ScaleMode.LOG
    assert checked(again) == [ScaleMode.LOG]


def test_a_bad_saved_scale_is_linear(make_window, exchange, settings_path):
    store = QSettings(settings_path, QSettings.Format.IniFormat)
    store.setValue("chart/scale", "sideways")
    store.sync()
    window = make_window(exchange.base_url)
    assert window.chart.scale.mode is ScaleMode.LINEAR
    assert checked(window) == [ScaleMode.LINEAR]


def test_demo_mode_uses_the_same_scale(qtbot, make_window, settings_path):
    store = QSettings(settings_path, QSettings.Format.IniFormat)
    store.setValue("chart/scale", "percent")
    store.sync()
    window = make_window("http://unused.invalid", demo=True)
    assert window.chart.scale.mode is ScaleMode.PERCENT
    window.menu_actions.scales[ScaleMode.LOG].trigger()
    window.close()
    assert saved_scale(settings_path) == "log"  # a display setting, saved in demo mode too
