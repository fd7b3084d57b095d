"""The window's layout kept: the workspace (layout, cells, the active one) across a restart,
each layout's splitter sizes, the command line's indicators in every cell, the linked
crosshairs. Against the local exchange; waits are on conditions with timeouts."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from kucandle_gui.model import CellSpec, LayoutKind, SeriesKey
from kucandle_gui.model.indicators import DEFAULT_COLORS, Study
from kucandle_gui.model.price_scale import ScaleMode
from kucandle_gui.ui.layout_store import LayoutStore
from kucandle_gui.ui.settings import AppSettings
from tests.ui.window_kit import EMA20, RSI14, WAIT_MS, active_index, keys, spec


def test_the_workspace_is_kept_across_a_restart(qtbot, make_window, exchange, settings_path):
    first = make_window(exchange.base_url)
    first.resize(780, 560)  # on the (offscreen) screen: restored as it is
    first.monitor.watchlist.set_symbols(["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"])
    first.menu_actions.layouts[LayoutKind.GRID].trigger()
    first.menu_actions.next_chart.trigger()
    first.switch_timeframe("5min")
    first.indicators.quick_actions["rsi:14"].trigger()
    first.menu_actions.scales[ScaleMode.LOG].trigger()
    first.menu_actions.next_chart.trigger()  # the third cell active
    top = first.grid.splitters()[0]
    qtbot.waitUntil(lambda: top.height() > 0, timeout=WAIT_MS)
    top.setSizes([200, 300])
    sizes = first.grid.sizes()
    specs = [cell.model.spec() for cell in first.grid.cells]
    first.menu_actions.quit.trigger()

    second = make_window(exchange.base_url, None, None)  # as saved
    assert second.workspace.layout is LayoutKind.GRID
    assert second.menu_actions.layouts[LayoutKind.GRID].isChecked()
    assert [cell.model.spec() for cell in second.grid.cells] == specs
    assert specs[1] == CellSpec(
        SeriesKey("ETH-USDT", "5min"), (Study(RSI14, DEFAULT_COLORS[0], True),), ScaleMode.LOG
    )
    assert active_index(second) == 2
    assert second.grid.sizes() == sizes
    assert second.grid.cells[1].chart.scale.mode is ScaleMode.LOG
    # Shrunk, then grown again: the cells come back as they were.
    second.menu_actions.layouts[LayoutKind.SINGLE].trigger()
    second.menu_actions.quit.trigger()
    third = make_window(exchange.base_url, None, None)
    assert [cell.model.spec() for cell in third.grid.cells] == specs[:1]
    third.menu_actions.layouts[LayoutKind.GRID].trigger()
    assert [cell.model.spec() for cell in third.grid.cells] == specs


def test_splitter_sizes_come_back_only_in_their_own_layout(qtbot, make_window, exchange):
    first = make_window(exchange.base_url)
    first.resize(780, 560)
    first.menu_actions.layouts[LayoutKind.SIDE_BY_SIDE].trigger()
    splitter = first.grid.splitters()[0]
    qtbot.waitUntil(lambda: splitter.width() > 0, timeout=WAIT_MS)
    splitter.setSizes([200, 560])
    widths = first.grid.sizes()
    first.menu_actions.layouts[LayoutKind.GRID].trigger()  # closed in another layout
    first.menu_actions.quit.trigger()

    stacked = spec(LayoutKind.STACKED, ("BTC-USDT", "1min"), ("ETH-USDT", "1min"))
    second = make_window(exchange.base_url, None, None, workspace=stacked)
    second.resize(780, 560)
    splitter = second.grid.splitters()[0]
    qtbot.waitUntil(lambda: splitter.height() > 0, timeout=WAIT_MS)
    top, bottom = splitter.sizes()
    assert abs(top - bottom) <= 2  # shared evenly: the saved widths are not heights
    second.menu_actions.quit.trigger()

    side_by_side = spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("ETH-USDT", "1min"))
    third = make_window(exchange.base_url, None, None, workspace=side_by_side)
    assert third.grid.sizes() == widths  # as the first window left them


def test_command_line_indicators_are_in_every_cell(make_window, exchange, settings_path):
    settings = AppSettings(QSettings(settings_path, QSettings.Format.IniFormat))
    saved = spec(LayoutKind.SIDE_BY_SIDE, ("BTC-USDT", "1min"), ("ETH-USDT", "1hour"))
    LayoutStore(settings).save(saved)
    settings.sync()
    window = make_window(exchange.base_url, None, None, indicators=[EMA20, RSI14])
    assert keys(window) == [("BTC-USDT", "1min"), ("ETH-USDT", "1hour")]
    for cell in window.grid.cells:
        assert [s.spec for s in cell.model.studies] == [EMA20, RSI14]


def test_link_crosshairs_is_a_saved_view_choice(make_window, exchange, settings_path):
    window = make_window(exchange.base_url)
    link = window.menu_actions.link_crosshair
    assert link.text() == "Link &crosshairs" and link.isCheckable() and not link.isChecked()
    link.trigger()
    assert window.layout_keeper.crosshair_link.is_enabled()
    assert window.settings.link_crosshair
    window.close()
    again = make_window(exchange.base_url)
    assert again.menu_actions.link_crosshair.isChecked()
    assert again.layout_keeper.crosshair_link.is_enabled()
